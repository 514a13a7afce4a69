"""Admin integration for the core app: search synonyms as a snippet editors manage."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

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
