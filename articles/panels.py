"""Editor panels for health content: the reading level and promotion checks, beside the text they judge.

The panel shows the checks as of the last save; in the browser, articles/js/health-checks.js asks
`health_checks_view` (articles/admin_views.py) for them again as the editor types, and puts a note
beside each block concerned.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
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


# What an import records about a page (HealthContentPage.import_record), in the order a reviewer reads it.
# The importer (the site's pipeline) fills the dict; this app only shows it:
#   file, format, kind, checksum, importer, imported_at: text;
#   source: [{"label", "value"}], the source's own dates and names, in its order;
#   notes: [text], for the editor (a proposed title, lists lost in the source, a sponsored block ...);
#   dropped: [{"text", "reason"}], every piece of the source left out, and why.
IMPORT_RECORD_FIELDS = (
    ("file", "Source file"),
    ("format", "Format"),
    ("kind", "Kind of document"),
    ("importer", "Imported by"),
    ("imported_at", "Imported at"),
    ("checksum", "SHA-256 of the file"),
)


def readable_time(value):
    """An ISO date and time as a person reads it, in the site's time zone: "1 Dec 2026, 05:40 UTC"."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, "j M Y, H:i T").strip()


def import_record_display(record):
    """The import record as rows, notes and dropped pieces for the panel's template; tolerant of a
    record missing any part (an older import, a hand-made one)."""
    record = record if isinstance(record, dict) else {}
    rows = [
        (label, readable_time(record[key]) if key == "imported_at" else str(record[key]))
        for key, label in IMPORT_RECORD_FIELDS
        if record.get(key) not in (None, "")
    ]
    rows.extend(
        (str(item.get("label", "")), str(item.get("value", "")))
        for item in record.get("source") or []
        if isinstance(item, dict) and item.get("value") not in (None, "")
    )
    notes = [str(note) for note in record.get("notes") or [] if note]
    dropped = [
        (str(item.get("text", "")), str(item.get("reason", "")))
        for item in record.get("dropped") or []
        if isinstance(item, dict)
    ]
    return {"rows": rows, "notes": notes, "dropped": dropped}


class ImportRecordPanel(Panel):
    """Where an imported page came from, read-only, for its editors and reviewers: saved with each
    revision, so the clinician approves it with the content. Shown only on imported pages."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "articles/admin/import_record_panel.html"

        def is_shown(self):
            return bool(getattr(self.instance, "import_record", None)) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(import_record_display(self.instance.import_record))
            return context
