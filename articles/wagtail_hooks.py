"""Admin integration for health content and its clinical review."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.log_actions import LogFormatter
from wagtail.models import Page, TaskState

from discsite.core.form_data import PreviewOnCreate, PreviewOnEdit
from discsite.core.models import PUBLISH_REFUSAL_HOOK
from experts.models import EXPERT_PAGE_CONTEXT_HOOK

from .admin_status import workflow_confirmation
from .admin_views import (
    ReadingLevelReportView,
    ReviewDuePanel,
    ReviewDueReportView,
    SponsoredCheckReportView,
    health_checks_view,
    review_changes,
    start_review,
)
from .media_versions import MEDIA_REPLACED, media_replaced_message
from .models import health_page_listing, reviewed_by
from .workflow import ClinicalReviewTask, clean_action_data, unapproved_publishing_refusal

REPORTS = [
    # (url path, view, url name, menu label, icon)
    ("clinical-review-due", ReviewDueReportView, "clinical_review_due", "Clinical review due", "warning"),
    ("reading-level", ReadingLevelReportView, "reading_level_report", "Reading level", "pilcrow"),
    ("sponsored-check", SponsoredCheckReportView, "sponsored_check_report", "Sponsored content check", "tag"),
]


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = []
    for slug, view, name, _label, _icon in REPORTS:
        urls.append(path(f"reports/{slug}/", view.as_view(), name=name))
        urls.append(path(f"reports/{slug}/results/", view.as_view(results_only=True), name=f"{name}_results"))
    return urls


for _order, (_slug, _view, _name, _label, _icon) in enumerate(REPORTS):

    def _menu_item(name=_name, label=_label, icon=_icon, order=50 + _order):
        return MenuItem(label, reverse(name), icon_name=icon, order=order)

    hooks.register("register_reports_menu_item", _menu_item)


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request, panels):
    panels.append(ReviewDuePanel())


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    @actions.register_action("discsite.review_record")
    class ReviewRecordFormatter(LogFormatter):
        label = "Review record updated"

        def format_message(self, log_entry):
            data = log_entry.data
            due = f", next review due {data['next_review_due']}" if data.get("next_review_due") else ""
            return f"Review record: medically reviewed by {data['reviewer']} on {data['last_reviewed_on']}{due}"

    actions.register_action(
        "discsite.schedule_refused",
        "Scheduled publishing refused",
        "Taken off the schedule: no clinical reviewer has approved exactly this content.",
    )
    actions.register_action(
        "discsite.safety_net_changed",
        "Sent for review: the safety-net texts changed",
        "The urgent-care card or the disclaimer changed: check that this page still reads right beside them.",
    )


# The publishing gate (discsite.models.PublishGateMixin) asks this of every page and snippet about to go live.
hooks.register(PUBLISH_REFUSAL_HOOK, unapproved_publishing_refusal)


@hooks.register("before_publish_page")
def refuse_publishing_what_no_clinician_approved(request, page):
    """The editor's Publish saves a new revision first. If it shows readers what a clinician
    approved, the approval covers it; if it changed anything, it is kept as a draft, nothing
    goes live, and the editor is told why (rather than meeting the gate's refusal)."""
    page = page.specific
    if unapproved_publishing_refusal(page, page.get_latest_revision()) is not None:
        messages.error(
            request,
            "Your changes were saved as a draft but not published: health content goes live only after a "
            "clinical reviewer approves it. Submit it to the Clinical review workflow.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_publish")
def refuse_publishing_snippets_no_clinician_approved(request, obj):
    """As for pages: a snippet's Publish saves a new revision first; if no clinician approved exactly
    that (the safety-net texts), it stays a draft and the editor is told why."""
    if unapproved_publishing_refusal(obj, obj.get_latest_revision()) is None:
        return None
    messages.error(
        request,
        "Your changes were saved as a draft but not published: this text goes live only after a clinical "
        "reviewer approves it. Submit it to the Clinical review workflow.",
    )
    return redirect(request.path)


@hooks.register("before_edit_page")
@hooks.register("before_edit_snippet")
def refuse_malformed_workflow_action_data(request, obj):
    """The editor's form (of a page or a snippet) can carry a workflow action and its data as JSON;
    Wagtail passes the data to the task unchecked. Check it here, with the action's own form, so
    that bad data is a 400 with a message instead of a 500 (the task checks it again when it acts)."""
    if request.method != "POST" or not request.POST.get("workflow-action-name"):
        return None
    task = obj.current_workflow_task
    if task is None:
        return None
    obj = getattr(obj, "specific", obj)  # a page as its own type; a snippet is already
    action = request.POST["workflow-action-name"]
    allowed = [name for name, _label, _modal in task.specific.get_actions(obj, request.user)]
    try:
        if action not in allowed:
            raise ValidationError(f"“{action}” is not an action you can take on this now.")
        data = json.loads(request.POST.get("workflow-action-extra-data") or "{}")
        form_class = task.specific.get_form_for_action(action)
        if form_class is not None:
            clean_action_data(form_class, data)
    except (ValueError, ValidationError) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else "The action's data is not JSON."
        return TemplateResponse(
            request,
            "discsite/admin/refused.html",
            {"heading": "Review action refused", "title": str(obj), "back_url": request.path, "reason": reason},
            status=400,
        )
    return None


def clinically_reviewed(page):
    """Whether the page's type goes live only through the clinical review (each type says so)."""
    return getattr(page.specific_class, "clinically_reviewed", False)


@hooks.register("before_edit_page")
def say_where_the_clinical_review_stands(request, page):
    """At the top of the editor: the reviewer's request for changes, or why a reviewer cannot approve.

    Wagtail keeps the comment in the status side panel and the history; whoever opens the page to
    make the changes should not have to look for it.
    """
    if request.method != "GET" or not clinically_reviewed(page):
        return None
    state = page.current_workflow_state
    if state and state.status == state.STATUS_NEEDS_CHANGES and state.current_task_state:
        task_state = state.current_task_state
        reviewer = task_state.finished_by
        profile = getattr(reviewer, "expert_profile", None) if reviewer else None
        name = profile.display_name if profile else (reviewer.get_full_name() or reviewer.get_username())
        messages.warning(
            request,
            format_html(
                "{} requested changes at the {} step: “{}” Make the changes, then resubmit.",
                name if reviewer else "A reviewer",
                task_state.task.name,
                task_state.comment or "no comment given",
            ),
        )
    task = page.current_workflow_task
    if isinstance(task, ClinicalReviewTask) and task.is_reviewer(request.user):
        refusal = task.approval_refusal(page, request.user)
        if refusal:
            messages.warning(request, refusal)
    return None


class ReviewedPublishBulkAction(PublishBulkAction):
    """Wagtail's bulk Publish, offered only for pages the user could publish that way: never health
    content, which goes live through the Clinical review workflow. Such pages are listed apart in the
    confirmation, with the reason, and nothing offers to publish them."""

    template_name = "articles/admin/confirm_bulk_publish.html"

    def check_perm(self, page):
        return not clinically_reviewed(page) and super().check_perm(page)


# Registered after Wagtail's own (order 1), so that it replaces the bulk action of the same type.
hooks.register("register_bulk_action", ReviewedPublishBulkAction, order=1)


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_of_health_content(request, action_type, objects, action_class_instance):
    """The last line, should a health page reach the bulk action's execution all the same."""
    if action_type != "publish":
        return None
    health_pages = [page for page in objects if clinically_reviewed(page)]
    if not health_pages:
        return None
    messages.error(
        request,
        format_html(
            "Health content is published through the Clinical review workflow, not in bulk: {}.",
            ", ".join(page.title for page in health_pages),
        ),
    )
    return redirect(request.GET.get("next") or "wagtailadmin_explore_root")


@hooks.register("register_log_actions")
def register_media_version_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    @actions.register_action(MEDIA_REPLACED)
    class MediaReplaced(LogFormatter):
        label = "Image or document replaced"

        def format_message(self, log_entry):
            return media_replaced_message(log_entry.data)


@hooks.register("register_admin_urls")
def register_clinical_review_urls():
    return [
        path("clinical-review/<int:page_id>/start/", start_review, name="clinical_review_start"),
        path("clinical-review/<int:page_id>/changes/", review_changes, name="clinical_review_changes"),
        path("health-checks/<str:app_label>/<str:model_name>/", health_checks_view, name="health_checks"),
    ]


@hooks.register("insert_editor_js")
def health_checks_as_the_editor_types():
    return format_html('<script src="{}" defer></script>', static("articles/js/health-checks.js"))


@hooks.register("insert_editor_css")
def health_checks_notes():
    return format_html('<link rel="stylesheet" href="{}">', static("articles/css/health-checks.css"))


@hooks.register("insert_global_admin_css")
def report_tables_scroll_on_narrow_screens():
    return format_html('<link rel="stylesheet" href="{}">', static("discsite/css/admin-reports.css"))


def workflow_action_taken(request, page):
    """Which workflow action the editor's form just took on the page, if any: "submit", "resubmit",
    "approve" or "reject" (the names of the actions of our tasks)."""
    if request.method != "POST":
        return None
    if request.POST.get("action-workflow-action"):
        return request.POST.get("workflow-action-name")
    if request.POST.get("action-submit") or request.POST.get("action-restart-workflow"):
        state = page.current_workflow_state
        # Resubmitting after a request for changes resumes the same workflow, at a new task state.
        return "resubmit" if state is not None and state.task_states.count() > 1 else "submit"
    return None


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def confirm_workflow_actions(request, page):
    """After a workflow action in the page editor: say what happened and what comes next
    ("Approved. The page now waits for a moderator's sign-off."), in place of Wagtail's generic
    "has been updated" or "submitted for moderation"."""
    action = workflow_action_taken(request, page)
    if action not in ("submit", "resubmit", "approve", "reject"):
        return None
    page = type(page.specific).objects.get(pk=page.pk)
    storage = messages.get_messages(request)
    others = [message for message in storage if message.level != messages.SUCCESS]  # reading marks all as used
    for message in others:
        messages.add_message(request, message.level, message.message, extra_tags=message.extra_tags)
    messages.success(request, workflow_confirmation(page, action))
    return None


@hooks.register("construct_page_action_menu")
def publish_only_through_the_workflow(menu_items, request, context):
    """Only the actions a page's stage calls for. While the page is in a workflow (in review, or sent
    back for changes), it goes live through the workflow: the sign-off's "Approve and publish…", or
    a resubmission. The editor's footer then offers no plain Publish beside them, which would skip
    the sign-off. A page in no workflow keeps Publish for those who may publish it."""
    page = context.get("page")
    if page is None or page.pk is None or page.current_workflow_state is None:
        return
    menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


class ConfirmingWorkflowActionView(WorkflowActionView):
    """Wagtail's workflow action view, which the dashboard's "Awaiting your review" buttons post to
    (after their dialog). Wagtail says nothing once the action is taken; this says which page, what
    happened and what comes next, as the editor does (confirm_workflow_actions)."""

    OUTCOMES = {TaskState.STATUS_APPROVED: "approve", TaskState.STATUS_REJECTED: "reject"}

    def post(self, request, *args, **kwargs):
        was_waiting = self.task_state.status == TaskState.STATUS_IN_PROGRESS
        response = super().post(request, *args, **kwargs)
        # A form sent back with errors leaves the task waiting: nothing happened, so nothing is said.
        status = TaskState.objects.filter(pk=self.task_state.pk).values_list("status", flat=True).first()
        action = self.OUTCOMES.get(status)
        if was_waiting and action is not None:
            page = Page.objects.get(pk=self.object.pk).specific
            confirmation = workflow_confirmation(page, action)
            messages.success(request, f"“{page.get_admin_display_title()}”: {confirmation}")
        return response


class SitePageViewSet(PageViewSet):
    """Wagtail's views for every page type (replacing its default page viewset, as its docs show for
    the explorer), with the workflow action view that confirms what it did, and previews that refuse
    form data a field cannot read (core.form_data)."""

    workflow_action_view_class = ConfirmingWorkflowActionView
    preview_on_edit_view_class = PreviewOnEdit
    preview_on_add_view_class = PreviewOnCreate


site_page_viewset = SitePageViewSet()


@hooks.register("register_admin_viewset")
def register_site_page_viewset():
    return site_page_viewset


@hooks.register(EXPERT_PAGE_CONTEXT_HOOK)
def list_what_the_expert_wrote_and_reviewed(expert, request, work):
    """An expert's profile lists their answers and articles, and the pages they last reviewed."""
    work["contributions"] = health_page_listing(request, author=expert)
    work["reviewed"], work["reviewed_count"] = reviewed_by(expert, limit=10)
