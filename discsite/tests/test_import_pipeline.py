"""Saving an import (discsite.importing.pipeline): drafts in clinical review, never live, with provenance.

Most tests build the parsed document by hand (the parser's output, `ParsedDocument`), so they test
the saving half on its own; the last ones import the five raw sources through the real reader and
parser, into a site with and without the curated seed.
"""

import hashlib
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.models import Page, PageLogEntry, Revision, TaskState, WorkflowState

from articles.integrity import content_of, fingerprint
from articles.models import ArticlePage, QuestionPage
from articles.tests.test_clinical_review import act
from articles.workflow import ClinicalReviewTask, EditorialSignOffTask, clinical_review_workflow
from discsite.importing import pipeline
from discsite.importing.document import DraftPage, Dropped, ImportRefused, Line, ParsedDocument, SourceText
from discsite.importing.pipeline import import_file, import_files
from discsite.models import ImportedDocument, ImportedPage
from discsite.tests.test_faithfulness import FURNITURE_STRINGS, content_lines, normalise, sentences
from discsite.tests.test_import_parsing import TABLE_PAGE
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"


# ------------------------------------------------------------------ documents built by hand


def paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def answer(key, title, author, others=(), summary=None, **extra):
    return DraftPage(
        key=key,
        page_type="question",
        title=title,
        summary=f"The short answer to: {title}" if summary is None else summary,
        body=[paragraph(f"The full answer to {title.lower()} Rest and gentle activity help most people.")],
        author_name=author,
        author_honorific="Dr",
        department="Orthopedics",
        audio_duration=extra.pop("audio_duration", "1min 32sec"),
        other_voices=list(others),
        **extra,
    )


def qa_document(*answers, dropped=(("00:00", "audio player furniture"),)):
    return lambda source: ParsedDocument(
        source=source, kind="doctor_qa", pages=list(answers), dropped=[Dropped(*item) for item in dropped]
    )


def article_document(title="Leg weakness and a herniated disc", body=None, **extra):
    return lambda source: ParsedDocument(
        source=source,
        kind="article",
        pages=[
            DraftPage(
                key="article",
                page_type="article",
                title=title,
                summary="Leg weakness can come from a nerve pressed by the disc.",
                body=body or [paragraph("Most leg weakness improves as the nerve recovers.")],
                **extra,
            )
        ],
        dropped=[Dropped("View All", "navigation")],
    )


@pytest.fixture
def documents(monkeypatch):
    """The reader and parser replaced: each file's bytes map to a document built by hand."""
    by_bytes = {}

    def read(name, data):
        if data not in by_bytes:
            raise ImportRefused(f"{name} is not a document this test knows")
        return SourceText(
            name=name,
            format="text",
            checksum=hashlib.sha256(data).hexdigest(),
            size=len(data),
            lines=[Line(data.decode("latin-1"))],
            encoding="utf-8",
            removed=[("<script>", "scripts are never stored")],
        )

    monkeypatch.setattr(pipeline, "read_document", read)
    monkeypatch.setattr(pipeline, "parse", lambda source: by_bytes[source_bytes[source.checksum]](source))
    source_bytes = {}

    def register(data, build):
        by_bytes[data] = build
        source_bytes[hashlib.sha256(data).hexdigest()] = data
        return data

    return register


def two_answers(documents, data=b"version 1", wang="Wang Fei"):
    return documents(
        data,
        qa_document(
            answer("answer-1", "How to relieve stiffness in the lower back?", wang, ["answer-2"], updated_on=None),
            answer("answer-2", "Is a herniated lumbar disc serious?", "Na Hong Wei", ["answer-1"]),
        ),
    )


def database_state():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "workflow_states": WorkflowState.objects.count(),
        "task_states": TaskState.objects.count(),
        "log": PageLogEntry.objects.count(),
        "documents": ImportedDocument.objects.count(),
        "links": ImportedPage.objects.count(),
    }


def fresh(page):
    return Page.objects.get(pk=page.pk).specific


