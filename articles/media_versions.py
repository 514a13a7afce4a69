"""Versioned media: an image or document that a page uses is never changed under it.

What a clinician approves includes every image and document the page shows (their files, titles,
alt text and focal points: `articles.integrity.fingerprint`). Wagtail edits media rows in place,
so replacing the file of a reviewed page's audio answer, or the alt text of its diagram, would
change what readers see at once, with the page still marked reviewed.

So the admin's image and document forms (WAGTAILIMAGES_IMAGE_FORM_BASE and
WAGTAILDOCS_DOCUMENT_FORM_BASE in the settings) copy on write: a change to what readers see of
media that any page uses (Wagtail's reference index) is saved as a NEW row with its own file. The
original row, its file and its renditions stay exactly as they were, so live pages keep showing
the version a clinician approved. Then every page that used the original gets a new revision that
shows the new version instead (`send_pages_to_review`): health pages go into the Clinical review
workflow, other pages stay drafts until a moderator publishes them, and each page's history says
what changed. Media that no page uses is edited in place, as Wagtail does.
"""

import os

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from modelcluster.models import get_all_child_relations
from PIL import Image as PILImage
from PIL import ImageSequence
from wagtail import blocks
from wagtail.documents.forms import BaseDocumentForm
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm
from wagtail.log_actions import log
from wagtail.models import Page, ReferenceIndex
from wagtail.search import index as search_index

MEDIA_REPLACED = "discsite.media_replaced"

# The fields of each kind of media that readers see, with how a change is described to a reviewer.
READER_VISIBLE_FIELDS = {
    "file": "new file",
    "title": "title changed",
    "description": "alt text changed",
    "focal_point_x": "focal point changed",
    "focal_point_y": "focal point changed",
    "focal_point_width": "focal point changed",
    "focal_point_height": "focal point changed",
}


def pages_using(item):
    """The pages (specific, not aliases) that Wagtail's reference index says use `item`. For a live
    page the index describes its live content, which is what readers are shown."""
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = (
        ReferenceIndex.get_references_to(item)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
        .distinct()
    )
    return [
        page
        for page in Page.objects.filter(pk__in=[int(pk) for pk in page_ids]).order_by("pk").specific()
        if page.alias_of_id is None  # an alias shows its original's content and follows it when published
    ]


def is_used_by_pages(item):
    return item.pk is not None and bool(pages_using(item))


def described_changes(changed_fields):
    changes = []
    for name in changed_fields:
        label = READER_VISIBLE_FIELDS.get(name)
        if label and label not in changes:
            changes.append(label)
    return changes


# ------------------------------------------------------------------ replacing references


def replace_in_stream(block, raw, model, old_pk, new_pk):
    """`raw` (a block's stored value) with every chooser of `model` that chose `old_pk` choosing
    `new_pk`, walked with the block definitions. Returns (value, number of references replaced)."""
    if isinstance(block, blocks.ChooserBlock):
        if issubclass(model, block.target_model) and raw is not None and str(raw) == str(old_pk):
            return new_pk, 1
        return raw, 0
    if isinstance(block, blocks.StreamBlock) and isinstance(raw, list):
        count = 0
        items = []
        for item in raw:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None and "value" in item:
                value, found = replace_in_stream(child, item["value"], model, old_pk, new_pk)
                item = {**item, "value": value}
                count += found
            items.append(item)
        return items, count
    if isinstance(block, blocks.StructBlock) and isinstance(raw, dict):
        count = 0
        value = dict(raw)
        for name, child in block.child_blocks.items():
            if name in value:
                value[name], found = replace_in_stream(child, value[name], model, old_pk, new_pk)
                count += found
        return value, count
    if isinstance(block, blocks.ListBlock) and isinstance(raw, list):
        count = 0
        items = []
        for item in raw:
            # Lists are stored as [{"type": "item", "value": ..., "id": ...}], or as bare values by older code.
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                value, found = replace_in_stream(block.child_block, item["value"], model, old_pk, new_pk)
                item = {**item, "value": value}
            else:
                item, found = replace_in_stream(block.child_block, item, model, old_pk, new_pk)
            count += found
            items.append(item)
        return items, count
    return raw, 0


