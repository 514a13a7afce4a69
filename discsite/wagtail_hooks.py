"""Wagtail hooks for the site: search synonyms as a snippet, and documents served to readers only
once a live page shows them (discsite/media_access.py)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import media_access
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