def assert_in_clinical_review(page):
    """A draft, never live, in the Clinical review workflow at its clinical step, on its latest revision."""
    page = fresh(page)
    assert page.live is False
    assert page.live_revision_id is None or page.live_revision_id != page.latest_revision_id
    state = page.current_workflow_state
    assert state is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert isinstance(page.current_workflow_task, ClinicalReviewTask)
    assert page.current_workflow_task_state.revision_id == page.latest_revision_id
    return page


# ------------------------------------------------------------------ a new document


def test_a_doctor_qa_becomes_draft_answers_in_clinical_review_with_their_provenance(
    site_tree, documents, django_user_model
):
    editor = django_user_model.objects.create_user("importer", first_name="Ida", last_name="Porter")
    wang = ExpertPageFactory(title="Wang Fei", department="Orthopedics")
    report = import_file("uploads/000_x.txt", two_answers(documents), user=editor)

    assert report.status == "new", report.message
    assert report.message == ("000_x.txt: doctor Q&A, 2 draft pages in Clinical review (1 new draft expert profile)")
    assert [page.title for page in report.pages] == [
        "How to relieve stiffness in the lower back?",
        "Is a herniated lumbar disc serious?",
    ]
    first, second = (assert_in_clinical_review(page) for page in report.pages)
    assert isinstance(first, QuestionPage)
    assert first.get_parent().pk == site_tree.questions.pk
    assert first.slug == "how-to-relieve-stiffness-in-the-lower-back"
    assert first.owner == editor
    assert first.latest_revision.user == editor
    assert first.author == wang, "matched to the existing profile"
    assert first.audio_duration == "1min 32sec"
    assert [voice.page_id for voice in first.pinned_voices.all()] == [second.pk]
    assert [voice.page_id for voice in second.pinned_voices.all()] == [first.pk]
    assert list(first.tags.all()) == []

    # The unknown expert: a draft profile, never live, saved as a revision for a moderator to complete.
    na = second.author
    assert (na.title, na.honorific, na.department, na.live) == ("Na Hong Wei", "Dr", "Orthopedics", False)
    assert na.get_parent().pk == site_tree.experts.pk
    assert na.latest_revision_id is not None
    assert report.new_experts == ["Dr Na Hong Wei"]

    record = first.import_record
    assert record["file"] == "000_x.txt"
    assert record["checksum"] == hashlib.sha256(b"version 1").hexdigest()
    assert (record["format"], record["kind"], record["key"]) == ("text", "doctor Q&A", "answer-1")
    assert record["importer"] == "Ida Porter (importer)"
    assert record["imported_at"].startswith(str(ImportedDocument.objects.get().imported_at.date()))
    assert {"label": "Audio answer", "value": "1min 32sec"} in record["source"]
    assert {"text": "00:00", "reason": "audio player furniture"} in record["dropped"]
    assert {"text": "<script>", "reason": "scripts are never stored"} in record["dropped"]
    assert any("draft profile" in note for note in second.import_record["notes"])
    # The provenance is in the revision under review, so the clinician approves it with the content.
    assert first.current_workflow_task_state.revision.as_object().import_record == record
    # ...and part of what the approval's fingerprint covers (articles.integrity.content_of).
    assert content_of(first.latest_revision)["import_record"] == record

    document = ImportedDocument.objects.get()
    assert (document.name, document.kind, document.format, document.size) == ("000_x.txt", "doctor_qa", "text", 9)
    assert document.imported_by == editor
    assert {link.key: link.page_id for link in document.pages.all()} == {"answer-1": first.pk, "answer-2": second.pk}
    assert document.pages.get(key="answer-1").revision_id == first.latest_revision_id
    assert [page["key"] for page in document.metadata["pages"]] == ["answer-1", "answer-2"]


