"""Wagtail hooks for the site: search synonyms as a snippet, documents served to readers only
once a live page shows them (discsite/media_access.py), and the "Import documents" screen
(discsite/importing/views.py) with its menu item."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import media_access
from .importing.views import ImportView, PreviewView, UploadView, may_import
from .models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "Search synonyms"
    add_to_admin_menu = False
    list_display = ["term", "alternatives"]
    search_fields = ["term", "alternatives"]
    search_backend_name = None  # a handful of rows: the ORM's icontains is enough, no index to keep
    ordering = ["term"]


register_snippet(SearchSynonymViewSet)


# /documents/<id>/<name>: a reader without admin access gets a document only if a live page shows
# it, else the 404 of a document that does not exist. First (order=-1), so that even a document in
# a restricted collection is not confirmed to exist by Wagtail's own hook asking for a password.
hooks.register("before_serve_document", media_access.refuse_unless_shown_by_live_page, order=-1)


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("import-documents/", UploadView.as_view(), name="discsite_import_documents"),
        path("import-documents/preview/", PreviewView.as_view(), name="discsite_import_preview"),
        path("import-documents/import/", ImportView.as_view(), name="discsite_import_run"),
    ]


class ImportMenuItem(MenuItem):
    """Shown only to those who may import (`may_import`: who may add pages where imports go), as the views check."""

    def is_shown(self, request):
        return may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    # Just after Pages (order 100), before Images (300): importing makes pages.
    return ImportMenuItem("Import documents", reverse("discsite_import_documents"), icon_name="upload", order=150)
