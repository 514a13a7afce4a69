"""Clinical review: the workflow task clinicians act on, and the review record it leaves.

The "Clinical review" workflow has two steps: a ClinicalReviewTask for the
Clinical reviewers group, then Wagtail's own group approval by Moderators,
which publishes. The review record a reader sees ("Medically reviewed by ...")
is a property of the live page: it is written when a revision that a
clinician approved goes live, never typed by an editor, and never carried
back in from an older revision.
"""

import calendar
import datetime
import json
import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.admin.widgets import AdminDateInput
from wagtail.fields import StreamField
from wagtail.log_actions import log
from wagtail.models import AbstractGroupApprovalTask, Page, TaskState

REVIEW_RECORD_FIELDS = ("last_reviewed_on", "reviewed_by", "next_review_due")
DUE_SOON_DAYS = 30
MAX_REVIEW_INTERVAL_YEARS = 5


def add_months(day, months):
    """`day` plus a number of calendar months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review_due(today=None):
    from discsite.models import SiteSettings

    today = today or timezone.localdate()
    return add_months(today, SiteSettings.load().default_review_interval_months)


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. Sent to the author and the person who submitted the page.",
    )
    next_review_due = forms.DateField(
        label="Next review due",
        required=False,
        widget=AdminDateInput,
        help_text="Leave empty for the site's default review interval.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_review_due"].help_text = (
            f"Leave empty for the default: {default_next_review_due():%d %b %Y} "
            "(the review interval in the site settings)."
        )

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        today = timezone.localdate()
        if due is not None and due <= today:
            raise forms.ValidationError("The next review must be after today.")
        if due is not None and due > add_months(today, 12 * MAX_REVIEW_INTERVAL_YEARS):
            raise forms.ValidationError(
                f"Health content must be reviewed at least every {MAX_REVIEW_INTERVAL_YEARS} years."
            )
        return due


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Required. The author sees this in the editor and by email.",
        error_messages={"required": "Say what needs to change, so that the author can put it right."},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError("Say what needs to change, so that the author can put it right.")
        return comment


class ClinicalReviewTaskState(TaskState):
    """A clinical review of one revision, with what the approving clinician decided."""

    reviewer = models.ForeignKey(
        "experts.ExpertPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The approving clinician's expert profile, shown to readers.",
    )
    next_review_due = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "clinical review task state"
        verbose_name_plural = "clinical review task states"


class ClinicalReviewTask(AbstractGroupApprovalTask):
    """The clinical step: only members of the chosen groups act, and only on revisions others wrote.

    Unlike Wagtail's group approval, superusers get no automatic say: a medical
    sign-off is only meaningful from a clinician, credited to their expert profile.
    """

    task_state_class = ClinicalReviewTaskState

    class Meta:
        verbose_name = "clinical review task"
        verbose_name_plural = "clinical review tasks"

    @classmethod
    def get_description(cls):
        return (
            "Clinical reviewers check medical accuracy. Their approval is shown to readers as "
            "'Medically reviewed by' and sets the next review date."
        )

    def is_reviewer(self, user):
        return user.is_active and self._user_in_groups(user)

    def user_can_access_editor(self, obj, user):
        return self.is_reviewer(user)

    def locked_for_user(self, obj, user):
        return not self.is_reviewer(user)

    def user_can_lock(self, obj, user):
        return self.is_reviewer(user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self.is_reviewer(user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    def approval_refusal(self, obj, user, task_state=None):
        """Why `user` may not approve the revision under review, or None if they may."""
        if not self.is_reviewer(user):
            return "Only clinical reviewers can approve the clinical review."
        profile = getattr(user, "expert_profile", None)
        if profile is None or not profile.live:
            return (
                "You cannot approve this clinical review because your account is not linked to a "
                "published expert profile, so readers could not see who reviewed the page. Ask an "
                "administrator to link your login on your expert page (Settings tab)."
            )
        # With re-approval on edit, what gets published is the latest revision; the one the task
        # started on may be older. Neither may be the reviewer's own.
        task_state = task_state or obj.current_workflow_task_state
        revisions = [task_state.revision if task_state else None, obj.get_latest_revision()]
        if any(revision is not None and revision.user_id == user.pk for revision in revisions):
            return (
                "You cannot approve this clinical review because you wrote this revision. "
                "Another clinical reviewer must approve it."
            )
        return None

    def get_actions(self, obj, user):
        if not self.is_reviewer(user):
            return []
        actions = [("reject", "Request changes", True)]
        if self.approval_refusal(obj, user) is None:
            actions.append(("approve", "Approve clinical review", True))
        return actions

    def get_form_for_action(self, action):
        return ApproveForm if action == "approve" else RequestChangesForm

    def on_action(self, task_state, user, action_name, **kwargs):
        comment = (kwargs.get("comment") or "").strip()
        if action_name == "approve":
            refusal = self.approval_refusal(task_state.workflow_state.content_object, user, task_state)
            if refusal:
                raise PermissionDenied(refusal)
            task_state.reviewer = user.expert_profile
            task_state.next_review_due = kwargs.get("next_review_due") or default_next_review_due()
            task_state.approve(user=user, comment=comment)
        elif action_name == "reject":
            if not comment:
                raise PermissionDenied("Requesting changes needs a comment saying what to change.")
            task_state.reject(user=user, comment=comment)


def clinical_approval_for(revision):
    """The clinician's approval of exactly this revision, or None."""
    if revision is None:
        return None
    return (
        ClinicalReviewTaskState.objects.filter(revision=revision, status=TaskState.STATUS_APPROVED)
        .select_related("reviewer", "finished_by")
        .order_by("-finished_at")
        .first()
    )


