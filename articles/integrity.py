"""Review integrity: what a clinician approves is what readers see, and nothing else goes live.

A clinician's approval is of content, not of a revision id. When they approve, the
clinical task state records a fingerprint of exactly what readers will see of the
page: its content as stored data (without bookkeeping such as ids, dates and the
review record itself) and every image and document it shows, with the file's hash,
name and size, the image's focal point and alt text, and the titles readers see.
Publishing compares the fingerprint of what would go live with the recorded ones
(`articles.review.publishable_approval`, called from `HealthContentPage.publish`,
which every route that makes a page live goes through).

This module only describes content; it knows nothing of workflows.
"""

import contextvars
import hashlib
import json
import re
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import models
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model

from discsite.core.models import is_protected_revision

# The review record is stamped on the page when an approved revision goes live, and whether the live
# content waits in review is kept by the workflow (articles.review); both are what the clinical review
# says about the content, not part of it.
REVIEW_RECORD_FIELDS = (
    "last_reviewed_on",
    "reviewed_by",
    "reviewer_credit",
    "next_review_due",
    "live_content_in_review",
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


def without_row_ids(value):
    if isinstance(value, list):
        return [without_row_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: without_row_ids(item) for key, item in value.items() if key not in ("pk", "id")}
    if isinstance(value, str):
        return EDITOR_BLOCK_KEY.sub("", value)
    return value


def content_of(revision):
    """What a revision says to readers: its content without bookkeeping keys, nor the ids of child
    rows and StreamField blocks (which an editor's save may renumber without changing a word).

    Comments are not content: a reviewer who only comments has written nothing.
    """
    stream_fields = {
        field.name for field in type(revision.content_object)._meta.fields if isinstance(field, StreamField)
    }
    content = {}
    for key, value in revision.content.items():
        if key in NON_CONTENT_KEYS:
            continue
        if key in stream_fields and isinstance(value, str):
            value = json.loads(value or "[]")
        content[key] = without_row_ids(value)
    return content


def media_used_by(page):
    """The (model, pk) of every image and document `page` shows: its own foreign keys to them and
    the references in its StreamFields and rich text (Wagtail's own reference extraction)."""
    media_models = (get_image_model(), get_document_model())
    found = set()
    for field in type(page)._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model in media_models:
            pk = getattr(page, field.attname)
            if pk is not None:
                found.add((field.related_model, str(pk)))
        elif isinstance(field, (StreamField, RichTextField)):
            value = field.value_from_object(page)
            for model, pk, *_path in field.extract_references(value):
                if model in media_models:
                    found.add((model, str(pk)))
    return found


def describe_media(model, pk, item):
    """What a reader gets of one image or document. The bytes are represented by Wagtail's own
    file hash (computed from the file whenever one is uploaded or replaced), with the stored name
    and size beside it, so a file changed under a stale hash still changes the description."""
    if item is None:
        return {"type": model._meta.label_lower, "id": pk, "missing": True}
    described = {
        "type": model._meta.label_lower,
        "id": pk,
        "title": item.title,
        "file": item.file.name,
        "file_size": item.file_size,
        "file_hash": item.get_file_hash(),
    }
    if model is get_image_model():
        described.update(
            description=item.description,
            width=item.width,
            height=item.height,
            focal_point=[item.focal_point_x, item.focal_point_y, item.focal_point_width, item.focal_point_height],
        )
    return described


def media_manifest(page):
    used = media_used_by(page)
    manifest = []
    for model in (get_image_model(), get_document_model()):
        pks = sorted({pk for used_model, pk in used if used_model is model}, key=lambda pk: (len(pk), pk))
        items = {str(item.pk): item for item in model.objects.filter(pk__in=pks)} if pks else {}
        manifest.extend(describe_media(model, pk, items.get(pk)) for pk in pks)
    return manifest


def reader_view(revision):
    """Everything readers would see of `revision` if it went live, as plain data."""
    return {"content": content_of(revision), "media": media_manifest(revision.as_object())}


def fingerprint(revision):
    """A SHA-256 of `reader_view(revision)`: equal exactly when readers would see the same thing."""
    data = json.dumps(reader_view(revision), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def refuse_rewriting_protected_revisions(sender, instance, update_fields=None, **kwargs):
    """pre_save on Wagtail's Revision: the last line of defence under `save_revision`, for every
    model with revisions (pages, snippets, settings). Bookkeeping such as a go-live time may
    change; the content of a protected revision may not."""
    if instance.pk is None or (update_fields is not None and "content" not in update_fields):
        return
    stored = type(instance).objects.filter(pk=instance.pk).values_list("content", flat=True).first()
    if stored is None or stored == instance.content:
        return
    if is_protected_revision(type(instance).objects.get(pk=instance.pk)):
        raise PermissionDenied(
            "This revision is live, scheduled or was put before a reviewer; it cannot be rewritten. "
            "Save your changes as a new revision."
        )


def content_changers(revisions, baseline=None):
    """The ids of the users whose revisions changed the content, walking `revisions` (oldest first)
    from `baseline` (the content last approved or live; None for a new page, whose first revision
    was written by its user). A revision that changes nothing, such as one that only adds
    comments or resubmits, makes nobody an author."""
    changers = set()
    previous = content_of(baseline) if baseline is not None else None
    for revision in revisions:
        current = content_of(revision)
        if current != previous and revision.user_id is not None:
            changers.add(revision.user_id)
        previous = current
    return changers


# ------------------------------------------------------------------ unreviewed source material

_importing = contextvars.ContextVar("discsite_unreviewed_import", default=None)


@contextmanager
def publishing_unreviewed_source_material(reason):
    """Let the system itself (the seed command) publish source material that no clinician has
    reviewed yet. Such pages carry no review record: readers see that they are not yet reviewed.

    Nothing a signed-in person can reach runs inside this block; `reason` is kept in the log.
    """
    token = _importing.set(reason)
    try:
        yield
    finally:
        _importing.reset(token)


def unreviewed_import_reason():
    """Why unreviewed content may be published right now, or None (it may not)."""
    return _importing.get()
