"""Clinical review and the live page: the review record a publish stamps, live content put into
review by the system (source material's first review, and again when the safety-net texts change),
what readers are told while it waits, and the schedule of reviews falling due.

The review record a reader sees ("Medically reviewed by ...") is a property of the live page: it
is written when a revision that a clinician approved goes live (articles.workflow), never typed
by an editor, and never carried back in from an older revision.
"""

import datetime

from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_cancelled, workflow_rejected

from discsite.core.invalidation import page_changed_for_readers
from discsite.core.system import system_user

from .integrity import fingerprint
from .models import HEALTH_PAGE_MODELS
from .workflow import (
    DUE_SOON_DAYS,
    ClinicalReviewTaskState,
    clinical_approval_for,
    clinical_review_workflow,
    reviewer_credit,
)

# Why the system put live content into review, as the clinician reads it in the workflow history.
FIRST_REVIEW_OF_SOURCE_MATERIAL = (
    "First clinical review of imported source material: the seed published this page as its source gave "
    "it, and no clinician has checked it yet. Readers of an answer or an article are told it awaits clinical "
    "review."
)
SAFETY_NET_CHANGED = (
    "Sent for review by the system: the urgent-care card or the disclaimer changed; check that this page "
    "still reads right beside them."
)


def put_live_content_up_for_review(page):
    """Make the live content the page's latest revision, so a review started now reviews what
    readers see. Returns the unfinished draft it set aside (kept in the page's history), or None."""
    latest = page.get_latest_revision()
    if latest is not None and latest.pk == page.live_revision_id:
        return None
    live = page.live_revision.as_object() if page.live_revision_id else page
    live.save_revision(user=system_user(), log_action=True, changed=False, clean=False)
    page.refresh_from_db()
    return latest


def start_review_of_live_content(page, note):
    """Put what readers see of `page` into its Clinical review workflow, submitted by the system.

    Wagtail's documented `page.get_workflow().start(page, user)`, by the site's own account: no
    person asked for this review, so no person is named as its submitter (nor made an author of the
    content); clinicians read "System". `note` says why, where the clinician reads the review (its
    comment in the workflow history).
    Returns the workflow state, or None if no review was started: the page is in a workflow
    already, or there is no active Clinical review workflow.
    """
    workflow = page.get_workflow()
    if workflow is None or page.workflow_in_progress:
        return None
    put_live_content_up_for_review(page)
    state = workflow.start(page, user=system_user())
    ClinicalReviewTaskState.objects.filter(pk=state.current_task_state_id).update(submission_note=note)
    return state


def start_first_review_of_source_material(page, just_published):
    """The first clinical review of source material the seed published as its source gave it: its
    live content goes into review, so that a clinician finds it waiting and readers are told so.

    Any page type readers see (they are all clinically reviewed). A page whose live content a clinician
    has approved is left alone, as is one in review already. So is one that has been in a workflow
    since the seed last published it: someone ended that review, which is not the seed's to undo.
    `just_published`: the seed published the page in this run (new or changed source material), which
    cancelled any review of the content it replaced. Returns whether it started one.
    """
    if not page.live or not page.clinically_reviewed or clinical_approval_for(page, page.live_revision):
        return False
    if not just_published and page.workflow_states.exists():
        return False
    return start_review_of_live_content(page, FIRST_REVIEW_OF_SOURCE_MATERIAL) is not None


def review_pages_after_safety_net_change(sender, instance, revision=None, **kwargs):
    """When new safety-net texts (urgent-care card, disclaimer) go live, every live health page that
    shows them re-enters clinical review, submitted by the system, so that a clinician checks each
    still reads right beside the new texts. Connected to Wagtail's `published` signal."""
    if clinical_review_workflow() is None:
        return
    for page in Page.objects.live().type(*HEALTH_PAGE_MODELS).specific().order_by("pk"):
        if start_review_of_live_content(page, SAFETY_NET_CHANGED) is None:
            continue
        log(
            instance=page,
            action="discsite.safety_net_changed",
            user=system_user(),
            revision=page.get_latest_revision(),
            data={"safety_net_revision": revision.pk if revision is not None else None},
        )


def shows_live_content(page, revision):
    """Whether `revision` shows readers exactly what is live on `page` (the same revision, or the same
    content: a revision that only added a reviewer's comments, say)."""
    if revision is None or not page.live or page.live_revision_id is None:
        return False
    return revision.pk == page.live_revision_id or fingerprint(revision) == fingerprint(page.live_revision)


