"""The admin's "Import documents" screen: upload, preview, import (issue 13).

1. Upload (`UploadView`): one or more files. Each one within the size limit is kept as a
   `PendingImport` row of the uploader (their older rows, and anybody's older than a day, are
   deleted first); a larger one is refused without being read. Then to the preview.
2. Preview (`PreviewView`): the pipeline's dry run over the uploader's pending files: per file its
   kind, the pages it would create, the notes for the editor and every piece dropped and why, or
   why it is refused, or that it was imported already and has not changed. Nothing is written.
3. Import (`ImportView`): the pending files chosen (only the uploader's own rows count; any other
   id is ignored) are claimed, each by deleting its row, so that a second submission of the same
   form finds nothing left to import and says so; then the pipeline imports them, and the results
   link each draft in the editor. Every draft is then in the Clinical review workflow.

Who: whoever may add pages in the expert answers and articles sections, where imports go (Editors,
Moderators, superusers: `may_import`, which the menu item asks too); anybody else with admin
access (a clinical reviewer) gets a 403 page saying why. Wagtail's own check comes first (the URLs
are registered through `register_admin_urls`): the signed-out, and those without admin access, are
sent to sign in, as everywhere in the admin.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.permissions import page_permission_policy

from discsite.models import PendingImport

from .forms import FORMATS_NOTE, MAX_FILE_SIZE, MAX_FILE_SIZE_MB, MAX_FILES, UploadForm, oversize_message
from .pipeline import SECTION_MODELS, import_files

KEEP_PENDING_FOR = datetime.timedelta(days=1)
SESSION_REFUSED = "discsite_import_refused"  # [[name, message], ...]: files refused at upload, unread

KIND_LABELS = {
    "doctor_qa": "Doctor's Q&A with other voices: each answer becomes its own expert answer page",
    "portal_qa": "Q&A from a health portal",
    "article": "Article",
}
PAGE_TYPE_LABELS = {"question": "Expert answer (Q&A)", "article": "Article"}
STATUS_LABELS = {
    # status: (label, Wagtail status tag class)
    "new": ("Ready to import", "w-status--primary"),
    "changed": ("Changed since it was imported", "w-status--primary"),
    "unchanged": ("Already imported, unchanged", ""),
    "refused": ("Refused", "discsite-import__tag--refused"),
}
DONE_LABELS = {"new": "Imported", "changed": "New revision imported", "unchanged": "Unchanged, nothing imported"}
IMPORTABLE = {"new", "changed"}
BLOCK_NAMES = {
    # block type of articles.blocks.HealthBodyBlock: (one, more)
    "paragraph": ("paragraph", "paragraphs"),
    "heading": ("heading", "headings"),
    "list": ("list", "lists"),
    "callout": ("callout", "callouts"),
    "urgent_care": ("urgent-care card", "urgent-care cards"),
    "quote": ("quote", "quotes"),
    "table": ("table", "tables"),
    "sponsored": ("sponsored block", "sponsored blocks"),
}


def may_import(user):
    """Importing makes draft pages in the expert answers and articles sections: whoever may add pages
    there may import (Editors, Moderators, superusers; not Clinical reviewers)."""
    if not page_permission_policy.user_has_permission(user, "add"):
        return False
    sections = [model.objects.order_by("path").first() for model in SECTION_MODELS.values()]
    return all(section.permissions_for_user(user).can_add_subpage() for section in sections if section is not None)


@dataclass
class FileEntry:
    """One uploaded file as the preview and the results show it."""

    name: str
    status: str
    message: str
    pending_id: int | None = None
    document: object = None  # the pipeline's ParsedDocument, if it read the file
    planned: list = field(default_factory=list)  # the pipeline's PlannedPage for each page
    new_experts: list = field(default_factory=list)  # draft expert profiles it makes (or would)
    pages: list = field(default_factory=list)  # saved pages, after the import: PageEntry
    done: bool = False  # after the import, not in the preview

    @property
    def status_label(self):
        if self.done and self.status in DONE_LABELS:
            return DONE_LABELS[self.status]
        return STATUS_LABELS.get(self.status, (self.status, ""))[0]

    @property
    def status_class(self):
        return STATUS_LABELS.get(self.status, ("", ""))[1]

    @property
    def importable(self):
        return self.status in IMPORTABLE and self.pending_id is not None

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.document.kind, self.document.kind) if self.document else ""

    @property
    def draft_pages(self):
        """The pages the document would become: each with the label of its type, what its body holds
        and what the import plans for it (a new page, or a new revision of one imported before)."""
        if not self.document:
            return []
        planned = {plan.key: plan for plan in self.planned}
        return [
            {
                "page": page,
                "type_label": PAGE_TYPE_LABELS.get(page.page_type, page.page_type),
                "blocks": blocks(page.body),
                "plan": planned.get(page.key),
            }
            for page in self.document.pages
        ]


@dataclass
class PageEntry:
    """A page the import saved: where to edit it and where it stands in review."""

    title: str
    type_label: str
    edit_url: str
    workflow_task: str  # the task it waits at ("Clinical review"), or "" if in none


def blocks(body):
    """What a body holds, for the preview: "4 paragraphs, 1 callout, 1 sponsored block"."""
    counts = Counter(block.get("type", "") for block in body if isinstance(block, dict))
    parts = []
    for kind, count in counts.items():
        one, more = BLOCK_NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + " blocks"))
        parts.append(f"{count} {one if count == 1 else more}")
    return ", ".join(parts)


def shown_message(report):
    """The pipeline's one line without what the screen shows around it: the file's name (its
    heading), "refused" (its status tag) and the dry run's "[dry run: nothing written]"."""
    message = report.message.removeprefix(f"{report.name}: ")
    if report.status == "refused":
        message = message.removeprefix("refused: ")
    message = message.removesuffix(" [dry run: nothing written]")
    return message if message.startswith(report.name) else message[:1].upper() + message[1:]


