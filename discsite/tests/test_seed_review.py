"""The seed publishes the source material as given, and sends every page it publishes for its first
clinical review: submitted by the system ("System" on the dashboard and in the history, the site's own
account, which cannot sign in), labelled as such, on the dashboard of the first clinician to sign in. A second run starts nothing; a clinician's approval, through the real two-step
workflow over HTTP, turns the page's review line into a reviewed byline."""

import importlib
import shutil
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import Page, PageLogEntry, Revision, TaskState, WorkflowState

from articles.models import HEALTH_PAGE_MODELS, ArticlePage, QuestionPage
from articles.review import FIRST_REVIEW_OF_SOURCE_MATERIAL
from articles.tests.test_admin_actions import take_action_from_the_dashboard
from articles.tests.test_review_integrity import signed_in
from articles.workflow import ClinicalReviewTask, ClinicalReviewTaskState
from discsite.core.system import system_user
from discsite.seed_files import DEFAULT_SEED_DIR
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def health_pages():
    return [page for model in HEALTH_PAGE_MODELS for page in model.objects.order_by("pk")]


def seeded_pages():
    """Every page the seed made: all but the tree's root."""
    return list(Page.objects.filter(depth__gt=1).specific().order_by("path"))


def review_state():
    """Everything the seed could change about reviews, in comparable form."""
    return {
        "pages": sorted(Page.objects.values_list("pk", "live", "latest_revision_id", "live_revision_id")),
        "revisions": Revision.objects.count(),
        "log_entries": PageLogEntry.objects.count(),
        "workflows": sorted(WorkflowState.objects.values_list("pk", "object_id", "status", "current_task_state_id")),
        "task_states": sorted(TaskState.objects.values_list("pk", "status", "revision_id")),
        "in_review": sorted((page.pk, page.live_content_in_review, page.last_reviewed_on) for page in health_pages()),
    }


@pytest.fixture
def clinicians(django_user_model):
    """A freshly seeded site, and the people who review it: a clinician linked to a seeded expert (as
    create_demo_users links the demo clinician), and a moderator."""
    from django.contrib.auth.models import Group

    seed()

    def user(username, group):
        account = django_user_model.objects.create_user(username=username, password="changeme")
        account.groups.add(Group.objects.get(name=group))
        return account

    people = {"clinician": user("clinician", "Clinical reviewers"), "moderator": user("moderator", "Moderators")}
    ExpertPage.objects.filter(slug="su-zhen-bo").update(user=people["clinician"])
    return people


def test_every_seeded_page_enters_its_first_review_submitted_by_the_system():
    out = seed()
    assert "Seeded: 30 created" in out
    assert out.rstrip().endswith("; 30 sent for their first clinical review.")
    pages = seeded_pages()
    assert len(pages) == 30
    assert len(health_pages()) == 10
    system = system_user()
    assert not system.is_active, "it can never sign in"
    assert not system.has_usable_password()
    for page in pages:
        state = page.current_workflow_state
        assert state is not None, page.title
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.requested_by == system, "submitted by the system, not by a person"
        task_state = state.current_task_state.specific
        assert isinstance(task_state.task.specific, ClinicalReviewTask)
        assert task_state.revision_id == page.live_revision_id, "the live content is what is reviewed"
        assert task_state.revision.user == system
        assert task_state.submission_note == FIRST_REVIEW_OF_SOURCE_MATERIAL
        assert task_state.get_comment().startswith("First clinical review of imported source material")
        assert page.live
        assert f"review {page.get_verbose_name().lower()}: {page.title}" in out
    for page in health_pages():
        assert page.live_content_in_review
        assert page.last_reviewed_on is None
        assert page.review_status == "in_review"
    assert WorkflowState.objects.count() == 30


def test_a_second_seed_starts_nothing_and_changes_nothing():
    seed()
    before = review_state()
    out = seed()
    assert "Seeded: 30 unchanged." in out
    assert "review" not in out.replace("Seeded: 30 unchanged.", "")
    assert review_state() == before


def test_a_review_someone_ended_or_a_reviewed_page_is_left_alone():
    seed()
    ended = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    ended.current_workflow_state.cancel(user=None)
    ended = QuestionPage.objects.get(pk=ended.pk)
    assert not ended.live_content_in_review, "readers are no longer told it is being checked"
    before = review_state()
    seed()
    assert review_state() == before


