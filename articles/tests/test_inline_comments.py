"""Inline comments during review, over HTTP as the editor form posts them: a comment changes nothing
a reader sees, so it does not undo the decisions already taken on the same content (Wagtail, with
re-approval on edit, counts only decisions on the latest revision, and a saved comment is one)."""

import pytest
from wagtail.models import Comment
from wagtail.test.utils.form_data import inline_formset

from articles.tests.test_permissions import at_clinical_step, at_editorial_step, edit_form_data, fresh
from articles.tests.test_review_integrity import signed_in
from articles.workflow import ClinicalReviewTask, EditorialSignOffTask

pytestmark = pytest.mark.django_db


def with_a_comment(page, text, **changes):
    """The edit form as posted after typing `text` as a new comment on the short answer."""
    comment = {"contentpath": "summary", "text": text, "position": "", "resolved": "", "replies": inline_formset([])}
    return edit_form_data(page, comments=inline_formset([comment]), **changes)


def approve_in_the_editor(client, page, task_kind, **extra):
    data = {
        **edit_form_data(page),
        "action-workflow-action": "true",
        "workflow-action-name": "approve",
        "workflow-action-extra-data": '{"comment": ""' + "".join(f', "{k}": "{v}"' for k, v in extra.items()) + "}",
    }
    assert isinstance(fresh(page).current_workflow_task.specific, task_kind)
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_a_clinician_who_comments_then_approves_passes_the_page_to_sign_off(roles):
    page = at_clinical_step(roles)
    clinician = signed_in(roles["clinician"])
    revisions = page.revisions.count()

    clinician.post(f"/admin/pages/{page.pk}/edit/", with_a_comment(page, "Say how long a first walk should be."))
    assert Comment.objects.filter(page=page, user=roles["clinician"]).exists()
    assert fresh(page).revisions.count() == revisions + 1, "saving the comment made a revision"

    approve_in_the_editor(clinician, fresh(page), ClinicalReviewTask, next_review_due="")

    page = fresh(page)
    assert isinstance(page.current_workflow_task.specific, EditorialSignOffTask), "sent back to clinical review"


def test_a_moderator_who_comments_at_sign_off_then_approves_publishes_what_the_clinician_approved(roles):
    page = at_editorial_step(roles)
    moderator = signed_in(roles["moderator"])

    moderator.post(f"/admin/pages/{page.pk}/edit/", with_a_comment(page, "Fine by me."))
    approve_in_the_editor(moderator, fresh(page), EditorialSignOffTask)

    page = fresh(page)
    assert page.live
    assert page.current_workflow_state is None
    assert page.last_reviewed_on is not None


def test_a_change_readers_would_see_still_needs_the_clinician_again(roles):
    page = at_editorial_step(roles)
    moderator = signed_in(roles["moderator"])

    moderator.post(
        f"/admin/pages/{page.pk}/edit/", with_a_comment(page, "Tightened it.", summary="A tighter second draft.")
    )
    approve_in_the_editor(moderator, fresh(page), EditorialSignOffTask)

    page = fresh(page)
    assert not page.live
    assert isinstance(page.current_workflow_task.specific, ClinicalReviewTask)
