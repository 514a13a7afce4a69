"""Workflow emails for health content, with the reviewer's comment in them.

Wagtail's own workflow emails leave approval comments out (wagtail/wagtail#7542,
#10196) and tell only the submitter. These tell the author and the submitter
at every step, quote the comment, and when the editorial step requests changes
they also tell the clinicians who approved the clinical step.

They reuse Wagtail's notifier machinery, so each user's notification
preferences (Account > Notifications) and the mail connection handling apply.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.admin import signal_handlers as wagtail_emails
from wagtail.admin.mail import EmailNotificationMixin, Notifier
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_approved, task_rejected, task_submitted, workflow_approved, workflow_rejected

from .models import HealthContentPage
from .workflow import ClinicalReviewTask, ClinicalReviewTaskState


def _display_name(user):
    if user is None:
        return "the system"
    profile = getattr(user, "expert_profile", None)
    return profile.display_name if profile else (user.get_full_name() or user.get_username())


class HealthContentTaskNotifier(EmailNotificationMixin, Notifier):
    """Emails about a task state of a health page's workflow."""

    template_directory = "articles/emails/"

    def __init__(self):
        super().__init__((TaskState,))

    def can_handle(self, instance, **kwargs):
        if not super().can_handle(instance, **kwargs):
            return False
        obj = instance.workflow_state.content_object
        return isinstance(getattr(obj, "specific", obj), HealthContentPage)  # snippets have no `specific`

    def get_template_base_prefix(self, instance, **kwargs):
        return ""

    def get_context(self, task_state, **kwargs):
        context = super().get_context(task_state, **kwargs)
        page = task_state.workflow_state.content_object.specific
        task = task_state.task.specific
        base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        context.update(
            page=page,
            title=page.get_admin_display_title(),
            task=task,
            task_state=task_state.specific,
            is_clinical_step=isinstance(task, ClinicalReviewTask),
            comment=(task_state.comment or "").strip(),
            actor=_display_name(kwargs.get("user")),
            submitter=_display_name(task_state.workflow_state.requested_by),
            edit_url=base_url + reverse("wagtailadmin_pages:edit", args=[page.pk]),
            preview_url=base_url + reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task.pk]),
            history_url=base_url + reverse("wagtailadmin_pages:history", args=[page.pk]),
            live_url=page.full_url if page.live else "",
        )
        return context

    def authors_and_submitter(self, task_state):
        """Whoever wrote the revision under review, the page's owner and whoever submitted it."""
        workflow_state = task_state.workflow_state
        page = workflow_state.content_object
        return {
            user
            for user in (
                task_state.revision.user if task_state.revision_id else None,
                getattr(page, "owner", None),
                workflow_state.requested_by,
            )
            if user is not None
        }

    def get_recipient_users(self, task_state, **kwargs):
        recipients = self.recipients(task_state)
        triggering_user = kwargs.get("user")
        return {user for user in recipients if triggering_user is None or user.pk != triggering_user.pk}

    def recipients(self, task_state):
        raise NotImplementedError


class ClinicalReviewSubmittedNotifier(HealthContentTaskNotifier):
    """A page reached the clinical step: tell the clinical reviewers.

    (The editorial step is a plain group approval task, which Wagtail's own
    submission email already covers.)
    """

    notification = "submitted"

    def can_handle(self, instance, **kwargs):
        return isinstance(instance, ClinicalReviewTaskState) and super().can_handle(instance, **kwargs)

    def recipients(self, task_state):
        return set(get_user_model().objects.filter(groups__in=task_state.task.specific.groups.all()).distinct())


class TaskApprovedNotifier(HealthContentTaskNotifier):
    notification = "approved"

    def recipients(self, task_state):
        return self.authors_and_submitter(task_state)


class TaskRejectedNotifier(HealthContentTaskNotifier):
    notification = "rejected"

    def recipients(self, task_state):
        recipients = self.authors_and_submitter(task_state)
        if not isinstance(task_state.task.specific, ClinicalReviewTask):
            # The editorial step sent it back: the clinicians who approved it should know too.
            approvals = ClinicalReviewTaskState.objects.filter(
                workflow_state=task_state.workflow_state, status=TaskState.STATUS_APPROVED
            ).select_related("finished_by")
            recipients |= {approval.finished_by for approval in approvals if approval.finished_by}
        return recipients


def health_content_excluded(notifier):
    """Wrap one of Wagtail's workflow-level notifiers so that it stays quiet for health content."""

    def notify(sender, instance, **kwargs):
        if isinstance(instance, WorkflowState) and isinstance(
            getattr(instance.content_object, "specific", None), HealthContentPage
        ):
            return False
        return notifier(instance=instance, **kwargs)

    return notify


# Module-level instances: signals hold receivers by weak reference.
clinical_review_submitted_notifier = ClinicalReviewSubmittedNotifier()
task_approved_notifier = TaskApprovedNotifier()
task_rejected_notifier = TaskRejectedNotifier()


def connect_notifications():
    """Called from ArticlesConfig.ready(), after wagtail.admin has connected its own emails."""
    task_submitted.connect(
        clinical_review_submitted_notifier, sender=ClinicalReviewTaskState, dispatch_uid="discsite_clinical_submitted"
    )
    for sender in (TaskState, ClinicalReviewTaskState):
        task_approved.connect(
            task_approved_notifier, sender=sender, dispatch_uid=f"discsite_approved_{sender.__name__}"
        )
        task_rejected.connect(
            task_rejected_notifier, sender=sender, dispatch_uid=f"discsite_rejected_{sender.__name__}"
        )

    # Wagtail's workflow-level approved/rejected emails would repeat ours without the comment.
    for signal, uid, notifier in (
        (
            workflow_approved,
            "workflow_state_approved_email_notification",
            wagtail_emails.workflow_approval_email_notifier,
        ),
        (
            workflow_rejected,
            "workflow_state_rejected_email_notification",
            wagtail_emails.workflow_rejection_email_notifier,
        ),
    ):
        signal.disconnect(sender=WorkflowState, dispatch_uid=uid)
        signal.connect(health_content_excluded(notifier), sender=WorkflowState, dispatch_uid=uid, weak=False)