def test_an_article_has_no_author_unless_named_and_its_sponsored_block_is_disclosed(site_tree, documents):
    body = [
        paragraph("Muscle spasms often come with a herniated disc."),
        {"type": "sponsored", "value": {"sponsor": "Barricaid", "content": "<p>Barricaid closes the hole.</p>"}},
    ]
    data = documents(
        b"article",
        article_document(
            title="Muscle spasms", body=body, title_proposed=True, is_sponsored=True, sponsor="Barricaid"
        ),
    )
    report = import_file("004.txt", data)
    assert report.status == "new", report.message
    page = assert_in_clinical_review(report.pages[0])
    assert isinstance(page, ArticlePage)
    assert page.get_parent().pk == site_tree.articles.pk
    assert page.author is None, "no author named: the editorial team"
    assert page.is_sponsored
    assert "Barricaid" in page.sponsor_disclosure
    assert page.body[1].block_type == "sponsored"
    assert page.latest_revision.user is None
    assert page.import_record["importer"].startswith("the system")
    notes = page.import_record["notes"]
    assert any("proposed" in note for note in notes)
    assert any("Barricaid" in note for note in notes)


def test_experts_are_matched_by_name_whatever_the_case_and_spacing(site_tree, documents):
    wang = ExpertPageFactory(title="Wang Fei")
    report = import_file("a.txt", two_answers(documents, wang="  wang   FEI "))
    assert fresh(report.pages[0]).author == wang
    assert ExpertPage.objects.filter(title__iexact="wang fei").count() == 1


def test_a_draft_profile_made_by_one_import_is_matched_by_the_next(site_tree, documents):
    import_file("a.txt", two_answers(documents))
    report = import_file(
        "b.txt", documents(b"other", qa_document(answer("answer-1", "Another question?", "Na Hong Wei")))
    )
    assert report.new_experts == []
    assert report.status == "new"
    assert ExpertPage.objects.filter(title="Na Hong Wei").count() == 1


def test_slugs_are_unique(site_tree, documents):
    first = import_file("a.txt", documents(b"a", article_document())).pages[0]
    second = import_file("b.txt", documents(b"b", article_document())).pages[0]
    assert (first.slug, second.slug) == ("leg-weakness-and-a-herniated-disc", "leg-weakness-and-a-herniated-disc-2")


# ------------------------------------------------------------------ never live


def test_nothing_imported_can_be_published_outside_the_workflow(site_tree, documents):
    report = import_file("a.txt", two_answers(documents))
    for page in report.pages:
        page = fresh(page)
        with pytest.raises(PublishPermissionError):
            page.get_latest_revision().publish(user=None, skip_permission_checks=True)
        assert fresh(page).live is False
    for expert in ExpertPage.objects.filter(title="Na Hong Wei"):
        assert expert.live is False


def test_the_clinician_reviews_the_imported_revision_and_approval_publishes_it(roles, documents):
    report = import_file("a.txt", two_answers(documents), user=roles["editor"])
    page = assert_in_clinical_review(report.pages[0])
    imported = page.latest_revision
    page = act(page, roles["clinician"], "approve", comment="Accurate.")
    assert page.current_workflow_task_state.revision_id == imported.pk
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert page.live_revision_id == imported.pk
    assert page.import_record["file"] == "a.txt"


# ------------------------------------------------------------------ the same file again; a changed file


def test_the_same_bytes_again_write_nothing_and_say_so(site_tree, documents):
    data = two_answers(documents)
    import_file("000.txt", data)
    before = database_state()
    report = import_file("000.txt", data)
    again_other_name = import_file("copy-of-000.txt", data)
    assert database_state() == before
    assert report.status == "unchanged"
    assert re.fullmatch(
        r"000\.txt: unchanged: already imported on \d+ \w+ \d{4} \d\d:\d\d as 2 draft pages; nothing was written\.",
        report.message,
    ), report.message
    assert again_other_name.status == "unchanged"
    assert "(as 000.txt)" in again_other_name.message


