"""Clinical review and the live page: the review record a publish stamps, live pages put back
into review when the safety-net texts change, and the schedule of reviews falling due.

The review record a reader sees ("Medically reviewed by ...") is a property of the live page: it
is written when a revision that a clinician approved goes live (articles.workflow), never typed
by an editor, and never carried back in from an older revision.
"""

import datetime

from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page

from .models import HEALTH_PAGE_MODELS
from .workflow import DUE_SOON_DAYS, clinical_approval_for, clinical_review_workflow, reviewer_credit


def put_live_content_up_for_review(page):
    """Make the live content the page's latest revision, so a review started now reviews what
    readers see. Returns the unfinished draft it set aside (kept in the page's history), or None."""
    latest = page.get_latest_revision()
    if latest is not None and latest.pk == page.live_revision_id:
        return None
    live = page.live_revision.as_object() if page.live_revision_id else page
    live.save_revision(user=None, log_action=True, changed=False, clean=False)
    page.refresh_from_db()
    return latest


def review_pages_after_safety_net_change(sender, instance, revision=None, **kwargs):
    """When new safety-net texts (urgent-care card, disclaimer) go live, every live health page that
    shows them re-enters clinical review, submitted by the system, so that a clinician checks each
    still reads right beside the new texts. Connected to Wagtail's `published` signal."""
    workflow = clinical_review_workflow()
    if workflow is None:
        return
    for page in Page.objects.live().type(*HEALTH_PAGE_MODELS).specific().order_by("pk"):
        if page.workflow_in_progress:
            continue
        put_live_content_up_for_review(page)
        workflow.start(page, user=None)
        log(
            instance=page,
            action="discsite.safety_net_changed",
            user=None,
            revision=page.get_latest_revision(),
            data={"safety_net_revision": revision.pk if revision is not None else None},
        )


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