@receiver(task_submitted, dispatch_uid="discsite_review_state_task_submitted")
@receiver(workflow_approved, dispatch_uid="discsite_review_state_workflow_approved")
@receiver(workflow_rejected, dispatch_uid="discsite_review_state_workflow_rejected")
@receiver(workflow_cancelled, dispatch_uid="discsite_review_state_workflow_cancelled")
def keep_readers_told_whether_live_content_is_in_review(sender, instance, **kwargs):
    """Keep `live_content_in_review` (readers see "Awaiting clinical review") true exactly while what
    readers see waits at a step of the Clinical review workflow: a task starts on it (the workflow
    starts, moves on or is resumed), or the workflow ends or is sent back for changes.

    A draft under review changes nothing readers see, so neither does its review. When the flag
    changes, every cached copy of the page and of the listings showing it is retired. Connected
    when ArticlesConfig.ready() imports this module (Django's `receiver`).
    """
    workflow_state = getattr(instance, "workflow_state", instance)  # a TaskState, or a WorkflowState
    obj = workflow_state.content_object
    model = getattr(obj, "specific_class", None)  # snippets have no page type and no such flag
    if model is None or not issubclass(model, HEALTH_PAGE_MODELS):
        return
    page = model.objects.get(pk=obj.pk)
    # A task that has just started is not yet the workflow state's current one in the database.
    task_state = instance if instance is not workflow_state else workflow_state.current_task_state
    in_review = workflow_state.status == WorkflowState.STATUS_IN_PROGRESS and shows_live_content(
        page, task_state.revision if task_state is not None else None
    )
    if page.live_content_in_review != in_review:
        model.objects.filter(pk=page.pk).update(live_content_in_review=in_review)
        page.live_content_in_review = in_review
        page_changed_for_readers(page)


def stamp_review_record(sender, instance, revision, **kwargs):
    """On publish: the review record readers see is the approval of the content going live.

    Connected to Wagtail's page_published signal for each health page type. With no approval
    (source material the system published unreviewed) the record is cleared, so readers see the
    page is not yet reviewed.
    Logged in the page's history (Wagtail's audit log) with who reviewed it and the dates.
    """
    approval = clinical_approval_for(instance, revision)
    if approval is None or approval.reviewer_id is None:
        record = dict.fromkeys(("last_reviewed_on", "reviewed_by", "next_review_due"))
        record["reviewer_credit"] = ""
    else:
        record = {
            "last_reviewed_on": timezone.localdate(approval.finished_at),
            "reviewed_by": approval.reviewer,
            "reviewer_credit": approval.reviewer_credit or reviewer_credit(approval.reviewer),
            "next_review_due": approval.next_review_due,
        }
    type(instance).objects.filter(pk=instance.pk).update(**record)
    for name, value in record.items():
        setattr(instance, name, value)
    if approval is None or approval.reviewer_id is None:
        return
    log(
        instance=instance,
        action="discsite.review_record",
        user=approval.finished_by,
        revision=revision,
        data={
            "reviewer": record["reviewer_credit"],
            "last_reviewed_on": record["last_reviewed_on"].isoformat(),
            "next_review_due": record["next_review_due"].isoformat() if record["next_review_due"] else None,
            "comment": approval.comment,
        },
    )


# ---------------------------------------------------------------------------- review due


class ReviewStatus(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    NEVER_REVIEWED = "never_reviewed", "Never reviewed"
    DUE_SOON = "due_soon", f"Due in the next {DUE_SOON_DAYS} days"
    CURRENT = "current", "Reviewed"


def review_schedule(today=None):
    """Every live health page, annotated with its review record, status and urgency (lower is more urgent).

    One query over the page table: the review fields live on each health page
    type's own table and are coalesced, so answers and articles sort together.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        Page.objects.live()
        .type(*HEALTH_PAGE_MODELS)
        .annotate(
            review_last_reviewed_on=Coalesce("questionpage__last_reviewed_on", "articlepage__last_reviewed_on"),
            review_next_due=Coalesce("questionpage__next_review_due", "articlepage__next_review_due"),
            review_reviewer_id=Coalesce("questionpage__reviewed_by_id", "articlepage__reviewed_by_id"),
        )
        .annotate(
            review_status=Case(
                When(review_last_reviewed_on__isnull=True, then=Value(ReviewStatus.NEVER_REVIEWED)),
                When(review_next_due__lt=today, then=Value(ReviewStatus.OVERDUE)),
                When(review_next_due__lte=soon, then=Value(ReviewStatus.DUE_SOON)),
                When(review_next_due__isnull=True, then=Value(ReviewStatus.OVERDUE)),
                default=Value(ReviewStatus.CURRENT),
            ),
        )
        .annotate(
            review_urgency=Case(
                When(review_status=ReviewStatus.OVERDUE, then=Value(0)),
                When(review_status=ReviewStatus.NEVER_REVIEWED, then=Value(1)),
                When(review_status=ReviewStatus.DUE_SOON, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
    )


def pages_due_for_review(today=None):
    """Overdue, never reviewed and due-soon pages, most urgent first."""
    return (
        review_schedule(today)
        .exclude(review_status=ReviewStatus.CURRENT)
        .order_by("review_urgency", F("review_next_due").asc(nulls_last=True), "title", "pk")
    )


def overdue_live_pages(today=None, include_never_reviewed=False):
    statuses = [ReviewStatus.OVERDUE] + ([ReviewStatus.NEVER_REVIEWED] if include_never_reviewed else [])
    return pages_due_for_review(today).filter(review_status__in=statuses)