def test_a_changed_source_makes_new_revisions_for_review_and_new_pages_for_new_keys(site_tree, documents):
    first = import_file("000.txt", two_answers(documents))
    old_pages = {page.pk: fresh(page) for page in first.pages}
    old_states = {pk: page.current_workflow_state.pk for pk, page in old_pages.items()}
    changed = documents(
        b"version 2",
        qa_document(
            answer("answer-1", "How to relieve stiffness in the lower back?", "Wang Fei", ["answer-2", "answer-3"]),
            answer("answer-2", "Is a herniated lumbar disc serious, and when?", "Na Hong Wei", ["answer-1"]),
            answer("answer-3", "Can I still exercise?", "Lv Yao", ["answer-1"]),
        ),
    )
    report = import_file("000.txt", changed)
    assert report.status == "changed", report.message
    assert "2 new revisions and 1 new draft page in Clinical review" in report.message
    assert "review restarted on 2 pages" in report.message
    pages = [assert_in_clinical_review(page) for page in report.pages]
    assert [page.pk for page in pages[:2]] == list(old_pages), "the same pages, matched by key"
    assert pages[1].title == "Is a herniated lumbar disc serious, and when?"
    assert pages[1].slug == old_pages[pages[1].pk].slug, "a page keeps its address"
    assert pages[2].pk not in old_pages
    assert pages[2].title == "Can I still exercise?"
    for page in pages[:2]:
        assert WorkflowState.objects.get(pk=old_states[page.pk]).status == WorkflowState.STATUS_CANCELLED
        assert page.revisions.count() == 2
        assert page.import_record["checksum"] == hashlib.sha256(b"version 2").hexdigest()
        assert any("Re-imported" in note for note in page.import_record["notes"])
    assert [voice.page_id for voice in pages[0].pinned_voices.all()] == [pages[1].pk, pages[2].pk]
    # History: a row per version, each linked to its pages.
    assert list(ImportedDocument.objects.order_by("pk").values_list("name", "checksum")) == [
        ("000.txt", hashlib.sha256(b"version 1").hexdigest()),
        ("000.txt", hashlib.sha256(b"version 2").hexdigest()),
    ]
    assert ImportedDocument.objects.order_by("pk").last().pages.count() == 3


def test_a_changed_source_never_touches_the_live_page_and_its_new_revision_is_reviewed(roles, documents):
    report = import_file("000.txt", two_answers(documents), user=roles["editor"])
    page = fresh(report.pages[0])
    page = act(page, roles["clinician"], "approve", comment="")
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    live_revision, live_summary = page.live_revision_id, page.summary

    changed = documents(
        b"version 2",
        qa_document(
            answer(
                "answer-1",
                "How to relieve stiffness in the lower back?",
                "Wang Fei",
                summary="A new short answer from the changed source.",
            ),
            answer("answer-2", "Is a herniated lumbar disc serious?", "Na Hong Wei"),
        ),
    )
    report = import_file("000.txt", changed, user=roles["editor"])
    assert report.status == "changed", report.message
    page = fresh(page)
    assert page.live
    assert page.live_revision_id == live_revision, "the live page is untouched"
    assert page.summary == live_summary, "readers still see the approved content"
    assert page.get_latest_revision_as_object().summary == "A new short answer from the changed source."
    state = page.current_workflow_task_state
    assert isinstance(state.task.specific, ClinicalReviewTask)
    assert state.revision_id == page.latest_revision_id != live_revision
    # The clinician's approval is of the new revision, and only then can it go live.
    page = act(page, roles["clinician"], "approve", comment="")
    assert page.current_workflow_task_state.revision_id == page.latest_revision_id
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.summary == "A new short answer from the changed source."


def test_a_changed_source_restarts_a_review_in_progress_on_the_new_revision(roles, documents):
    report = import_file("000.txt", two_answers(documents), user=roles["editor"])
    page = act(fresh(report.pages[0]), roles["clinician"], "approve", comment="")
    assert isinstance(page.current_workflow_task, EditorialSignOffTask), "approved, waiting for sign-off"
    old_state = page.current_workflow_state

    report = import_file("000.txt", two_answers(documents, data=b"version 2", wang="Wang Fei"), user=roles["editor"])
    assert report.status == "changed"
    page = assert_in_clinical_review(page)
    old_state.refresh_from_db()
    assert old_state.status == WorkflowState.STATUS_CANCELLED
    assert page.current_workflow_state.pk != old_state.pk
    task_state = page.current_workflow_task_state
    assert task_state.revision_id == page.latest_revision_id
    assert fingerprint(task_state.revision) == fingerprint(page.get_latest_revision())
    assert PageLogEntry.objects.filter(page=page, action="wagtail.workflow.cancel", user=roles["editor"]).exists()