def test_a_database_seeded_before_reviews_were_started_gets_them_on_the_next_seed():
    seed()
    ClinicalReviewTaskState.objects.all().delete()
    WorkflowState.objects.all().delete()
    for model in HEALTH_PAGE_MODELS:
        model.objects.update(live_content_in_review=False)
    out = seed()
    assert "30 unchanged; 30 sent for their first clinical review" in out
    assert all(page.current_workflow_state is not None and page.live_content_in_review for page in health_pages())


def test_changed_source_material_is_reviewed_from_the_start(tmp_path):
    seed()
    page = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    first_review = page.current_workflow_state
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    path = seed_dir / "questions" / "04-lumbar-disc-herniation-symptoms.md"
    path.write_text(path.read_text().replace("Lumbar disc herniation symptoms", "Symptoms of a herniated disc", 1))

    out = seed("--seed-dir", str(seed_dir))

    assert "updated question: Symptoms of a herniated disc" in out
    assert "review expert answer: Symptoms of a herniated disc" in out
    assert "1 sent for their first clinical review" in out
    page = QuestionPage.objects.get(pk=page.pk)
    first_review.refresh_from_db()
    assert first_review.status == WorkflowState.STATUS_CANCELLED, "publishing the new material ended the old review"
    state = page.current_workflow_state
    assert state.pk != first_review.pk
    assert state.current_task_state.revision_id == page.live_revision_id
    assert page.live_content_in_review


def test_the_clinicians_dashboard_lists_every_seeded_page_for_its_first_review_submitted_by_the_system(clinicians):
    clinician = signed_in(clinicians["clinician"])
    soup = BeautifulSoup(clinician.get("/admin/").content, "html.parser")
    panel = soup.find(id=lambda value: value and "awaiting-review" in value)
    assert panel is not None
    rows = {row.find("a", href=True)["href"]: row for row in panel.select("tbody tr")}
    for page in seeded_pages():
        row = rows[f"/admin/pages/{page.pk}/edit/"]
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")]
        assert "System" in cells, (page.title, cells)  # "Task submitted by"
    assert len(rows) == 30
    # The answers and articles head the queue.
    first = list(rows)[:10]
    assert set(first) == {f"/admin/pages/{page.pk}/edit/" for page in health_pages()}


def test_the_workflow_history_says_it_is_the_first_review_of_source_material(clinicians):
    page = ArticlePage.objects.get(slug="lumbar-disc-herniation-and-leg-weakness")
    state = page.current_workflow_state
    for role in ("clinician", "moderator"):
        response = signed_in(clinicians[role]).get(f"/admin/pages/{page.pk}/workflow_history/detail/{state.pk}/")
        assert response.status_code == 200, role
        text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
        assert "First clinical review of imported source material" in text, role


def review_line(client, page):
    """The page's own review line (its cards of other pages say where those stand)."""
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    return " ".join(soup.select_one(".review-record").get_text(" ").split())


def test_approving_a_seeded_page_through_the_workflow_makes_its_byline_reviewed(client, clinicians):
    page = QuestionPage.objects.get(slug="is-a-herniated-lumbar-disc-serious")
    assert review_line(client, page).startswith("Awaiting clinical review")

    take_action_from_the_dashboard(
        signed_in(clinicians["clinician"]), page, "approve", comment="Accurate.", next_review_due=""
    )
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.live_content_in_review, "approved by a clinician, it still waits for the moderator's sign-off"
    assert review_line(client, page).startswith("Awaiting clinical review")
    take_action_from_the_dashboard(signed_in(clinicians["moderator"]), page, "approve", comment="")

    page = QuestionPage.objects.get(pk=page.pk)
    assert page.current_workflow_state is None
    assert page.last_reviewed_on is not None
    assert not page.live_content_in_review
    assert page.review_status == "reviewed"
    line = review_line(client, page)
    assert line.startswith("Medically reviewed by Dr Su Zhen Bo")
    assert "Last reviewed" in line
    card = BeautifulSoup(client.get("/questions/").content, "html.parser").find("a", href=page.url)
    card_text = " ".join(card.find_parent("article").get_text(" ").split())
    assert "Medically reviewed" in card_text
    assert "Awaiting clinical review" not in card_text


def test_the_migration_tells_readers_of_live_content_already_in_review():
    """A database that had live content in review before the flag existed says so once migrated."""
    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0014_review_state_for_readers")
    seed()
    ended = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    ended.current_workflow_state.cancel(user=None)
    for model in HEALTH_PAGE_MODELS:
        model.objects.update(live_content_in_review=False)

    migration.note_live_content_already_in_review(apps, None)

    flagged = {page.slug for page in health_pages() if page.live_content_in_review}
    assert flagged == {page.slug for page in health_pages()} - {ended.slug}
