"""Admin views for clinical review: the "Clinical review due" report and dashboard panel."""

import datetime

import django_filters
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from experts.models import ExpertPage

from .models import HEALTH_PAGE_MODELS, load_listing_cards
from .readability import TARGET_GRADE
from .review import ReviewStatus, pages_due_for_review

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
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit", sort_key="title"),
        Column("status", label="Status", accessor=_status_label, sort_key="review_urgency"),
        DateColumn("review_next_due", label="Next review due", sort_key="review_next_due"),
        DateColumn("review_last_reviewed_on", label="Last reviewed", sort_key="review_last_reviewed_on"),
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
        return pages


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
                {"page": page, "status": _status_label(page), "due": page.review_next_due} for page in due[:5]
            ],
            today=timezone.localdate(),
            soon=timezone.localdate() + datetime.timedelta(days=30),
        )
        return context


class HealthPageReportMixin:
    """Shared by the reports over every health page, live or draft."""

    def decorate_paginated_queryset(self, pages):
        pages = list(pages)
        specific = {page.pk: page for page in load_listing_cards([page.pk for page in pages])}
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
