"""Admin views for clinical review: the "Clinical review due" report and dashboard panel, starting
a review from them, the comparison a reviewer is offered first, and the editor's live checks."""

import datetime

import django_filters
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page, WorkflowState
from wagtail.permissions import page_permission_policy

from discsite.core.listing import load_listing_cards
from discsite.core.system import system_user
from experts.models import ExpertPage

from .integrity import fingerprint
from .models import HEALTH_PAGE_MODELS, HealthContentPage
from .panels import health_checks, notes_by_place, render_checks
from .readability import TARGET_GRADE
from .review import ReviewStatus, pages_due_for_review, put_live_content_up_for_review
from .workflow import ClinicalReviewTask, clinical_review_workflow

DUE_STATUSES = [(status.value, status.label) for status in ReviewStatus if status != ReviewStatus.CURRENT]


class ReviewDueFilterSet(WagtailFilterSet):
    review_status = django_filters.ChoiceFilter(
        label="Review status", choices=DUE_STATUSES, empty_label="All that need review", field_name="review_status"
    )
    page_type = django_filters.ChoiceFilter(
        label="Type",
        choices=[("questionpage", "Expert answers"), ("articlepage", "Articles")],
        empty_label="Answers and articles",
        field_name="content_type__model",
    )

    class Meta:
        model = Page
        fields = []


def _status_label(page):
    return ReviewStatus(page.review_status).label


def _as_date(name):
    """A column accessor: the date itself ("23 Jan 2026"), where Wagtail's DateColumn says "4 weeks ago"."""

    def accessor(page):
        value = getattr(page, name)
        return dateformat.format(value, "j M Y") if value else "—"

    return accessor


def is_clinical_reviewer(user):
    return any(task.is_reviewer(user) for task in ClinicalReviewTask.objects.filter(active=True))


def add_review_links(pages, request):
    """Mark each listed page with where it stands in review and what `user` may open of it.

    `review_state`: "in_review" (waiting at a step), "changes_requested", or None; `review_url`: the
    page's edit view when `user` may act on it there, else None; `title_url`: the edit view for
    those who edit pages, the live page for the others (clinicians); `may_start`: whether `user`
    may start a review (clinical reviewers, and whoever may edit or publish pages). A few queries
    for any number of pages.
    """
    user = request.user
    pages = list(pages)
    states = WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=[str(page.pk) for page in pages],
    )
    by_page = {
        int(object_id): (status, task_id)
        for object_id, status, task_id in states.values_list("object_id", "status", "current_task_state__task_id")
    }
    clinical_task_ids = {task.pk for task in ClinicalReviewTask.objects.filter(active=True) if task.is_reviewer(user)}
    edits_pages = page_permission_policy.user_has_any_permission(user, ["change", "publish"])
    for page in pages:
        status, task_id = by_page.get(page.pk, (None, None))
        page.review_state = {
            WorkflowState.STATUS_IN_PROGRESS: "in_review",
            WorkflowState.STATUS_NEEDS_CHANGES: "changes_requested",
        }.get(status)
        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        at_my_step = status == WorkflowState.STATUS_IN_PROGRESS and task_id in clinical_task_ids
        page.review_url = edit_url if page.review_state and (edits_pages or at_my_step) else None
        page.title_url = edit_url if edits_pages else page.get_url(request)
        page.may_start = bool(clinical_task_ids) or edits_pages
        page.start_url = reverse("clinical_review_start", args=[page.pk])
    return pages


class ReviewActionColumn(Column):
    """Where the page stands in review, and the viewer's next step: "Open review" or "Start review"."""

    cell_template_name = "articles/admin/review_action_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["csrf_token"] = get_token(parent_context.get("request"))
        return context


