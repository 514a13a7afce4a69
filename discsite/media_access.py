"""Which uploaded images and documents readers may get: those that a live page shows.

An upload is in the media library from the moment an editor adds it, long before a clinician
has reviewed the page it is for, and it may be attached to no page at all. Readers get it only
once a live page shows it; editors, reviewers and moderators (anyone who may use the admin)
always do, for previews and the admin itself.

"Shown by a live page" is read from Wagtail's reference index (`wagtail.models.ReferenceIndex`),
which records every image and document a page refers to, from its foreign keys, its StreamField
chooser blocks, its rich text and its inline child objects. It is kept from the page's own row:
the row holds a live page's LIVE content, because Wagtail's editor keeps unpublished changes in
revisions and writes only bookkeeping fields to the row of a live page (`Page.save_revision`,
and the admin's edit view, which saves the form with `commit=not page.live`). The row of a page
that is not live (never published, or unpublished since) holds its draft, so only references
recorded from live pages count. Publishing, unpublishing and deleting a page update the index
in the same transaction, and move the content version on (discsite/core/caching.py), so the cached
API never answers from an older state.

Used by the document serve view's `before_serve_document` hook (discsite/wagtail_hooks.py) and by
the API's image and document endpoints (discsite/api.py). Image files themselves are served from
MEDIA storage, not by Django: see docs/deploy.md ("Who can fetch uploaded files").
"""

import posixpath
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Case, CharField, When
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import re_path
from django.views.static import serve
from wagtail.models import Page, ReferenceIndex


def may_see_everything(user):
    """Editors, clinical reviewers and moderators: anyone who may use the admin (and so preview drafts)."""
    return user.has_perm("wagtailadmin.access_admin")


def from_live_pages(references):
    """`references` (ReferenceIndex rows) narrowed to those recorded from live pages."""
    live_page_ids = Page.objects.live().values_list(Cast("pk", output_field=CharField()), flat=True)
    return references.filter(base_content_type=ContentType.objects.get_for_model(Page), object_id__in=live_page_ids)


def is_shown_by_live_page(item):
    """Whether a live page shows `item` (an image or a document): one query."""
    return from_live_pages(ReferenceIndex.get_references_to(item)).exists()


def shown_by_live_pages(queryset):
    """`queryset` (of images or of documents) narrowed to those a live page shows.

    One subquery over the reference index within the queryset's own query, however many items
    it has. A filter on `id` (a FilterField of Wagtail's images and documents), so the API's
    `?search=` can still search the result. The referenced side is recorded under the media
    model's own content type (as in `ReferenceIndex.usage_count_subquery`), its id as text: read
    back as a number only in rows of that type (the CASE), as other models' ids in the index need
    not be numbers and PostgreSQL may evaluate a cast before the other conditions.
    """
    content_type = ContentType.objects.get_for_model(queryset.model)
    ids = from_live_pages(ReferenceIndex.objects.filter(to_content_type=content_type)).values_list(
        Cast(Case(When(to_content_type=content_type, then="to_object_id")), output_field=BigIntegerField()),
        flat=True,
    )
    return queryset.filter(pk__in=ids)


def refuse_unless_shown_by_live_page(document, request):
    """`before_serve_document`: a 404 (the same as for no such document) for a reader who may not get it."""
    if may_see_everything(request.user) or is_shown_by_live_page(document):
        return None
    raise Http404("No document matches the given query.")


# ------------------------------------------------------------------ serving MEDIA in development

# Folders of MEDIA that no reader is given a link to, and that are not served as plain files:
# original uploads (pages show renditions, under images/) and documents (served by Wagtail's
# document view at /documents/<id>/<name>, which applies the rule above). The production web
# server or bucket must refuse them too (docs/deploy.md).
UNSERVED_MEDIA_FOLDERS = ("original_images", "documents")


def serve_media(request, path):
    # As Django's static view resolves it, so that "images/../documents/..." is refused too.
    if posixpath.normpath(path).lstrip("/").split("/", 1)[0] in UNSERVED_MEDIA_FOLDERS:
        raise Http404("Not served.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def development_media_urlpatterns():
    """MEDIA as the production web server serves it: renditions (and admin avatars), never
    original uploads or documents. For DEBUG only, as Django's `static()` helper is."""
    return [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_media)]