def test_a_changed_source_after_changes_were_requested_restarts_the_review(roles, documents):
    report = import_file("000.txt", two_answers(documents), user=roles["editor"])
    page = act(fresh(report.pages[0]), roles["clinician"], "reject", comment="Check the dates.")
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    import_file("000.txt", two_answers(documents, data=b"version 2"), user=roles["editor"])
    assert_in_clinical_review(page)


def test_pages_edited_since_the_import_are_said_so(roles, documents):
    report = import_file("000.txt", two_answers(documents), user=roles["editor"])
    page = fresh(report.pages[0]).get_latest_revision_as_object()
    page.summary = "An editor's better short answer."
    page.save_revision(user=roles["editor"])
    report = import_file("000.txt", two_answers(documents, data=b"version 2"), user=roles["editor"])
    assert "1 page edited since the earlier import" in report.message
    assert any("edited since" in note for note in fresh(page).import_record["notes"])


# ------------------------------------------------------------------ dry run


def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(site_tree, documents):
    data = two_answers(documents)
    before = database_state()
    experts = ExpertPage.objects.count()
    report = import_file("000.txt", data, dry_run=True)
    assert database_state() == before
    assert ExpertPage.objects.count() == experts
    assert report.status == "new"
    assert report.dry_run
    assert report.pages == []
    assert report.message == (
        "000.txt: doctor Q&A, would make 2 draft pages for Clinical review "
        "(2 new draft expert profiles to make) [dry run: nothing written]"
    )
    assert [(planned.key, planned.action, planned.slug) for planned in report.planned] == [
        ("answer-1", "new", "how-to-relieve-stiffness-in-the-lower-back"),
        ("answer-2", "new", "is-a-herniated-lumbar-disc-serious"),
    ]
    assert [page.key for page in report.document.pages] == ["answer-1", "answer-2"]

    import_file("000.txt", data)
    before = database_state()
    assert import_file("000.txt", data, dry_run=True).status == "unchanged"
    changed = import_file("000.txt", two_answers(documents, data=b"version 2"), dry_run=True)
    assert database_state() == before
    assert changed.status == "changed", changed.message
    assert "would make 2 new revisions for Clinical review" in changed.message
    assert "review would be restarted on 2 pages" in changed.message
    new_author = import_file("000.txt", two_answers(documents, data=b"version 3", wang="Zhang New"), dry_run=True)
    assert new_author.status == "changed", new_author.message
    assert new_author.new_experts == ["Dr Zhang New"]
    assert database_state() == before


def test_a_page_locked_by_someone_else_is_not_revised(roles, documents):
    report = import_file("000.txt", two_answers(documents), user=roles["editor"])
    page = fresh(report.pages[0])
    page.locked, page.locked_by = True, roles["moderator"]
    page.save(update_fields=["locked", "locked_by"])
    before = database_state()
    report = import_file("000.txt", two_answers(documents, data=b"version 2"), user=roles["editor"])
    assert report.status == "refused"
    assert "is locked by moderator" in report.message
    assert database_state() == before


def test_a_dry_run_refuses_what_the_import_would_refuse(site_tree, documents):
    bad = answer("answer-1", "T" * 300, "Wang Fei")
    data = documents(b"bad", qa_document(bad))
    dry = import_file("bad.txt", data, dry_run=True)
    real = import_file("bad.txt", data)
    assert dry.status == real.status == "refused"
    assert "title" in dry.message
    assert "title" in real.message


# ------------------------------------------------------------------ refusals