def replace_in_object(obj, old, new):
    """Point `obj`'s foreign keys to `old` at `new`. Returns the number of references replaced."""
    count = 0
    for field in obj._meta.concrete_fields:
        if (
            isinstance(field, models.ForeignKey)
            and issubclass(type(old), field.related_model)
            and str(getattr(obj, field.attname)) == str(old.pk)
        ):
            setattr(obj, field.attname, new.pk)
            count += 1
    return count


def replace_references(page, old, new):
    """Make `page` (an in-memory page, such as its latest revision) show `new` wherever it showed
    `old`: its own foreign keys, those of its child objects (inline panels) and the chooser blocks
    of its StreamFields. Returns the number of references replaced."""
    count = replace_in_object(page, old, new)
    for relation in get_all_child_relations(page):
        for child in getattr(page, relation.get_accessor_name()).all():
            count += replace_in_object(child, old, new)
    for field in page._meta.concrete_fields:
        if isinstance(field, StreamField):
            stream_value = getattr(page, field.name)
            raw = field.stream_block.get_prep_value(stream_value)
            raw, found = replace_in_stream(field.stream_block, raw, type(old), old.pk, new.pk)
            if found:
                setattr(page, field.name, raw)
                count += found
    return count


# ------------------------------------------------------------------ re-review


def media_kind(item):
    return "image" if isinstance(item, get_image_model()) else "document"


def send_pages_to_review(old, new, user, changes):
    """Every page that uses `old` gets a new revision showing `new` instead, saved by `user`.

    A live page whose content a clinician approves (health content) goes back into its workflow
    (Clinical review), unless it is in one already, where the review continues on the new
    revision. A page that is not live yet keeps the new revision as its draft, to be reviewed
    when someone submits it (an unfinished draft is not sent to clinicians by a media edit).
    Pages no clinician reviews stay drafts for a moderator to publish. Each page's history says
    what changed. Returns the pages given a new revision.
    """
    updated = []
    for page in pages_using(old):
        draft = page.get_latest_revision_as_object()
        if not replace_references(draft, old, new):
            continue  # its latest draft no longer uses the old version; what is live stays as approved
        revision = draft.save_revision(user=user, log_action=True, clean=False)
        page = type(page).objects.get(pk=page.pk)
        # Any page type whose content a clinician approves before readers see it.
        reviewed = getattr(page, "clinically_reviewed", False)
        workflow = page.get_workflow() if reviewed else None
        if workflow is None or not page.live:
            review = "draft"
        elif page.current_workflow_state is not None:
            review = "in workflow"  # its review (or the changes asked for) continues on the new revision
        else:
            workflow.start(page, user)
            review = "submitted"
        log(
            instance=page,
            action=MEDIA_REPLACED,
            user=user,
            revision=revision,
            data={
                "kind": media_kind(old),
                "title": old.title,
                "new_title": new.title,
                "old_id": old.pk,
                "new_id": new.pk,
                "changes": changes,
                "reviewed": reviewed,
                "live": page.live,
                "review": review,
                "workflow": workflow.name if review != "draft" else None,
            },
        )
        updated.append(page)
    return updated


def media_replaced_message(data):
    """The page history's note for MEDIA_REPLACED (registered in articles/wagtail_hooks.py)."""
    changes = "; ".join(data.get("changes") or []) or "changed"
    title = f"\u2018{data.get('title', '')}\u2019"  # in typographic single quotes
    said = f"The {data.get('kind', 'file')} {title} was replaced by a new version ({changes})"
    if not data.get("live", True):
        return f"{said}: this draft now shows it, to be checked when the page is submitted for review."
    if data.get("reviewed"):
        return f"{said}: check it before this page is published again."
    return f"{said}: readers see the old version until a moderator publishes this draft."


# ------------------------------------------------------------------ the admin's forms


