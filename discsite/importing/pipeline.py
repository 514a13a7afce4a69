"""Saving an import: the pages a document holds become drafts in the Clinical review workflow.

`import_file(name, data, user, dry_run)` reads one file (reading.py), finds the pages it holds
(parsing.py) and saves them, each file in its own transaction: a file that cannot be read, or
whose pages the site would not accept, writes nothing and gets a "refused" report, and a batch
(`import_files`) goes on with the next file.

Nothing imported is ever live. Every page is saved unpublished, as a revision by the importer,
and enters the Clinical review workflow at once; its provenance (the file, its checksum and
format, who imported it and when, the source's own dates and names, the notes for the editor and
every piece left out) is saved with the revision in `import_record`, so the clinician approves
it together with the content. Experts are matched to existing profiles by name, or drafted
(never live) for a moderator to complete.

The same bytes imported again write nothing ("unchanged"). A changed version of a file (same
name, other checksum) saves a new revision on each page the file made before, matched by its
key in the document ("answer-2"), and never touches what is live: a review in progress on such a
page is cancelled and started again on the new revision (what Wagtail's "Restart workflow" does),
so the clinician reviews what the source now says. Keys new in the changed source make new pages.

A dry run reads and plans exactly as an import does and reports the same, writing nothing.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.text import slugify
from wagtail.models import Page

from articles.models import ArticleIndexPage, ArticlePage, QuestionIndexPage, QuestionPage, QuestionPageOtherVoice
from articles.workflow import clinical_review_workflow
from discsite.models import ImportedDocument, ImportedPage
from experts.models import ExpertIndexPage, ExpertPage

from .document import DraftPage, ImportRefused, ParsedDocument
from .parsing import parse
from .reading import read_document

logger = logging.getLogger(__name__)

KIND_LABELS = {"doctor_qa": "doctor Q&A", "portal_qa": "portal Q&A", "article": "article"}
PAGE_MODELS = {"question": QuestionPage, "article": ArticlePage}
SECTION_MODELS = {"question": QuestionIndexPage, "article": ArticleIndexPage}
# The honorifics an expert profile offers (ExpertPage.honorific), by how sources write them.
HONORIFICS = {"dr": "Dr", "doctor": "Dr", "prof": "Prof", "professor": "Prof", "mr": "Mr", "ms": "Ms"}
LEADING_HONORIFIC = re.compile(r"^(dr|doctor|prof|professor|mr|ms)\.?\s+", re.IGNORECASE)
# What an HTML page says about itself (SourceText.metadata), as the import record names it.
METADATA_LABELS = (
    ("title", "Title in the page's metadata"),
    ("author", "Author in the page's metadata"),
    ("date", "Date in the page's metadata"),
    ("sitename", "Site name"),
    ("url", "Address of the page"),
)
SLUG_LENGTH = 80  # long enough for a question, short enough for an address


@dataclass
class PlannedPage:
    """One page of the document and what the import does with it."""

    key: str
    title: str
    page_type: str  # "question" or "article"
    action: str  # "new" (a new draft page) or "changed" (a new revision of a page an earlier import made)
    slug: str
    author: str = ""  # the author as readers will see them, "" for the editorial team
    new_author: bool = False  # the author has no profile yet: a draft profile is made
    page_id: int | None = None  # the page revised, or (once saved) the page made
    in_review: bool = False  # a review was in progress on the page: it is started again on the new revision
    edited_since_import: bool = False  # someone changed the page after the earlier import
    draft: DraftPage | None = None


@dataclass
class FileReport:
    name: str
    status: str  # "refused", "unchanged", "new" (would create / created), "changed" (new revisions for review)
    message: str  # one line a person reads
    document: ParsedDocument | None = None
    pages: list = field(default_factory=list)  # the saved pages (empty on a dry run)
    dry_run: bool = False
    planned: list[PlannedPage] = field(default_factory=list)  # what the import makes or would make, page by page
    new_experts: list[str] = field(default_factory=list)  # draft expert profiles made (or that would be)


def import_files(files, user=None, dry_run=False):
    """Import each (name, bytes) in turn, each on its own: one refused file does not stop the others."""
    return [import_file(name, data, user=user, dry_run=dry_run) for name, data in files]


def import_file(name, data, user=None, dry_run=False):
    """Import one file into draft pages in clinical review (or, with `dry_run`, say what it would do
    and write nothing). Returns a FileReport; never raises for a bad file or a refused page."""
    name = file_name(name)
    if user is not None and not user.is_authenticated:
        user = None
    try:
        with transaction.atomic():
            report = Import(name, data, user, dry_run).run()
            if dry_run:
                transaction.set_rollback(True)  # a dry run writes nothing, whatever a signal might do
        return report
    except ImportRefused as error:
        return refused(name, str(error), dry_run)
    except ValidationError as error:
        return refused(name, f"the site would not accept it: {validation_message(error)}", dry_run)
    except Exception as error:  # one file's failure must not stop the batch; it wrote nothing
        logger.exception("Import of %s failed", name)
        return refused(name, f"it could not be saved ({type(error).__name__}: {error}); nothing was written", dry_run)


def refused(name, reason, dry_run=False):
    """A refusal's report: "x.txt: refused: " and the reason, the reader's own sentence as it gives it
    ("x.txt is empty: there is nothing to import.")."""
    reason = reason.strip().rstrip(".")
    if reason.startswith(f"{name}: "):
        reason = reason[len(name) + 2 :]
    return FileReport(name=name, status="refused", message=f"{name}: refused: {reason}.", dry_run=dry_run)


def file_name(name):
    """The file's own name, without any folder an upload or a command line gives it."""
    return PurePosixPath(str(name).replace("\\", "/")).name or "unnamed file"


