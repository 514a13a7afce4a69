"""Editor panels for health content: the reading level and promotion checks, beside the text they judge.

The panel shows the checks as of the last save; in the browser, articles/js/health-checks.js asks
`health_checks_view` (articles/admin_views.py) for them again as the editor types, and puts a note
beside each block concerned.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.admin.panels import Panel

from .guardrail import located_findings
from .readability import TARGET_GRADE, block_grades, page_text, reading_level

RESULT_TEMPLATE = "articles/admin/health_checks_result.html"


def health_checks(page):
    """The checks of a page's content as it stands (saved or not): the reading level of the whole,
    the blocks that read above the target, and what reads like promotion, place by place."""
    grade, smog = reading_level(page_text(page))
    findings = located_findings(page, site_hosts=settings.ALLOWED_HOSTS)
    return {
        "grade": grade,
        "smog": smog,
        "target": TARGET_GRADE,
        "above_target": grade is not None and grade > TARGET_GRADE,
        "findings": findings,
        "block_grades": block_grades(page),
        "promotion_reason": page.promotion_reason,
    }


def render_checks(checks):
    """The panel's content, as HTML."""
    return render_to_string(RESULT_TEMPLATE, checks)


def notes_by_place(checks):
    """{place: [note, ...]} for the notes shown beside the summary and each body block."""
    notes = {}
    for block_id, grade in checks["block_grades"].items():
        notes.setdefault(block_id, []).append(
            f"This block reads at grade {grade}: aim for {checks['target']} or below "
            "(shorter sentences, everyday words)."
        )
    for finding in checks["findings"]:
        notes.setdefault(finding.place, []).append(finding.note + " Move it into a Sponsored block, or remove it.")
    return notes


class HealthChecksPanel(Panel):
    """Reading level and the sponsored-content guardrail, beside the text they judge."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "articles/admin/health_checks_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context.update(
                result=render_checks(health_checks(page)),
                url=reverse("health_checks", args=[page._meta.app_label, page._meta.model_name]),
            )
            return context