def test_a_refused_file_writes_nothing_and_the_batch_goes_on(site_tree, documents):
    no_summary = answer("answer-2", "A question with no short answer?", "Lv Yao")
    no_summary.summary = ""
    bad = documents(b"bad", qa_document(answer("answer-1", "A fine question?", "Chen Jian"), no_summary))
    good = documents(b"good", article_document())
    before = database_state()
    experts = ExpertPage.objects.count()
    reports = import_files([("bad.txt", bad), ("unknown.txt", b"???"), ("good.txt", good)])
    assert [report.status for report in reports] == ["refused", "refused", "new"]
    assert reports[0].message.startswith(
        "bad.txt: refused: its page 'A question with no short answer?' would not be accepted: summary:"
    )
    assert reports[1].message == "unknown.txt: refused: unknown.txt is not a document this test knows."
    assert database_state()["pages"] == before["pages"] + 1, "only the good file's page"
    assert ExpertPage.objects.count() == experts, "the bad file's draft profiles were rolled back too"
    assert ImportedDocument.objects.get().name == "good.txt"


def test_an_answer_without_an_expert_is_refused(site_tree, documents):
    report = import_file("a.txt", documents(b"a", qa_document(answer("answer-1", "Who answers?", ""))))
    assert report.status == "refused"
    assert "names no answering expert" in report.message


def test_without_the_clinical_review_workflow_nothing_is_imported(site_tree, documents):
    workflow = clinical_review_workflow()
    workflow.active = False
    workflow.save()
    data = documents(b"a", article_document())
    assert import_file("a.txt", data, dry_run=True).status == "refused"
    report = import_file("a.txt", data)
    assert report.status == "refused"
    assert "Clinical review workflow" in report.message
    assert not ArticlePage.objects.exists()


# ------------------------------------------------------------------ the provenance, as the reviewer sees it


def test_the_reviewer_sees_the_provenance_in_the_editor(roles, documents):
    report = import_file("000_x.txt", two_answers(documents), user=roles["editor"])
    page = fresh(report.pages[0])
    client = Client()
    client.force_login(roles["clinician"])
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    panel = BeautifulSoup(response.content, "html.parser").select_one("[data-import-record]")
    assert panel is not None, "the import record panel is shown"
    text = " ".join(panel.get_text(" ").split())
    assert "000_x.txt" in text
    assert page.import_record["checksum"] in text
    assert "doctor Q&A" in text
    assert "1min 32sec" in text
    assert "00:00" in text
    assert "audio player furniture" in text
    assert "Imported by" in text


def test_pages_not_imported_show_no_import_record(site_tree, roles):
    client = Client()
    client.force_login(roles["editor"])
    response = client.get(f"/admin/pages/add/articles/articlepage/{site_tree.articles.pk}/")
    assert response.status_code == 200
    assert b"data-import-record" not in response.content


# ------------------------------------------------------------------ the five raw sources, through the real parser

SOURCE_FILES = sorted(path.name for path in SOURCES.glob("*.txt"))
SOURCE_EXPERTS = ["Wang Fei", "Na Hong Wei", "Wang Cheng Lin", "Qiu Xiang Zhong", "Su Zhen Bo", "Lv Yao", "Chen Jian"]


def import_sources(user=None, dry_run=False):
    return import_files([(name, (SOURCES / name).read_bytes()) for name in SOURCE_FILES], user=user, dry_run=dry_run)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def draft_text(page):
    """Every word of a draft as an editor would publish it: title, summary and every block of the body,
    sponsored sections included."""
    body = " ".join(
        BeautifulSoup(text, "html.parser").get_text(" ") for text in strings_in(page.body.get_prep_value())
    )
    return normalise(" ".join([page.title, page.summary, body]))