def validation_message(error):
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field_name}: {' '.join(messages)}" if field_name != "__all__" else " ".join(messages)
            for field_name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def plural(count, singular, plural_form=None):
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def person(user):
    """How the import names the person who ran it."""
    if user is None:
        return "the system (no user given)"
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def day(moment):
    return dateformat.format(timezone.localtime(moment), "j M Y H:i")


def normalised_name(name):
    return " ".join(name.split()).casefold()


def split_honorific(name, honorific):
    """(name, honorific as the profile offers it): "Dr. Chen Jian" -> ("Chen Jian", "Dr")."""
    name = " ".join((name or "").split())
    match = LEADING_HONORIFIC.match(name)
    if match:
        name = name[match.end() :]
        honorific = honorific or match.group(1)
    return name, HONORIFICS.get((honorific or "").strip().rstrip(".").casefold(), "")


def unique_slug(parent, title, taken):
    """A slug from `title`, unique among `parent`'s children and the slugs this import already took."""
    base = slugify(title, allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True))
    if len(base) > SLUG_LENGTH:
        base = base[:SLUG_LENGTH].rsplit("-", 1)[0]
    base = base.strip("-") or "imported"
    used = set(Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True)) | taken
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def checked(obj, what, exclude=None):
    """`obj` validated as the site validates it (the page's own checks included); a refusal names it."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ImportRefused(f"{what} would not be accepted: {validation_message(error)}") from error
    return obj


def page_label(planned):
    title = planned.title if len(planned.title) <= 60 else f"{planned.title[:57]}..."
    return f"its page '{title}'"


def section(model, label):
    index = model.objects.order_by("path").first()
    if index is None:
        raise ImportRefused(f"the site has no {label} section to put the pages in; build the site first")
    return index


class Import:
    """One file's import: read, plan, then (unless a dry run) save."""

    def __init__(self, name, data, user, dry_run):
        self.name = name
        self.data = data
        self.user = user
        self.dry_run = dry_run
        self.now = timezone.now()

    # ------------------------------------------------------------------ plan

    def run(self):
        if not isinstance(self.data, bytes | bytearray | memoryview):
            raise ImportRefused("the upload gave no file contents")
        unchanged = self.unchanged(checksum=hashlib.sha256(self.data).hexdigest())
        if unchanged is not None:
            return unchanged
        source = read_document(self.name, bytes(self.data))
        unchanged = self.unchanged(text_checksum=source.text_checksum)
        if unchanged is not None:
            return unchanged
        document = parse(source)
        if not document.pages:
            raise ImportRefused("no content was found in it")
        self.document = document
        self.plan()
        if self.dry_run:
            self.validate()
            return self.report([])
        return self.report(self.save())

    def unchanged(self, **same):
        """The report for a file imported before (the same bytes, or the same text read from other bytes)
        whose pages still exist, or None."""
        for document in ImportedDocument.objects.filter(**same).order_by("-imported_at", "-pk"):
            pages = [link.page for link in document.pages.select_related("page").order_by("pk")]
            if not pages:
                continue  # every page it made was deleted since: import it afresh
            live = sum(page.live for page in pages)
            also = f" (as {document.name})" if document.name != self.name else ""
            now_live = f", {live} of them now live" if live else ""
            return FileReport(
                name=self.name,
                status="unchanged",
                message=(
                    f"{self.name}: unchanged: {'its text was ' if 'text_checksum' in same else ''}"
                    f"already imported on {day(document.imported_at)}{also} "
                    f"as {plural(len(pages), 'draft page')}{now_live}; nothing was written."
                ),
                pages=[] if self.dry_run else [page.specific for page in pages],
                dry_run=self.dry_run,
            )
        return None

    def plan(self):
        if clinical_review_workflow() is None:
            raise ImportRefused("there is no active Clinical review workflow for the pages to enter")
        self.sections = {
            "question": section(QuestionIndexPage, "expert answers (Questions)"),
            "article": section(ArticleIndexPage, "Articles"),
        }
        self.earlier = self.earlier_pages()
        self.previous_import = (
            ImportedDocument.objects.filter(name=self.name).order_by("-imported_at", "-pk").first()
            if self.earlier
            else None
        )
        self.experts = self.plan_experts()
        taken = {"question": set(), "article": set()}
        self.planned = []
        for draft in self.document.pages:
            model = PAGE_MODELS.get(draft.page_type)
            if model is None:
                raise ImportRefused(f"its page '{draft.title}' is of an unknown type ({draft.page_type})")
            author_key = normalised_name(split_honorific(draft.author_name, "")[0])
            expert = self.experts.get(author_key)
            if model is QuestionPage and expert is None:
                raise ImportRefused(f"the answer '{draft.title}' names no answering expert")
            link = self.earlier.get(draft.key)
            planned = PlannedPage(
                key=draft.key,
                title=draft.title,
                page_type=draft.page_type,
                action="new",
                slug="",
                author=expert.display_name if expert else "",
                new_author=bool(expert and expert.pk is None),
                draft=draft,
            )
            if link is not None:
                page = link.page.specific
                if not isinstance(page, model):
                    raise ImportRefused(
                        f"the earlier import of this file made '{page.title}' an {type(page).get_verbose_name()}; "
                        f"this version makes it a {model.get_verbose_name()}: import it under a new file name"
                    )
                if page.locked and (self.user is None or page.locked_by_id != self.user.pk):
                    holder = page.locked_by.get_username() if page.locked_by else "someone"
                    raise ImportRefused(f"its page '{page.title}' is locked by {holder}; unlock it and import again")
                planned.action, planned.slug, planned.page_id = "changed", page.slug, page.pk
                planned.in_review = page.current_workflow_state is not None
                planned.edited_since_import = page.latest_revision_id != link.revision_id
            else:
                planned.slug = unique_slug(self.sections[draft.page_type], draft.title, taken[draft.page_type])
            self.planned.append(planned)

    def earlier_pages(self):
        """{key: ImportedPage} of the pages earlier imports of a file of this name made, the latest link
        for each key (the page's CASCADE removes links to deleted pages)."""
        links = ImportedPage.objects.filter(document__name=self.name).select_related("page", "document")
        earlier = {}
        for link in links.order_by("-document__imported_at", "-document__pk", "pk"):
            earlier.setdefault(link.key, link)
        return earlier

    def plan_experts(self):
        """{normalised name: ExpertPage} for every author the document names: an existing profile
        (live ones first), or an unsaved draft profile for a moderator to complete."""
        existing = {}
        for expert in ExpertPage.objects.order_by("-live", "pk"):
            existing.setdefault(normalised_name(expert.title), expert)
        experts = {}
        self.new_experts = []
        for draft in self.document.pages:
            name, honorific = split_honorific(draft.author_name, draft.author_honorific)
            key = normalised_name(name)
            if not key or key in experts:
                continue
            experts[key] = existing.get(key)
            if experts[key] is None:
                experts[key] = ExpertPage(
                    title=name,
                    honorific=honorific,
                    department=" ".join(draft.department.split()),
                    live=False,
                    owner=self.user,
                )
                self.new_experts.append(experts[key])
        return experts

    # ------------------------------------------------------------------ build

    def build(self, planned, page=None):
        """The page for `planned` with the document's content and provenance, not saved. For a page
        an earlier import made, its latest revision with the imported fields replaced (its tags, and
        anything else the editor set, are kept)."""
        draft = planned.draft
        model = PAGE_MODELS[draft.page_type]
        if page is None:
            page = model(slug=planned.slug, live=False, owner=self.user)
        author = self.experts.get(normalised_name(split_honorific(draft.author_name, "")[0]))
        is_sponsored = draft.is_sponsored or any(block.get("type") == "sponsored" for block in draft.body)
        disclosure = draft.sponsor_disclosure.strip()
        if is_sponsored and not disclosure:
            disclosure = (
                f"Part of this page promotes {draft.sponsor}; it is marked as sponsored."
                if draft.sponsor
                else "Part of this page promotes a product; it is marked as sponsored."
            )
        page.title = draft.title
        page.summary = draft.summary
        page.body = draft.body
        page.author = author if author is not None and author.pk is not None else None
        page.source_name = draft.source_name
        page.source_url = draft.source_url
        page.source_updated_on = draft.updated_on
        page.is_sponsored = is_sponsored
        page.sponsor_disclosure = disclosure
        if model is QuestionPage:
            page.audio_duration = draft.audio_duration
        page.import_record = self.import_record(planned, author)
        return page

    def latest_draft(self, planned):
        """The page an earlier import made, as its latest revision has it (never its live row)."""
        return Page.objects.get(pk=planned.page_id).specific.get_latest_revision_as_object()

    def import_record(self, planned, author):
        draft = planned.draft
        source = self.document.source
        rows = [
            ("Written by", author.display_name if author else ""),
            ("Department", draft.department),
            ("Updated on", draft.updated_on.isoformat() if draft.updated_on else ""),
            ("Audio answer", draft.audio_duration),
            ("Source", draft.source_name),
            ("Source URL", draft.source_url),
            ("Sponsor", draft.sponsor),
            *((label, source.metadata.get(key)) for key, label in METADATA_LABELS),
            ("Encoding", source.encoding),
        ]
        return {
            "file": source.name or self.name,
            "checksum": source.checksum,
            "format": source.format,
            "kind": KIND_LABELS.get(self.document.kind, self.document.kind),
            "key": planned.key,
            "importer": person(self.user),
            "imported_at": self.now.isoformat(),
            "source": [{"label": label, "value": str(value)} for label, value in rows if value],
            "notes": self.notes(planned, author),
            "dropped": self.dropped(),
        }

    def notes(self, planned, author):
        draft = planned.draft
        notes = list(dict.fromkeys(note.strip() for note in draft.notes if note and note.strip()))
        mentioned = " ".join(notes).casefold()
        if draft.title_proposed and "title" not in mentioned:
            notes.insert(0, f"The source has no title: '{draft.title}' is proposed by the import; check it.")
        if draft.is_sponsored and "sponsor" not in mentioned:
            sponsor = f" ({draft.sponsor})" if draft.sponsor else ""
            notes.append(f"The source promotes a product{sponsor}: that part is in a sponsored block.")
        if planned.new_author and author is not None:
            notes.append(
                f"{author.display_name} had no profile on the site: a draft profile was made for a moderator "
                "to complete and publish."
            )
        if planned.action == "changed" and self.previous_import is not None:
            notes.append(
                f"Re-imported: the source changed since its import on {day(self.previous_import.imported_at)}."
            )
        if planned.edited_since_import:
            notes.append(
                "The page had been edited since the earlier import; this revision replaces the imported fields, "
                "and the edits stay in the page's history."
            )
        return notes

    def dropped(self):
        pieces = [{"text": item.text, "reason": item.reason} for item in self.document.dropped]
        pieces.extend({"text": what, "reason": why} for what, why in self.document.source.removed)
        return pieces

    def validate(self):
        """A dry run's check of every page and draft profile, in memory, as saving would check them."""
        for expert in self.new_experts:
            checked(expert, f"the draft profile of {expert.title}", exclude=["path", "depth", "slug"])
        for planned in self.planned:
            # A draft profile is not made on a dry run, so a page by a new expert is checked without its author.
            exclude = ["author"] if planned.new_author else []
            if planned.action == "changed":
                checked(self.build(planned, self.latest_draft(planned)), page_label(planned), exclude=exclude)
            else:
                checked(self.build(planned), page_label(planned), exclude=["path", "depth", *exclude])

    # ------------------------------------------------------------------ save

    def save(self):
        if self.new_experts:
            experts_index = section(ExpertIndexPage, "experts")
            taken = set()
            for expert in self.new_experts:  # drafts, never live, for a moderator to complete
                expert.slug = unique_slug(experts_index, expert.title, taken)
                checked(expert, f"the draft profile of {expert.title}", exclude=["path", "depth"])
                experts_index.add_child(instance=expert)
                expert.save_revision(user=self.user, log_action=True)
        pages = {}
        for planned in self.planned:
            if planned.action == "changed":
                page = self.build(planned, self.latest_draft(planned))
            else:
                page = self.build(planned)
                checked(page, page_label(planned), exclude=["path", "depth"])
                self.sections[planned.page_type].add_child(instance=page)
                planned.page_id = page.pk
            pages[planned.key] = page
        revisions = {}
        for planned in self.planned:
            page = pages[planned.key]
            if isinstance(page, QuestionPage):
                page.pinned_voices = [
                    QuestionPageOtherVoice(page_id=pages[key].pk)
                    for key in planned.draft.other_voices
                    if key in pages and key != planned.key and isinstance(pages[key], QuestionPage)
                ]
            checked(page, page_label(planned))
            if not page.live:
                page.save(clean=False)  # a draft's own row follows its latest revision, as in the editor
            revisions[planned.key] = page.save_revision(user=self.user, log_action=True, clean=False)
        document = ImportedDocument.objects.create(
            name=self.name,
            checksum=self.document.source.checksum or hashlib.sha256(self.data).hexdigest(),
            text_checksum=self.document.source.text_checksum,
            format=self.document.source.format,
            kind=self.document.kind,
            size=self.document.source.size or len(self.data),
            imported_by=self.user,
            imported_at=self.now,
            metadata=self.metadata(),
            dropped=self.dropped(),
            notes=[
                {"page": planned.key, "note": note}
                for planned in self.planned
                for note in pages[planned.key].import_record["notes"]
            ],
        )
        ImportedPage.objects.bulk_create(
            ImportedPage(document=document, page=pages[planned.key], key=planned.key, revision=revisions[planned.key])
            for planned in self.planned
        )
        # Into review last, once everything is saved: starting a review sends the clinicians their emails.
        for planned in self.planned:
            page = pages[planned.key]
            state = page.current_workflow_state
            if state is not None:
                state.cancel(user=self.user)  # Wagtail's "Restart workflow": review the new revision from the start
            page.get_workflow().start(page, self.user)
        return [pages[planned.key] for planned in self.planned]

    def metadata(self):
        source = self.document.source
        return {
            "source": source.metadata,
            "encoding": source.encoding,
            "pages": [
                {
                    "key": draft.key,
                    "page_type": draft.page_type,
                    "title": draft.title,
                    "title_proposed": draft.title_proposed,
                    "author": " ".join(part for part in (draft.author_honorific, draft.author_name) if part),
                    "department": draft.department,
                    "updated_on": draft.updated_on.isoformat() if draft.updated_on else None,
                    "audio_duration": draft.audio_duration,
                    "source_name": draft.source_name,
                    "source_url": draft.source_url,
                    "sponsor": draft.sponsor,
                }
                for draft in self.document.pages
            ],
        }

    # ------------------------------------------------------------------ report

    def report(self, pages):
        kind = KIND_LABELS.get(self.document.kind, self.document.kind)
        new = [planned for planned in self.planned if planned.action == "new"]
        changed = [planned for planned in self.planned if planned.action == "changed"]
        new_experts = [expert.display_name for expert in self.new_experts]
        would = self.dry_run
        made = []
        if changed:
            made.append(plural(len(changed), "new revision"))
        if new:
            made.append(plural(len(new), "new draft page" if changed else "draft page"))
        made = " and ".join(made)
        outcome = f"would make {made} for Clinical review" if would else f"{made} in Clinical review"
        extras = []
        if new_experts:
            extras.append(f"{plural(len(new_experts), 'new draft expert profile')}{' to make' if would else ''}")
        restarted = [planned for planned in changed if planned.in_review]
        if restarted:
            extras.append(f"review {'would be ' if would else ''}restarted on {plural(len(restarted), 'page')}")
        edited = [planned for planned in changed if planned.edited_since_import]
        if edited:
            extras.append(f"{plural(len(edited), 'page')} edited since the earlier import")
        kept = set(self.earlier) - {planned.key for planned in self.planned}
        if kept:
            left_as = "it was" if len(kept) == 1 else "they were"
            extras.append(f"{plural(len(kept), 'earlier page')} not in this version, left as {left_as}")
        changed_since = (
            f"changed since its import on {day(self.previous_import.imported_at)}: "
            if changed and self.previous_import
            else ""
        )
        message = f"{self.name}: {kind}, {changed_since}{outcome}"
        if extras:
            message += f" ({'; '.join(extras)})"
        if would:
            message += " [dry run: nothing written]"
        return FileReport(
            name=self.name,
            status="changed" if changed else "new",
            message=message,
            document=self.document,
            pages=pages,
            dry_run=self.dry_run,
            planned=self.planned,
            new_experts=new_experts,
        )
