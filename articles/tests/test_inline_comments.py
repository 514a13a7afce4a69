"""Inline comments during review, over HTTP as the editor form posts them: a comment changes nothing
a reader sees, so it does not undo the decisions already taken on the same content (Wagtail, with
re-approval on edit, counts only decisions on the latest revision, and a saved comment is one)."""

import pytest
from wagtail.models import Comment
from wagtail.test.utils.form_data import inline_formset

from articles.tests.test_clinical_review import act
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


def resolving(comment):
    """The comment as the editor's form posts it once its Resolve button has been pressed."""
    return {
        "id": str(comment.pk),
        "contentpath": comment.contentpath,
        "text": comment.text,
        "position": "",
        "resolved": "1",
        "replies": inline_formset([]),
    }


def test_a_resolved_comment_stays_on_record_through_later_saves_and_publication(roles):
    """A clinician's comment is part of the review's record once resolved: Wagtail's editor form holds only
    unresolved comments, and the next save or the publication must not delete the resolved ones."""
    page = at_clinical_step(roles)
    signed_in(roles["clinician"]).post(
        f"/admin/pages/{page.pk}/edit/", with_a_comment(page, "Say how long a first walk should be.")
    )
    page = act(page, roles["clinician"], "reject", comment="See my comment on the short answer.")
    comment = Comment.objects.get(page=page)

    editor = signed_in(roles["editor"])
    answered = edit_form_data(
        page, summary="Walk 10 to 30 minutes a day.", comments=inline_formset([resolving(comment)], initial=1)
    )
    assert editor.post(f"/admin/pages/{page.pk}/edit/", answered).status_code == 302
    comment.refresh_from_db()
    assert (comment.resolved_by, comment.resolved_at is not None) == (roles["editor"], True)

    resubmitted = {
        **edit_form_data(fresh(page), summary="Walk 10 to 30 minutes a day, then more."),
        "action-submit": "1",
    }
    assert editor.post(f"/admin/pages/{page.pk}/edit/", resubmitted).status_code == 302
    assert Comment.objects.filter(pk=comment.pk, resolved_by=roles["editor"]).exists(), "the next save deleted it"

    page = act(fresh(page), roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert Comment.objects.filter(pk=comment.pk, resolved_by=roles["editor"]).exists(), "the publication deleted it"