def assert_imported_sources(reports, user):
    assert [report.status for report in reports] == ["new"] * 5, [report.message for report in reports]
    by_file = {report.name: [fresh(page) for page in report.pages] for report in reports}
    pages = [page for file_pages in by_file.values() for page in file_pages]
    for page in pages:
        assert_in_clinical_review(page)
        record = page.import_record
        assert record["file"] in SOURCE_FILES
        assert record["checksum"] == hashlib.sha256((SOURCES / record["file"]).read_bytes()).hexdigest()
        assert record["format"] == "text"
        assert record["importer"] == pipeline.person(user)
        assert page.latest_revision.user == user
    answers = by_file["000_fd13b853fb6b8d97.txt"]
    assert [type(page) for page in answers] == [QuestionPage] * 6
    assert [page.author.title for page in answers] == SOURCE_EXPERTS[:6]
    assert answers[0].source_updated_on.isoformat() == "2025-01-23"
    assert all(page.audio_duration for page in answers[1:])
    assert {voice.page_id for voice in answers[0].pinned_voices.all()} == {page.pk for page in answers[1:]}
    portal = by_file["003_959be2965843c846.txt"]
    assert [type(page) for page in portal] == [QuestionPage]
    assert portal[0].author.title == "Chen Jian"
    assert portal[0].source_name == "Cainiu Health"
    assert portal[0].source_updated_on.isoformat() == "2024-11-14"
    for name in ("001_cb27be235f53f874.txt", "002_eff75851b7f1e136.txt", "004_ff4c738bda444312.txt"):
        assert [type(page) for page in by_file[name]] == [ArticlePage]
        assert by_file[name][0].author is None
    for name in ("001_cb27be235f53f874.txt", "004_ff4c738bda444312.txt"):
        assert any("title" in note.lower() for note in by_file[name][0].import_record["notes"]), name
    sponsored = by_file["004_ff4c738bda444312.txt"][0]
    assert sponsored.is_sponsored
    assert any(block.block_type == "sponsored" for block in sponsored.body)
    assert any(block.block_type == "callout" for block in by_file["002_eff75851b7f1e136.txt"][0].body)
    # Faithful: every content sentence is in the drafts of its source, no furniture in any of them.
    for name, file_pages in by_file.items():
        text = " ".join(draft_text(page) for page in file_pages)
        expected = [sentence for line in content_lines((SOURCES / name).read_text()) for sentence in sentences(line)]
        missing = [sentence for sentence in expected if sentence not in text]
        assert missing == [], f"{len(missing)} sentence(s) of {name} are not in its drafts: {missing[:3]}"
        for furniture in FURNITURE_STRINGS:
            assert furniture not in text, f"{furniture!r} in the drafts of {name}"
    for name, furniture in (
        ("000_fd13b853fb6b8d97.txt", "doctor image"),
        ("002_eff75851b7f1e136.txt", "Recommend"),
        ("003_959be2965843c846.txt", "Related Articles"),
    ):
        dropped = by_file[name][0].import_record["dropped"]
        assert any(furniture in item["text"] and item["reason"] for item in dropped), f"{furniture} not listed"
    return by_file


def test_the_five_raw_sources_become_faithful_drafts_in_review_on_a_bare_site(site_tree, django_user_model):
    editor = django_user_model.objects.create_user("importer")
    reports = import_sources(user=editor)
    assert_imported_sources(reports, editor)
    profiles = ExpertPage.objects.filter(title__in=SOURCE_EXPERTS)
    assert sorted(profiles.values_list("title", flat=True)) == sorted(SOURCE_EXPERTS)
    assert not profiles.filter(live=True).exists(), "the experts' profiles are drafts for a moderator"
    # Honorific and department as the source gives them: 003 says "Dr. Chen Jian"; 000 names its department.
    assert profiles.get(title="Chen Jian").honorific == "Dr"
    assert set(profiles.exclude(title="Chen Jian").values_list("department", flat=True)) == {"Orthopedics"}
    assert all(not page.live for page in Page.objects.type(QuestionPage, ArticlePage).specific())
    # Again: nothing changes.
    before = database_state()
    assert [report.status for report in import_sources(user=editor)] == ["unchanged"] * 5
    assert database_state() == before