# Revision content keys that record where, when and by whom, not what a reader sees.
NON_CONTENT_KEYS = frozenset(
    {
        "pk",
        "path",
        "depth",
        "numchild",
        "url_path",
        "translation_key",
        "locale",
        "content_type",
        "alias_of",
        "owner",
        "draft_title",
        "live",
        "live_revision",
        "latest_revision",
        "latest_revision_created_at",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "expired",
        "locked",
        "locked_at",
        "locked_by",
        "wagtail_admin_comments",
        *REVIEW_RECORD_FIELDS,
    }
)


# The rich text editor tags paragraphs with keys of its own; they say nothing to a reader.
EDITOR_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


def _without_row_ids(value):
    if isinstance(value, list):
        return [_without_row_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_row_ids(item) for key, item in value.items() if key not in ("pk", "id")}
    if isinstance(value, str):
        return EDITOR_BLOCK_KEY.sub("", value)
    return value


def content_of(revision):
    """What a revision says to readers: its content without bookkeeping keys, nor the ids of child
    rows and StreamField blocks (which an editor's save may renumber without changing a word)."""
    stream_fields = {
        field.name for field in type(revision.content_object)._meta.fields if isinstance(field, StreamField)
    }
    content = {}
    for key, value in revision.content.items():
        if key in NON_CONTENT_KEYS:
            continue
        if key in stream_fields and isinstance(value, str):
            value = json.loads(value or "[]")
        content[key] = _without_row_ids(value)
    return content


def carry_over_clinical_approval(page, revision):
    """Give `revision` the page's latest clinical approval if it says exactly what the approved revision said.

    Saving without changing anything still makes a new revision (the editor's Publish does); the
    clinician's approval is of the content, so it carries over, as a copy recorded against the new
    revision. Returns the approval, or None if the content differs or nothing was ever approved.
    """
    approval = (
        ClinicalReviewTaskState.objects.filter(
            status=TaskState.STATUS_APPROVED,
            revision__base_content_type=page.get_base_content_type(),
            revision__object_id=str(page.pk),
        )
        .select_related("revision")
        .order_by("-finished_at")
        .first()
    )
    if approval is None or content_of(approval.revision) != content_of(revision):
        return None
    return approval.copy(update_attrs={"revision": revision})


def stamp_review_record(sender, instance, revision, **kwargs):
    """On publish: if a clinician approved the revision going live, it becomes the page's review record.

    Connected to Wagtail's page_published signal. Logged in the page's history
    (Wagtail's audit log) with who reviewed it and the dates.
    """
    from .models import HealthContentPage

    if not isinstance(instance, HealthContentPage):
        return
    approval = clinical_approval_for(revision)
    if approval is None or approval.reviewer_id is None:
        return
    record = {
        "last_reviewed_on": timezone.localdate(approval.finished_at),
        "reviewed_by": approval.reviewer,
        "next_review_due": approval.next_review_due,
    }
    type(instance).objects.filter(pk=instance.pk).update(**record)
    for name, value in record.items():
        setattr(instance, name, value)
    log(
        instance=instance,
        action="discsite.review_record",
        user=approval.finished_by,
        revision=revision,
        data={
            "reviewer": approval.reviewer.display_name,
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
    from .models import HEALTH_PAGE_MODELS

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


def assign_clinical_review_workflow(index_page):
    """Show the Clinical review workflow on a health index page in Wagtail's workflow settings.

    Health pages use it whatever is assigned (HealthContentPage.get_workflow); the assignment
    makes the admin say so too, e.g. "Submit to Clinical review" when a page is first created.
    """
    from wagtail.models import WorkflowPage

    workflow = clinical_review_workflow()
    if workflow is not None:
        WorkflowPage.objects.update_or_create(page=index_page, defaults={"workflow": workflow})


def clinical_review_workflow():
    """The active workflow that contains an active clinical review task (the migration creates it)."""
    from wagtail.models import Workflow

    return (
        Workflow.objects.active()
        .filter(workflow_tasks__task__in=ClinicalReviewTask.objects.filter(active=True))
        .order_by("pk")
        .first()
    )