class ReviewDueReportView(ReportView):
    """Live health pages that are overdue, due within 30 days or never clinically reviewed."""

    page_title = "Clinical review due"
    header_icon = "warning"
    index_url_name = "clinical_review_due"
    index_results_url_name = "clinical_review_due_results"
    filterset_class = ReviewDueFilterSet
    default_ordering = "review_urgency"
    paginate_by = 50
    columns = [
        TitleColumn("title", label="Page", get_url=lambda page: page.title_url, sort_key="title"),
        Column("status", label="Status", accessor=_status_label, sort_key="review_urgency"),
        ReviewActionColumn("review", label="Review"),
        Column(
            "review_next_due",
            label="Next review due",
            accessor=_as_date("review_next_due"),
            sort_key="review_next_due",
        ),
        Column(
            "review_last_reviewed_on",
            label="Last reviewed",
            accessor=_as_date("review_last_reviewed_on"),
            sort_key="review_last_reviewed_on",
        ),
        Column("reviewer_name", label="Reviewed by"),
        Column("page_type", label="Type"),
    ]
    list_export = [
        "title",
        "status_label",
        "review_next_due",
        "review_last_reviewed_on",
        "reviewer_name",
        "page_type",
        "public_url",
    ]
    export_headings = {
        "title": "Page",
        "status_label": "Status",
        "review_next_due": "Next review due",
        "review_last_reviewed_on": "Last reviewed",
        "reviewer_name": "Reviewed by",
        "page_type": "Type",
        "public_url": "URL",
    }

    def get_base_queryset(self):
        return pages_due_for_review().select_related("content_type")

    def order_queryset(self, queryset):
        """The chosen column first, then the most urgent, so ties come out the same on every database."""
        queryset = super().order_queryset(queryset)
        return queryset.order_by(
            *queryset.query.order_by, "review_urgency", F("review_next_due").asc(nulls_last=True), "title", "pk"
        )

    def get_filename(self):
        return f"clinical-review-due-{timezone.localdate():%Y-%m-%d}"

    def decorate_paginated_queryset(self, pages):
        """Names for reviewers and types, and public URLs, fetched once for the whole page of results."""
        pages = list(pages)
        reviewer_ids = {page.review_reviewer_id for page in pages if page.review_reviewer_id}
        reviewers = {expert.pk: expert.display_name for expert in ExpertPage.objects.filter(pk__in=reviewer_ids)}
        for page in pages:
            page.status_label = _status_label(page)
            page.reviewer_name = reviewers.get(page.review_reviewer_id, "")
            page.page_type = page.content_type.model_class()._meta.verbose_name.capitalize()
            page.public_url = page.get_full_url(self.request)
        return add_review_links(pages, self.request)


class ReviewDuePanel(Component):
    """The dashboard panel: how many pages need clinical review, and the five most urgent."""

    name = "clinical_review_due"
    template_name = "articles/admin/review_due_panel.html"
    order = 225

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        due = pages_due_for_review()
        counts = {status: 0 for status, _label in DUE_STATUSES}
        for status in due.values_list("review_status", flat=True):
            counts[status] += 1
        context.update(
            total=sum(counts.values()),
            counts=[(ReviewStatus(status).label, count) for status, count in counts.items()],
            most_urgent=[
                {"page": page, "status": _status_label(page), "due": page.review_next_due}
                for page in add_review_links(due[:5], parent_context["request"])
            ],
            csrf_token=get_token(parent_context["request"]),
            today=timezone.localdate(),
            soon=timezone.localdate() + datetime.timedelta(days=30),
        )
        return context