class VerifiedImageField(WagtailImageField):
    """Wagtail's image upload field, refusing a damaged image with a form error instead of a 500.

    Wagtail reads only enough of an upload to learn its format and size, and catches only Pillow's
    decompression-bomb errors while doing so: a truncated or corrupt file (a GIF cut short, a PNG
    with a broken chunk) raises OSError, struct.error or the like out of the form's validation, so
    the admin answered 500. And a PNG or JPEG whose header is intact but whose pixels are missing
    passed, to fail later, when a thumbnail or a reader's rendition is made of it.
    """

    default_error_messages = {
        "damaged_image": (
            "This image file is damaged or incomplete. Open it in an image editor, save or export it "
            "again, and upload that file."
        ),
    }

    def to_python(self, data):
        try:
            upload = super().to_python(data)
        except ValidationError:
            raise
        except Exception as error:  # Pillow reports a damaged file with many exception types
            raise ValidationError(self.error_messages["damaged_image"], code="damaged_image") from error
        if upload is not None:
            self.check_image_decodes(upload)
        return upload

    def check_image_decodes(self, upload):
        """Decode the whole image with Pillow, as making its renditions will.

        `verify()` checks the file's structure (chunk checksums, for PNG) without decoding, and leaves
        the image unusable, so the file is opened again and every frame decoded with `load()`: that
        is what finds pixel data cut short. Called after Wagtail's checks, which bound the pixels
        (WAGTAILIMAGES_MAX_IMAGE_PIXELS, all frames counted), so decoding stays within that memory.
        """
        try:
            upload.seek(0)
            with PILImage.open(upload) as image:
                image.verify()
            upload.seek(0)
            with PILImage.open(upload) as image:
                for frame in ImageSequence.Iterator(image):
                    frame.load()
        except Exception as error:  # as above
            raise ValidationError(self.error_messages["damaged_image"], code="damaged_image") from error
        finally:
            upload.seek(0)


class VersionedMediaFormMixin:
    """Copy on write for the admin's image and document forms (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        self.editing_user = kwargs.get("user")  # who makes the change; Wagtail's views pass it
        super().__init__(*args, **kwargs)

    def reader_visible_changes(self):
        return [name for name in self.changed_data if name in READER_VISIBLE_FIELDS]

    def needs_new_version(self):
        return bool(self.reader_visible_changes()) and is_used_by_pages(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if (
            not self.errors
            and "file" not in self.changed_data
            and self.needs_new_version()
            and not self.instance.file.storage.exists(self.instance.file.name)
        ):
            self.add_error(
                None,
                "Pages use this file, so a change is saved as a new version with a copy of the file, "
                "but the current file could not be found. Upload the file again with your change.",
            )
        return cleaned_data

    def save(self, commit=True):
        if not commit or not self.needs_new_version():
            return super().save(commit=commit)
        model = type(self.instance)
        original = model.objects.get(pk=self.instance.pk)
        changes = described_changes(self.reader_visible_changes())
        file_changed = "file" in self.changed_data
        # Wagtail's save without commit sets the new file's metadata (size, hash, dimensions) and
        # deletes nothing; the edited instance then becomes a new row.
        new = super().save(commit=False)
        new.pk = None
        if file_changed and self.editing_user is not None:
            new.uploaded_by_user = self.editing_user
        stored_names = []
        try:
            with transaction.atomic():
                if not file_changed:
                    # Two rows never share a file: deleting one row deletes its file.
                    with original.file.storage.open(original.file.name, "rb") as source:
                        new.file.save(os.path.basename(original.file.name), File(source), save=False)
                    stored_names.append(new.file.name)
                new.save()
                if file_changed:
                    stored_names.append(new.file.name)
                self.save_m2m()  # tags, on the new row
                search_index.insert_or_update_object(new)
                send_pages_to_review(original, new, self.editing_user, changes)
        except Exception:
            for name in stored_names:
                new.file.storage.delete(name)
            raise
        self.instance = new
        return new


class VersionedImageForm(VersionedMediaFormMixin, BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail builds its own field for `file` (wagtail.images.forms.formfield_for_dbfield); this
        # one validates as it does and also decodes the image. Built per form, so that it reads the
        # upload limits from the settings as Wagtail's does.
        if "file" in self.fields:
            wagtail_field = self.fields["file"]
            self.fields["file"] = VerifiedImageField(
                label=wagtail_field.label, required=wagtail_field.required, widget=wagtail_field.widget
            )

    class Meta(BaseImageForm.Meta):
        pass


class VersionedDocumentForm(VersionedMediaFormMixin, BaseDocumentForm):
    class Meta(BaseDocumentForm.Meta):
        pass
