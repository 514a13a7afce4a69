"""Who may do what to health content, tried over HTTP against the real admin views.

Each cell of the matrix is one test: the role tries the action on a page in
the state the action needs, and the test checks both the response and the
effect (a refused action must change nothing).
"""

import pytest
from django.utils import timezone
from wagtail.models import Page, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from articles.models import QuestionPage
from articles.tests.test_clinical_review import act, draft_question, submit
from articles.workflow import add_months

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "clinician", "moderator", "admin"]

# action -> the roles allowed to do it; everyone else is refused.
MATRIX = {
    "view live": {"anonymous", "editor", "clinician", "moderator", "admin"},
    "view draft": {"editor", "clinician", "moderator", "admin"},
    "preview": {"editor", "clinician", "moderator", "admin"},
    "compare revisions": {"editor", "clinician", "moderator", "admin"},
    "edit": {"editor", "moderator", "admin"},
    "submit": {"editor", "moderator", "admin"},
    "approve clinical step": {"clinician"},
    "approve editorial step": {"moderator", "admin"},
    "publish": {"moderator", "admin"},
    "publish unreviewed": set(),
    "unpublish": {"moderator", "admin"},
    "delete": {"moderator", "admin"},
}


def edit_form_data(page, **changes):
    """What the editor posts for a question page (the fields of its edit handler), unchanged unless told."""
    page = page.get_latest_revision_as_object()
    paragraphs = [
        ("paragraph", rich_text(block.value.source, features=["bold", "italic", "link"])) for block in page.body
    ]
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": streamfield(paragraphs),
        "tags": "",
        "author": str(page.author_id),
        "source_name": "",
        "source_url": "",
        "source_updated_on": "",
        "sponsor_disclosure": "",
        "audio": "",
        "audio_duration": "",
        "pinned_voices": inline_formset([]),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(changes)
    return nested_form_data(data)


def fresh(page):
    return QuestionPage.objects.filter(pk=page.pk).first()


def live_reviewed_page(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    return page


def at_clinical_step(roles):
    page = draft_question(roles["editor"])
    page.summary = "A second draft."
    page.save_revision(user=roles["editor"])
    return submit(page, roles["editor"])


def at_editorial_step(roles):
    return act(at_clinical_step(roles), roles["clinician"], "approve", comment="", next_review_due=None)


def workflow_action_url(page, action):
    return f"/admin/pages/workflow/action/{page.pk}/{action}/{page.current_workflow_task_state.pk}/"


def try_action(action, client, roles):
    """Attempt `action`; return True if it took effect (and check that a refusal changed nothing)."""
    if action == "view live":
        page = live_reviewed_page(roles)
        response = client.get(page.url)
        return response.status_code == 200 and page.title.encode() in response.content
    if action in ("view draft", "preview", "compare revisions"):
        page = at_clinical_step(roles)
        revisions = list(page.revisions.order_by("created_at").values_list("pk", flat=True))
        url = {
            "view draft": f"/admin/pages/{page.pk}/view_draft/",
            "preview": f"/admin/pages/{page.pk}/revisions/{revisions[-1]}/view/",
            "compare revisions": f"/admin/pages/{page.pk}/revisions/compare/{revisions[0]}...{revisions[-1]}/",
        }[action]
        response = client.get(url)
        return response.status_code == 200 and (b"second draft" in response.content or action == "view draft")
    if action in ("edit", "submit"):
        page = draft_question(roles["editor"])
        revisions = page.revisions.count()
        extra = {"action-submit": "Submit"} if action == "submit" else {}
        client.post(f"/admin/pages/{page.pk}/edit/", {**edit_form_data(page, summary="Edited."), **extra})
        page = fresh(page)
        if action == "edit":
            changed = page.revisions.count() == revisions + 1
            assert changed == (page.get_latest_revision_as_object().summary == "Edited.")
            return changed
        return page.workflow_in_progress
    if action == "approve clinical step":
        page = at_clinical_step(roles)
        state = page.current_workflow_task_state
        due = add_months(timezone.localdate(), 12).isoformat()
        client.post(workflow_action_url(page, "approve"), {"comment": "Fine.", "next_review_due": due})
        return TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED
    if action == "approve editorial step":
        page = at_editorial_step(roles)
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
        return fresh(page).live
    if action == "publish":
        # Publishing from the editor, at the editorial step, exactly what the clinician approved.
        page = at_editorial_step(roles)
        client.post(f"/admin/pages/{page.pk}/edit/", {**edit_form_data(page), "action-publish": "Publish"})
        return fresh(page).live
    if action == "publish unreviewed":
        page = draft_question(roles["editor"])
        client.post(f"/admin/pages/{page.pk}/edit/", {**edit_form_data(page), "action-publish": "Publish"})
        return fresh(page).live
    if action == "unpublish":
        page = live_reviewed_page(roles)
        client.post(f"/admin/pages/{page.pk}/unpublish/", {})
        return not fresh(page).live
    if action == "delete":
        page = live_reviewed_page(roles)
        client.post(f"/admin/pages/{page.pk}/delete/", {})
        return not Page.objects.filter(pk=page.pk).exists()
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(client, roles, action, role):
    if role != "anonymous":
        client.force_login(roles[role])
    allowed = role in MATRIX[action]
    assert try_action(action, client, roles) == allowed, f"{role} {'should' if allowed else 'should not'} {action}"


def test_a_clinician_may_edit_only_while_the_page_waits_for_their_review(client, roles):
    """Wagtail gives a task's reviewers the editor; an edit then needs another clinician's approval."""
    client.force_login(roles["clinician"])
    page = at_clinical_step(roles)
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form_data(page, summary="Corrected by a clinician."))
    page = fresh(page)
    assert page.get_latest_revision_as_object().summary == "Corrected by a clinician."
    assert "you wrote or changed its content" in page.current_workflow_task.approval_refusal(page, roles["clinician"])


def test_editors_cannot_edit_a_page_while_it_is_in_review(client, roles):
    client.force_login(roles["editor"])
    page = at_clinical_step(roles)
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form_data(page, summary="Sneaked in."))
    assert fresh(page).get_latest_revision_as_object().summary == "A second draft."


def test_publishing_edited_content_at_the_editorial_step_keeps_it_as_a_draft(client, roles):
    client.force_login(roles["moderator"])
    page = at_editorial_step(roles)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        {**edit_form_data(page, summary="Changed after the clinical review."), "action-publish": "Publish"},
        follow=True,
    )
    page = fresh(page)
    assert not page.live
    assert page.get_latest_revision_as_object().summary == "Changed after the clinical review."
    assert b"saved as a draft but not published" in response.content


def test_bulk_publishing_health_content_is_refused(client, roles):
    client.force_login(roles["admin"])
    page = at_editorial_step(roles)
    client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {})
    page = draft_question(roles["editor"])
    client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {})
    assert not fresh(page).live


def test_the_review_due_report_is_open_to_every_role(client, roles):
    for role in ("editor", "clinician", "moderator", "admin"):
        client.force_login(roles[role])
        assert client.get("/admin/reports/clinical-review-due/").status_code == 200
    client.logout()
    assert client.get("/admin/reports/clinical-review-due/").status_code == 302
