"""The seed command: builds the site, changes nothing the second time, writes nothing on error."""

import datetime
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry, Revision, Site

from articles.integrity import publishing_unreviewed_source_material
from articles.models import ArticlePage, QuestionPage, TopicPage
from discsite.models import HomePage
from discsite.seed_files import DEFAULT_SEED_DIR
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db


def seed(*args):
    out, err = StringIO(), StringIO()
    call_command("seed", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def database_state():
    """Everything a seed run could change, in comparable form."""
    return {
        "pages": sorted(Page.objects.values_list("pk", "path", "title", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "log_entries": PageLogEntry.objects.count(),
        "sites": sorted(Site.objects.values_list("pk", "root_page_id")),
    }


def test_seed_builds_the_whole_site():
    out, _ = seed()
    assert "Seeded: 30 created" in out
    assert QuestionPage.objects.live().count() == 7
    assert ArticlePage.objects.live().count() == 3
    assert ExpertPage.objects.live().count() == 7
    assert TopicPage.objects.live().count() == 8
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert [child.slug for child in home.get_children()] == ["questions", "articles", "topics", "experts"]


def test_seeded_pages_keep_their_original_authors_and_dates():
    seed()
    main = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    assert main.author.display_name == "Dr Wang Fei"
    assert main.author.department == "Orthopedics"
    assert main.first_published_at.date() == main.last_published_at.date() == datetime.date(2025, 1, 23)
    assert [voice.page.author.title for voice in main.pinned_voices.all()] == [
        "Na Hong Wei",
        "Wang Cheng Lin",
        "Qiu Xiang Zhong",
        "Su Zhen Bo",
        "Lv Yao",
    ]
    massage = QuestionPage.objects.get(slug="massage-therapy-for-lumbar-disc-herniation")
    assert massage.author.display_name == "Dr Chen Jian"
    assert massage.source_name == "Cainiu Health"
    assert massage.first_published_at.date() == datetime.date(2024, 11, 14)
    assert QuestionPage.objects.get(slug="is-a-herniated-lumbar-disc-serious").audio_duration == "1min 32sec"
    assert all(article.author is None for article in ArticlePage.objects.all())
    assert all(page.last_reviewed_on is None for page in QuestionPage.objects.all())


def test_seeded_content_is_cleaned_as_the_issue_asks():
    seed()
    leg_pain = ArticlePage.objects.get(slug="leg-pain-and-numbness-from-a-herniated-disc")
    assert "**" not in str(leg_pain.body.get_prep_value())
    weakness = ArticlePage.objects.get(slug="lumbar-disc-herniation-and-leg-weakness")
    callouts = [block.value for block in weakness.body if block.block_type == "callout"]
    assert [(c["kind"], c["title"]) for c in callouts] == [("warning", "Note")]
    spasms = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")
    assert spasms.is_sponsored
    assert "Barricaid" in spasms.sponsor_disclosure
    block_types = [block.block_type for block in spasms.body]
    assert block_types[0] == "callout"
    assert spasms.body[0].value["kind"] == "editors_note"
    assert block_types[-1] == "sponsored"
    assert "urgent_care" in block_types
    assert [ref.value["journal"] for ref in spasms.references] == [
        "Interdisciplinary Neurosurgery",
        "New England Journal of Medicine",
    ]


def test_every_tag_used_has_a_topic_page():
    seed()
    used = {
        tag.name for model in (QuestionPage, ArticlePage) for page in model.objects.all() for tag in page.tags.all()
    }
    assert used == {topic.tag.name for topic in TopicPage.objects.live()}


def test_second_run_changes_nothing_and_keeps_page_ids():
    seed()
    before = database_state()
    out, _ = seed()
    assert "Seeded: 30 unchanged." in out
    assert database_state() == before


def test_a_changed_seed_file_updates_only_that_page(tmp_path):
    seed()
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    path = seed_dir / "questions" / "04-lumbar-disc-herniation-symptoms.md"
    path.write_text(path.read_text().replace("Lumbar disc herniation symptoms", "Symptoms of a herniated disc", 1))
    page = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    revisions = Revision.objects.count()
    out, _ = seed("--seed-dir", str(seed_dir))
    assert "updated question: Symptoms of a herniated disc" in out
    assert "29 unchanged" in out
    assert Revision.objects.count() == revisions + 1
    page.refresh_from_db()
    assert page.title == "Symptoms of a herniated disc"
    assert page.live
    assert not page.has_unpublished_changes


def test_pages_edited_in_the_admin_are_not_overwritten_without_force(tmp_path, django_user_model):
    seed()
    editor = django_user_model.objects.create(username="editor")
    page = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    page.summary = "An editor's better short answer."
    with publishing_unreviewed_source_material("a test: as if reviewed and published in the admin"):
        page.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    out, _ = seed("--seed-dir", str(seed_dir))
    assert "skipped question: Lumbar disc herniation symptoms (changed in the admin; --force overwrites)" in out
    page.refresh_from_db()
    assert page.summary == "An editor's better short answer."
    seed("--seed-dir", str(seed_dir), "--force")
    page.refresh_from_db()
    assert page.summary.startswith("Back pain, which more than 90% of patients have")


def test_check_validates_without_writing():
    before = database_state()
    out, _ = seed("--check")
    assert "Seed files are valid: 25 pages." in out
    assert database_state() == before


def _broken_copy(tmp_path, relative, old, new):
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    path = seed_dir / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))
    return seed_dir


def _line_of(seed_dir, relative, needle):
    for number, line in enumerate((seed_dir / relative).read_text().split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


ARTICLE = "articles/03-herniated-discs-and-muscle-spasms.md"
QUESTION = "questions/02-is-a-herniated-lumbar-disc-serious.md"


@pytest.mark.parametrize(
    ("relative", "old", "new", "line_needle", "message"),
    [
        (
            QUESTION,
            "expert: na-hong-wei",
            "expert: nobody",
            "expert: nobody",
            "expert 'nobody' is not in experts.yaml",
        ),
        (QUESTION, "tags: [Causes", "tags: [Gossip, Causes", "tags:", "tag 'Gossip' has no topic in topics.yaml"),
        (QUESTION, "audio_duration:", "audio_duratoin:", "audio_duratoin", "unknown key 'audio_duratoin'"),
        (QUESTION, "title: Is a", "title: [Is a", "title: [Is a", "invalid YAML"),
        (QUESTION, "slug: is-a-herniated", "slug: Is A Herniated", "slug:", "must be a lower-case slug"),
        (
            QUESTION,
            "file: 000_fd13b853fb6b8d97.txt",
            "file: missing.txt",
            "file: missing",
            "source file 'missing.txt'",
        ),
        (ARTICLE, "## What is a herniated disc?", "# What is a herniated disc?", "# What is", "use '## ' or '### '"),
        (ARTICLE, "::: sponsored Barricaid", "::: sponsored", "::: sponsored", "write the sponsor after"),
        (ARTICLE, "::: callout editors_note", "::: callout gossip", "::: callout gossip", "callout kind must be"),
        (ARTICLE, "sponsored:\n  disclosure:", "unsponsored:\n  disclosure:", "unsponsored", "unknown key"),
        (ARTICLE, "  - journal: Interdisciplinary Neurosurgery", "  - year: 1500", "year: 1500", "'year' must be"),
        (
            "articles/02-leg-weakness.md",
            "tags: [Leg",
            "published: 23 Jan 2025\ntags: [Leg",
            "published:",
            "YYYY-MM-DD",
        ),
        (
            "experts.yaml",
            "  honorific: Dr\n  department: Orthopedics",
            "  honorific: Sir",
            "honorific: Sir",
            "honorific",
        ),
        ("topics.yaml", "- slug: surgery", "- slug: surgery\n  colour: red", "colour: red", "unknown key 'colour'"),
    ],
)
def test_a_broken_seed_file_is_reported_with_file_and_line_and_writes_nothing(
    tmp_path, relative, old, new, line_needle, message
):
    seed_dir = _broken_copy(tmp_path, relative, old, new)
    before = database_state()
    with pytest.raises(CommandError, match="nothing was written"):
        seed("--seed-dir", str(seed_dir))
    assert database_state() == before
    # The same problems are reported by --check; read them from stderr.
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("seed", "--check", "--seed-dir", str(seed_dir), stdout=StringIO(), stderr=err)
    line = _line_of(seed_dir, relative, line_needle)
    assert any(
        entry.startswith(f"{seed_dir / relative}:{line}: ") and message in entry
        for entry in err.getvalue().splitlines()
    ), err.getvalue()


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    seed_dir = _broken_copy(tmp_path, QUESTION, "expert: na-hong-wei", "expert: nobody")
    other = seed_dir / "questions" / "03-symptoms-of-lumbar-disc-herniation.md"
    other.write_text(other.read_text().replace("summary:", "sumary:", 1))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("seed", "--seed-dir", str(seed_dir), stdout=StringIO(), stderr=err)
    assert "expert 'nobody'" in err.getvalue()
    assert "unknown key 'sumary'" in err.getvalue()
    assert "'summary' is required" in err.getvalue()


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    (seed_dir / "questions" / "99-binary.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("seed", "--check", "--seed-dir", str(seed_dir), stdout=StringIO(), stderr=err)
    assert "99-binary.md:1: not UTF-8 text" in err.getvalue()


def test_a_failure_in_the_middle_of_the_build_rolls_everything_back(monkeypatch):
    """Validation catches bad files before writing; this proves the transaction for everything else."""
    from discsite import seed_build

    seed()
    # Give the build something to write (an update of an early page) before it fails on the last article.
    QuestionPage.objects.filter(slug="lumbar-disc-herniation-symptoms").update(title="Changed by hand")
    before = database_state()
    original = seed_build.TreeBuilder.sync_page

    def sync_page_failing_on_the_last_article(self, parent, model, slug, *args, **kwargs):
        if model is ArticlePage and slug == "herniated-discs-and-back-muscle-spasms":
            assert Revision.objects.count() > before["revisions"], "the build should have written by now"
            raise RuntimeError("disk full")
        return original(self, parent, model, slug, *args, **kwargs)

    monkeypatch.setattr(seed_build.TreeBuilder, "sync_page", sync_page_failing_on_the_last_article)
    err = StringIO()
    with pytest.raises(CommandError, match="rolled back"):
        call_command("seed", stdout=StringIO(), stderr=err)
    assert "fixtures/seed/articles/03-herniated-discs-and-muscle-spasms.md:2: could not be saved: disk full" in (
        err.getvalue()
    )
    assert database_state() == before
    assert QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms").title == "Changed by hand"