@pytest.mark.usefixtures("seeded")
def test_the_five_raw_sources_on_the_seeded_site_use_the_seeded_profiles(django_user_model):
    editor = django_user_model.objects.create_user("importer")
    seeded_experts = {expert.title: expert.pk for expert in ExpertPage.objects.live()}
    profiles = ExpertPage.objects.count()
    live_pages = set(Page.objects.live().values_list("pk", "latest_revision_id"))
    dry = import_sources(user=editor, dry_run=True)
    assert [report.new_experts for report in dry] == [[]] * 5
    reports = import_sources(user=editor)
    by_file = assert_imported_sources(reports, editor)
    assert by_file["000_fd13b853fb6b8d97.txt"][0].author_id == seeded_experts["Wang Fei"]
    assert by_file["003_959be2965843c846.txt"][0].author_id == seeded_experts["Chen Jian"]
    assert ExpertPage.objects.count() == profiles, "every expert matched to their seeded profile"
    assert set(Page.objects.filter(pk__in=[pk for pk, _ in live_pages]).values_list("pk", "latest_revision_id")) == (
        live_pages
    ), "the seeded live pages are untouched"


def test_bad_files_are_refused_with_a_clear_line_and_the_batch_goes_on(site_tree):
    source = SOURCES / "003_959be2965843c846.txt"
    before = database_state()
    reports = import_files(
        [
            ("empty.txt", b""),
            ("folder/003.txt", source.read_bytes()),
            ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ("letter.docx", b"not a zip archive"),
        ],
        dry_run=True,
    )
    assert [report.status for report in reports] == ["refused", "new", "refused", "refused"]
    assert reports[0].message == "empty.txt: refused: empty.txt is empty: there is nothing to import."
    assert reports[1].name == "003.txt"
    assert reports[3].message.startswith("letter.docx: refused: letter.docx is not a Word document")
    assert database_state() == before


def test_scripts_in_an_html_page_are_never_stored(site_tree):
    page = (
        b"<html><head><title>Sciatica and a herniated disc</title><script>alert('stolen')</script></head>"
        b"<body><article><h1>Sciatica and a herniated disc</h1>"
        b"<p>Sciatica is pain that runs from the lower back down one leg.</p>"
        b"<p>Most sciatica from a herniated disc gets better within six weeks.</p>"
        b"<script>document.cookie</script></article></body></html>"
    )
    report = import_file("sciatica.html", page)
    assert report.status == "new", report.message
    draft = fresh(report.pages[0])
    assert draft.import_record["format"] == "html"
    stored = " ".join(
        [
            *(str(content) for content in Revision.objects.values_list("content", flat=True)),
            *(str(row) for row in ImportedDocument.objects.values_list("metadata", "dropped", "notes")),
        ]
    )
    assert "alert(" not in stored
    assert "document.cookie" not in stored
    assert "Sciatica is pain that runs from the lower back down one leg." in draft_text(draft)


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030"])
def test_the_same_text_in_another_encoding_is_the_same_document(site_tree, encoding):
    text = (SOURCES / "003_959be2965843c846.txt").read_text("utf-8")
    first = import_file("003.txt", text.encode("utf-8"))
    assert first.status == "new", first.message
    before = database_state()
    again = import_file(f"003-{encoding}.txt", text.replace("\n", "\r\n").encode(encoding))
    assert database_state() == before
    assert again.status == "unchanged"
    assert f"003-{encoding}.txt: unchanged: its text was already imported on " in again.message
    assert "(as 003.txt)" in again.message


def test_a_web_page_with_a_table_is_saved_with_its_table(site_tree):
    report = import_file("young.html", TABLE_PAGE.encode())
    assert report.status == "new", report.message
    draft = fresh(report.pages[0]).get_latest_revision_as_object()
    (table,) = [block.value for block in draft.body if block.block_type == "table"]
    assert [[str(cell) for cell in row] for row in table["table"].rows] == [
        ["Physiotherapy", "6 to 8 weeks"],
        ["Pain relief", "\u2013"],
    ]
    assert_in_clinical_review(fresh(report.pages[0]))