@require_POST
def start_review(request, page_id):
    """Put a live page's live content into the Clinical review workflow, submitted by the system, as
    `review_due --start-workflows` does. For clinical reviewers and whoever may edit the page."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, HealthContentPage) or not page.live:
        raise PermissionDenied
    permissions = page.permissions_for_user(request.user)
    if not (is_clinical_reviewer(request.user) or permissions.can_edit() or permissions.can_publish()):
        raise PermissionDenied
    workflow = clinical_review_workflow()
    if workflow is None:
        messages.error(request, "There is no active Clinical review workflow; no review was started.")
        return redirect("clinical_review_due")
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=page.pk).first()  # one start at a time per page
        started = not page.workflow_in_progress
        if started:
            put_live_content_up_for_review(page)
            workflow.start(page, user=system_user())
    if started:
        messages.success(request, f"Clinical review started: “{page.title}” (its live content, as readers see it).")
    else:
        messages.error(request, f"“{page.title}” is already in review; no new review was started.")
    return redirect("clinical_review_due")


def review_comparison_url(page):
    """What a reviewer should look at first for a page in review.

    The changes since the version a clinician last approved: the live revision, when the live page
    carries a clinical review record, compared with the revision under review. When nothing was
    ever approved, or nothing changed since (a periodic re-review), the whole page under review.
    """
    task_state = page.current_workflow_task_state
    under_review = task_state.revision if task_state and task_state.revision_id else page.get_latest_revision()
    approved = page.live_revision if page.live and getattr(page, "last_reviewed_on", None) else None
    if under_review is None:
        return reverse("wagtailadmin_pages:edit", args=[page.pk])
    if approved is not None and fingerprint(approved) != fingerprint(under_review):
        return reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, approved.pk, under_review.pk])
    return reverse("wagtailadmin_pages:revisions_view", args=[page.pk, under_review.pk])


@require_GET
def review_changes(request, page_id):
    """Redirect to `review_comparison_url`; the views it leads to check who may see them."""
    return redirect(review_comparison_url(get_object_or_404(Page, pk=page_id).specific))


class HealthPageReportMixin:
    """Shared by the reports over every health page, live or draft."""

    def decorate_paginated_queryset(self, pages):
        pages = list(pages)
        specific = {page.pk: page for page in load_listing_cards([page.pk for page in pages], HEALTH_PAGE_MODELS)}
        for page in pages:
            page.health_page = specific.get(page.pk)
            page.page_type = page.content_type.model_class()._meta.verbose_name.capitalize()
        return pages


class ReadingLevelFilterSet(WagtailFilterSet):
    above_target = django_filters.BooleanFilter(
        label=f"Above grade {TARGET_GRADE}", method="filter_above_target", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = Page
        fields = []

    def filter_above_target(self, queryset, name, value):
        return queryset.filter(grade__gt=TARGET_GRADE) if value else queryset.filter(grade__lte=TARGET_GRADE)


def _grade_label(page):
    if page.grade is None:
        return "Too little text"
    return f"{page.grade:.1f}" + (" (above target)" if page.grade > TARGET_GRADE else "")


class ReadingLevelReportView(HealthPageReportMixin, ReportView):
    """Every answer and article by Flesch-Kincaid grade, hardest first; above grade 8 is flagged."""

    page_title = "Reading level"
    header_icon = "pilcrow"
    index_url_name = "reading_level_report"
    index_results_url_name = "reading_level_report_results"
    filterset_class = ReadingLevelFilterSet
    default_ordering = "-grade"
    columns = [
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit", sort_key="title"),
        Column("grade_label", label="Reading grade", accessor=_grade_label, sort_key="grade"),
        Column("smog", label="SMOG", sort_key="smog"),
        Column("page_type", label="Type"),
        Column("status_string", label="Status"),
    ]
    list_export = ["title", "grade", "smog", "above_target", "page_type", "status_string"]
    export_headings = {"grade": "Reading grade (Flesch-Kincaid)", "smog": "SMOG", "above_target": "Above target"}

    def get_base_queryset(self):
        return (
            Page.objects.type(*HEALTH_PAGE_MODELS)
            .annotate(
                grade=Coalesce("questionpage__reading_grade", "articlepage__reading_grade"),
                smog=Coalesce("questionpage__reading_smog", "articlepage__reading_smog"),
            )
            .select_related("content_type")
        )

    def get_filename(self):
        return f"reading-level-{timezone.localdate():%Y-%m-%d}"

    def decorate_paginated_queryset(self, pages):
        pages = super().decorate_paginated_queryset(pages)
        for page in pages:
            page.above_target = page.grade is not None and page.grade > TARGET_GRADE
        return pages


class SponsoredCheckReportView(HealthPageReportMixin, ReportView):
    """Pages where the guardrail found promotion outside a sponsored section."""

    page_title = "Sponsored content check"
    header_icon = "tag"
    index_url_name = "sponsored_check_report"
    index_results_url_name = "sponsored_check_report_results"
    default_ordering = "title"
    columns = [
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit", sort_key="title"),
        Column("findings", label="What was found", accessor=lambda page: " ".join(page.health_page.promotion_flags)),
        Column("page_type", label="Type"),
    ]
    list_export = ["title", "findings_text", "page_type"]
    export_headings = {"findings_text": "What was found"}

    def get_base_queryset(self):
        flagged = [
            pk
            for model in HEALTH_PAGE_MODELS
            for pk in model.objects.exclude(promotion_flags=[]).values_list("pk", flat=True)
        ]
        return Page.objects.filter(pk__in=flagged).select_related("content_type")

    def decorate_paginated_queryset(self, pages):
        pages = super().decorate_paginated_queryset(pages)
        for page in pages:
            page.findings_text = " ".join(page.health_page.promotion_flags)
        return pages


@require_POST
def health_checks_view(request, app_label, model_name):
    """The checks of a health page's text as it stands in the editor's form, unsaved: the panel's
    content and the notes to show beside the summary and each body block, as JSON. The editor's
    browser posts the whole form here as the editor types (articles/js/health-checks.js)."""
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or not issubclass(model, HealthContentPage):
        return JsonResponse({"error": "Not a kind of health page."}, status=404)
    body_block = model._meta.get_field("body").stream_block
    try:
        # The block's own form decoding, as the edit form does it, but without validation: an
        # unfinished block still has words to check.
        body = body_block.value_from_datadict(request.POST, {}, "body")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "The body could not be read; save the page to see its checks."}, status=400)
    page = model(
        title=request.POST.get("title", ""),
        summary=request.POST.get("summary", ""),
        body=body,
        promotion_reason=request.POST.get("promotion_reason", ""),
    )
    checks = health_checks(page)
    return JsonResponse({"result": render_checks(checks), "notes": notes_by_place(checks)})
