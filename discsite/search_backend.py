"""Search: Wagtail's database backend as it ships, and the public site's ranked search beside it.

`SearchBackend` (named in WAGTAILSEARCH_BACKENDS) is modelsearch's database backend, which everything
Wagtail searches with (the admin, every chooser, autocomplete, the API's `?search=`) uses as it is,
but for one thing on SQLite: modelsearch writes each word into an FTS5 string without doubling a
double quote in it, so a `"` typed into an admin search box would break FTS5's syntax. FTS5 splits
words at a quote anyway, so the query is searched with spaces in their place.

`ranked_search()` is the public search's alone (discsite/search.py): on the database backend it
matches and ranks against the index itself, in one pass (discsite/search_index.py); on any other
backend (a search cluster: settings/production.py) it searches as that backend does.
"""

from django.conf import settings
from django.db import connection
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.database import SearchBackend as DatabaseSearchBackend

from discsite import search_index


def without_quotes(query):
    """A query string with its double quotes read as the word breaks they are to FTS5."""
    if isinstance(query, str) and '"' in query:
        return " ".join(query.replace('"', " ").split())
    return query


def SearchBackend(params):
    """The database backend modelsearch picks for the default database, quote-safe on SQLite."""
    backend = DatabaseSearchBackend(params)
    if connection.vendor == "sqlite":
        search, autocomplete = backend.search, backend.autocomplete
        backend.search = lambda query, *args, **kwargs: search(without_quotes(query), *args, **kwargs)
        backend.autocomplete = lambda query, *args, **kwargs: autocomplete(without_quotes(query), *args, **kwargs)
    return backend


class Keys:
    """The (primary key, content type id) of each match `found` (search_index.Found) lists, best first:
    sliced, free up to the matches ranked with the counts, and one query for a page of results past them."""

    def __init__(self, found):
        self.found = found

    def __getitem__(self, key):
        keys = self.found.keys[key]
        if self.found.more and (key.stop is None or key.stop > len(self.found.keys)):
            keys += self.found.more(max(key.start or 0, len(self.found.keys)), key.stop)
        return keys


class Pages:
    """The objects of `queryset` that `keys` (Keys) list, in their order: a slice of them costs a query more."""

    def __init__(self, queryset, keys):
        self.queryset, self.keys = queryset, keys

    def __getitem__(self, key):
        wanted = [pk for pk, _kind in self.keys[key]]
        found = self.queryset.in_bulk(wanted) if wanted else {}
        return [found[pk] for pk in wanted if pk in found]


class PageKeys:
    """The (primary key, content type id) of each page `pages` lists (another backend's results)."""

    def __init__(self, pages):
        self.pages = pages

    def __getitem__(self, key):
        return [(page.pk, page.content_type_id) for page in self.pages[key]]


class RankedResults:
    """How many matches there are of each content type, and the matches listed (sliced) best first:
    as pages, or (`keys`) as their primary keys and content types, which a results page loads as it needs.
    With `more_than` set there are more matches than that, and only the content types in the counts (if any)
    are counted."""

    def __init__(self, counts, listed, keys, total=None, more_than=None):
        self.counts, self.listed, self.keys, self.total, self.more_than = counts, listed, keys, total, more_than

    def facet(self, field_name):
        if field_name != "content_type_id":
            raise ValueError(f"The public search counts its results by content type only, not {field_name!r}.")
        return self.counts

    def count(self):
        return self.listed.count() if self.total is None else self.total

    def __getitem__(self, key):
        return self.listed[key]


def ranked_search(query, queryset, of_type=None):
    """The public search's results for `query` (PlainText, And and Or) among `queryset`: every match
    counted by content type, and those of the model `of_type` (if given; all if not) listed best first."""
    if settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] != __name__:
        found = get_search_backend().search(query, queryset)
        listed = get_search_backend().search(query, queryset.type(of_type)) if of_type else found
        return RankedResults(dict(found.facet("content_type_id")), listed, PageKeys(listed))
    found = search_index.search(query, queryset, of_type)
    keys = Keys(found)
    return RankedResults(found.counts, Pages(queryset, keys), keys, found.total, found.more_than)
