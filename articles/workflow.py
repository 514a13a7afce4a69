"""Clinical review: the workflow's tasks, the decisions clinicians take in them, and the check at
the publishing gate that only content a clinician approved goes live.

The "Clinical review" workflow has two steps: a ClinicalReviewTask for the Clinical reviewers
group, then the editorial sign-off by Moderators (EditorialSignOffTask), which publishes. A
decision is recorded against the content's fingerprint (articles.integrity), so an approval is of
exactly what readers would see. What a publish does with the decision (the review record readers
see) is articles.review's.
"""

import calendar
import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.widgets import AdminDateInput
from wagtail.forms import TaskStateCommentForm
from wagtail.models import (
    AbstractGroupApprovalTask,
    GroupApprovalTask,
    Revision,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
)

from discsite.core.models import SiteSettings

from .integrity import content_changers, fingerprint, unreviewed_import_reason

DUE_SOON_DAYS = 30
MAX_REVIEW_INTERVAL_YEARS = 5


def add_months(day, months):
    """`day` plus a number of calendar months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review_due(today=None):
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
    """A clinical review of one revision, with what the clinician decided and about exactly what."""

    reviewer = models.ForeignKey(
        "experts.ExpertPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The approving clinician's expert profile, shown to readers.",
    )
    reviewer_credit = models.CharField(
        max_length=400,
        blank=True,
        help_text="The reviewer's name, credentials and department as their profile stood when they approved.",
    )
    next_review_due = models.DateField(null=True, blank=True)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="What readers would see of the reviewed content (articles.integrity.fingerprint).",
    )
    submission_note = models.TextField(
        blank=True,
        help_text=(
            "Why the system put the page into this review, when no person submitted it (such as the first "
            "review of source material the seed published). Shown in the workflow history."
        ),
    )

    class Meta:
        verbose_name = "clinical review task state"
        verbose_name_plural = "clinical review task states"

    def get_comment(self):
        """What the workflow history shows of this review (Wagtail's documented place for a generated
        comment): why the system submitted the page, if it did, then the reviewer's own comment. Nobody
        is named as the submitter of such a review, so the note is what tells the clinician what it is."""
        if not self.submission_note:
            return self.comment
        return f"{self.submission_note} Reviewer's comment: {self.comment}" if self.comment else self.submission_note


def reviewer_credit(profile):
    """How a reviewer is credited to readers: 'Dr Su Zhen Bo, MD, Orthopedics'."""
    return ", ".join(part for part in (profile.display_name, profile.credentials, profile.department) if part)


def clean_action_data(form_class, data):
    """The task action's data, validated by its form whichever route it came by.

    The workflow action dialog validates its form; the page editor's own form posts the
    same data as JSON (`workflow-action-extra-data`), which Wagtail passes on unchecked.
    Raises ValidationError with the form's messages.
    """
    if not isinstance(data, dict):
        raise ValidationError("The action's data must be a set of named fields.")
    form = form_class(data={key: "" if value is None else str(value) for key, value in data.items()})
    unknown = set(data) - set(form.fields)
    if unknown:
        raise ValidationError(f"Unknown fields for this action: {', '.join(sorted(unknown))}.")
    if any(not isinstance(value, (str, datetime.date, type(None))) for value in data.values()):
        raise ValidationError("Every field of the action must be text.")
    if not form.is_valid():
        raise ValidationError(
            "; ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
        )
    return form.cleaned_data


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

    def approval_refusal(self, obj, user):
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
        obj = getattr(obj, "specific", obj)  # a page as its own type; a snippet is already
        if getattr(obj, "author_id", None) is not None and obj.author_id == profile.pk:
            return (
                "You cannot approve this clinical review because you are this page's author. "
                "Another clinical reviewer must approve it."
            )
        if getattr(obj, "user_id", None) == user.pk:
            return (
                "You cannot approve this clinical review because it is your own expert profile. "
                "Another clinical reviewer must approve it."
            )
        if user.pk in content_changers(*revisions_since_last_review(obj)):
            return (
                "You cannot approve this clinical review because you wrote or changed its content. "
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
        page = task_state.workflow_state.content_object
        try:
            data = clean_action_data(self.get_form_for_action(action_name), kwargs)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        comment = (data.get("comment") or "").strip()
        if action_name == "approve":
            refusal = self.approval_refusal(page, user)
            if refusal:
                raise PermissionDenied(refusal)
            profile = user.expert_profile
            task_state.reviewer = profile
            task_state.reviewer_credit = reviewer_credit(profile)
            task_state.next_review_due = data.get("next_review_due") or default_next_review_due()
            # With re-approval on edit, what the workflow publishes is the latest revision.
            task_state.fingerprint = fingerprint(page.get_latest_revision())
            task_state.approve(user=user, comment=comment)
        elif action_name == "reject":
            task_state.fingerprint = fingerprint(page.get_latest_revision())
            task_state.reject(user=user, comment=comment)


def carry_decisions_to_unchanged_revision(sender, instance, created, **kwargs):
    """post_save on Wagtail's Revision: a save that changes nothing a reader sees keeps the review
    where it stands.

    With WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT, Wagtail counts only the decisions taken on the
    latest revision, and saving an inline comment makes a new revision: a clinician who commented and
    then approved sent the page back to clinical review, and a moderator's comment at the sign-off
    undid the clinician's approval. The task states of the object's active workflow that stand on a
    revision with the same fingerprint (the same words, images and documents) are moved to the new
    revision: a decision on that revision was a decision on exactly this content. Any change a reader
    would see leaves them where they are, so it needs approving again.
    """
    if not created:
        return
    workflow_state = (
        WorkflowState.objects.active()
        .filter(base_content_type_id=instance.base_content_type_id, object_id=instance.object_id)
        .first()
    )
    if workflow_state is None:
        return
    standing = workflow_state.task_states.filter(
        status__in=(TaskState.STATUS_APPROVED, TaskState.STATUS_IN_PROGRESS)
    ).exclude(revision_id=instance.pk)
    revisions = Revision.objects.filter(pk__in=standing.values("revision_id"))
    new_fingerprint = fingerprint(instance)
    unchanged = [revision.pk for revision in revisions if fingerprint(revision) == new_fingerprint]
    if unchanged:
        standing.filter(revision_id__in=unchanged).update(revision=instance)


def revisions_since_last_review(page):
    """The page's revisions since its live one (oldest first), and the live one as their baseline.

    What is live was either approved by a clinician or is source material awaiting its first
    review; whoever changed the content since then is its author for this review.
    """
    revisions = page.revisions.order_by("created_at", "pk")
    baseline = page.live_revision if page.live else None
    if baseline is not None:
        revisions = revisions.filter(created_at__gt=baseline.created_at)
    return list(revisions), baseline


def clinical_decision_on(page, content_fingerprint):
    """The latest clinical decision (approved or changes requested) on content with this
    fingerprint, for this page, or None."""
    return (
        ClinicalReviewTaskState.objects.filter(
            revision__base_content_type=page.get_base_content_type(),
            revision__object_id=str(page.pk),
            fingerprint=content_fingerprint,
            status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED],
        )
        .select_related("reviewer", "finished_by")
        .order_by("-finished_at", "-pk")
        .first()
    )


def clinical_approval_for(page, revision):
    """The clinician's approval of exactly what `revision` would show readers, or None.

    An approval is of content, not of a revision id: any revision that shows the same thing is
    covered, unless a clinician has since requested changes to that same content.
    """
    if revision is None:
        return None
    decision = clinical_decision_on(page, fingerprint(revision))
    return decision if decision is not None and decision.status == TaskState.STATUS_APPROVED else None


def unapproved_publishing_refusal(obj, revision):
    """The clinical review's check at the publishing gate (discsite.models.publish_refusal), which
    every route that makes a page or snippet live goes through: why `revision` may not go live,
    or None. Types that are not clinically reviewed pass; source material the system itself
    publishes unreviewed (the seed) passes and carries no review record."""
    if not getattr(obj, "clinically_reviewed", False) or unreviewed_import_reason() is not None:
        return None
    if clinical_approval_for(obj, revision) is not None:
        return None
    return (
        "This content cannot go live: no clinical reviewer has approved exactly what readers would see "
        "(its text, and every image and document with its alt text and title). "
        "Submit it to the Clinical review workflow."
    )


def assign_clinical_review_workflow(index_page):
    """Assign the Clinical review workflow to an index page (Wagtail's workflow settings).

    Health pages use it whatever is assigned (HealthContentPage.get_workflow); the assignment
    makes the admin say so too, e.g. "Submit to Clinical review" when a page is first created.
    Topics and expert profiles are clinically reviewed through this assignment: without it they
    could not be published at all (the publishing gate fails closed).
    """
    workflow = clinical_review_workflow()
    if workflow is not None:
        WorkflowPage.objects.update_or_create(page=index_page, defaults={"workflow": workflow})


def clinical_review_workflow():
    """The active workflow that contains an active clinical review task (the migration creates it)."""
    return (
        Workflow.objects.active()
        .filter(workflow_tasks__task__in=ClinicalReviewTask.objects.filter(active=True))
        .order_by("pk")
        .first()
    )


class SignOffForm(TaskStateCommentForm):
    """The editorial sign-off's confirmation: approving it publishes the page at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = (
            "Approving publishes this page now: readers see it straight away. "
            "Optional comment, sent to the author and the person who submitted the page."
        )


class EditorialSignOffTask(GroupApprovalTask):
    """Wagtail's group approval as the workflow's last step, whose approval publishes the page.

    Wagtail offers a one-click "Approve" there; here approving always opens a dialog (a modal
    action with its form) that says it publishes the page now, so nobody publishes by accident.
    """

    class Meta:
        verbose_name = "editorial sign-off task"
        verbose_name_plural = "editorial sign-off tasks"

    @classmethod
    def get_description(cls):
        return "Moderators sign the page off; their approval publishes it."

    def get_actions(self, obj, user):
        """Wagtail's actions for this user, with its approvals (one click, or with a comment) made one
        modal approval whose dialog says that it publishes."""
        actions = super().get_actions(obj, user)
        others = [action for action in actions if action[0] != "approve"]
        if len(others) == len(actions):
            return actions
        return [*others, ("approve", "Approve and publish…", True)]

    def get_form_for_action(self, action):
        return SignOffForm if action == "approve" else TaskStateCommentForm
