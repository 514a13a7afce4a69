"""Where a page stands in its clinical review, in one phrase, for every place an editor looks.

Wagtail shows a page's `status_string` in the explorer, the dashboard and the reports; its own
words ("draft", "in moderation") cannot say that a clinician asked for changes, nor whether
live content is due for review again. `review_status` reads the page's current workflow state
and its review record and names the stage; `workflow_confirmation` turns the stage a workflow
action left the page in into the message the person who acted sees.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import WorkflowState

from .workflow import ClinicalReviewTask

DRAFT = "Draft"
IN_CLINICAL_REVIEW = "In clinical review"
CHANGES_REQUESTED = "Changes requested"
AWAITING_SIGN_OFF = "Awaiting sign-off"
PUBLISHED = "Published"
PUBLISHED_UNREVIEWED = "Published · not yet reviewed"
REVIEW_OVERDUE = "Review overdue"


def at_clinical_step(workflow_state):
    """Whether the workflow waits on its clinical review task (compared by type, without loading the task)."""
    task_state = workflow_state.current_task_state
    return task_state is not None and task_state.task.content_type_id == (
        ContentType.objects.get_for_model(ClinicalReviewTask).pk
    )


def review_status(page, today=None):
    """The page's stage, as editors read it: a workflow in progress first, then the live review record.

    Works on any page; only health pages carry a review record (`last_reviewed_on`,
    `next_review_due`), so other live pages are simply "Published".
    """
    state = page.current_workflow_state
    if state is not None:
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            return CHANGES_REQUESTED
        return IN_CLINICAL_REVIEW if at_clinical_step(state) else AWAITING_SIGN_OFF
    if not page.live:
        return DRAFT
    if not hasattr(page, "last_reviewed_on"):
        return PUBLISHED
    if page.last_reviewed_on is None:
        return PUBLISHED_UNREVIEWED
    today = today or timezone.localdate()
    if page.next_review_due is None or page.next_review_due < today:
        return REVIEW_OVERDUE
    return f"{PUBLISHED} · reviewed on {date_format(page.last_reviewed_on, 'j M Y')}"


NEXT_STEP = {
    IN_CLINICAL_REVIEW: "The page now waits for a clinical reviewer; the reviewers have been told.",
    AWAITING_SIGN_OFF: "The page now waits for a moderator's sign-off.",
}


def workflow_confirmation(page, action):
    """What the person who just took a workflow action is told: what happened, and what comes next.

    `action` is "submit", "resubmit", "approve" or "reject"; `page` is the page as the action left it.
    """
    status = review_status(page)
    if action == "reject":
        return "Changes requested; the author has been told."
    if action in ("submit", "resubmit"):
        done = "Submitted for review." if action == "submit" else "Resubmitted."
        return f"{done} {NEXT_STEP.get(status, '')}".strip()
    if status in NEXT_STEP:
        return f"Approved. {NEXT_STEP[status]}"
    if page.live:
        day = getattr(page, "last_reviewed_on", None)
        reviewed = f", reviewed on {date_format(day, 'j M Y')}" if day else ""
        return f"Approved and published: readers see it now{reviewed}."
    return "Approved."