def from_report(report, pending_id=None):
    return FileEntry(
        name=report.name,
        status=report.status,
        message=shown_message(report),
        pending_id=pending_id,
        document=report.document,
        planned=report.planned,
        new_experts=report.new_experts,
    )


def saved_page_entry(page):
    page = page.specific
    task = page.current_workflow_task
    return PageEntry(
        title=page.title,
        type_label=page.specific_class.get_verbose_name(),
        edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
        workflow_task=task.name if task else "",
    )


class ImportViewMixin(WagtailAdminTemplateMixin):
    page_title = "Import documents"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            return TemplateResponse(
                request,
                "discsite/admin/import_forbidden.html",
                {"header_title": self.page_title, "page_title": self.page_title, "header_icon": "warning"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("discsite_import_documents"), "label": self.page_title}]
        if self.page_subtitle:
            items.append({"url": "", "label": self.page_subtitle})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(max_files=MAX_FILES, max_file_size_mb=MAX_FILE_SIZE_MB, formats_note=FORMATS_NOTE)
        return context


class UploadView(ImportViewMixin, View):
    template_name = "discsite/admin/import_upload.html"

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=UploadForm()))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        refused = []
        with transaction.atomic():
            PendingImport.objects.filter(
                Q(uploaded_by=request.user) | Q(uploaded_at__lt=timezone.now() - KEEP_PENDING_FOR)
            ).delete()
            for upload in form.cleaned_data["files"]:
                if upload.size > MAX_FILE_SIZE:  # known from the upload handler; the file is not read
                    refused.append([upload.name, oversize_message(upload.name, upload.size)])
                    continue
                data = upload.read()
                PendingImport.objects.create(
                    uploaded_by=request.user,
                    name=upload.name,
                    data=data,
                    checksum=hashlib.sha256(data).hexdigest(),
                )
        request.session[SESSION_REFUSED] = refused
        return redirect("discsite_import_preview")


class PreviewView(ImportViewMixin, View):
    page_subtitle = "Preview"
    template_name = "discsite/admin/import_preview.html"

    def get(self, request):
        rows = list(PendingImport.objects.filter(uploaded_by=request.user).order_by("pk"))
        refused = request.session.get(SESSION_REFUSED, [])
        if not rows and not refused:
            messages.warning(request, "There is nothing to preview: choose the files to import first.")
            return redirect("discsite_import_documents")
        reports = import_files([(row.name, bytes(row.data)) for row in rows], user=request.user, dry_run=True)
        files = [from_report(report, row.pk) for row, report in zip(rows, reports, strict=True)]
        files += [FileEntry(name=name, status="refused", message=message) for name, message in refused]
        importable = [entry for entry in files if entry.importable]
        context = self.get_context_data(
            files=files,
            importable=importable,
            page_count=sum(len(entry.document.pages) for entry in importable),
            refused_count=sum(entry.status == "refused" for entry in files),
            unchanged_count=sum(entry.status == "unchanged" for entry in files),
        )
        return self.render_to_response(context)


class ImportView(ImportViewMixin, View):
    page_subtitle = "Imported"
    template_name = "discsite/admin/import_results.html"

    def post(self, request):
        wanted = request.POST.getlist("pending")[:MAX_FILES]
        if not wanted:
            messages.error(request, "Choose at least one file to import.")
            return redirect("discsite_import_preview")
        ids = [int(value) for value in wanted if value.isascii() and value.isdigit() and len(value) < 12]
        rows = PendingImport.objects.filter(uploaded_by=request.user, pk__in=ids).order_by("pk")
        # Claim each row by deleting it: of two submissions of the same form, only one gets it.
        claimed = [row for row in rows if PendingImport.objects.filter(pk=row.pk).delete()[0]]
        if claimed:  # the rest of this upload (refused, unchanged or not chosen) is done with too
            PendingImport.objects.filter(uploaded_by=request.user).delete()
            request.session.pop(SESSION_REFUSED, None)
        reports = import_files([(row.name, bytes(row.data)) for row in claimed], user=request.user) if claimed else []
        files = []
        for report in reports:
            entry = from_report(report)
            entry.done = True
            entry.pages = [saved_page_entry(page) for page in report.pages]
            files.append(entry)
        context = self.get_context_data(
            files=files,
            nothing_claimed=not claimed,
            drafts=[page for entry in files if entry.status in IMPORTABLE for page in entry.pages],
        )
        return self.render_to_response(context)

    def get(self, request):
        return redirect("discsite_import_documents")
