"""The SQLite search ranking shortcut returns exactly what modelsearch's own ranking returns, and is the
public search's alone: Wagtail's own searches keep modelsearch's backend as it is."""

import pytest
from django.db import connection

if connection.vendor != "sqlite":
    # Importing modelsearch's SQLite backend defines a model that exists only on SQLite.
    pytest.skip("the shortcut is for SQLite's FTS5 backend", allow_module_level=True)

from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from discsite.search_backend import ranked_search
from discsite.search_ranking_sqlite import RankedSQLiteSearchQueryCompiler, RankedSQLiteSearchResults

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.mark.parametrize("query", ["disc", "leg pain", "massage therapy", "herniation symptoms", "nothingmatches"])
def test_ranked_results_match_modelsearch(query):
    theirs = SQLiteSearchBackend({})
    pages = Page.objects.live().public()
    ours = ranked_search(query, pages)
    assert isinstance(ours, RankedSQLiteSearchResults)
    assert isinstance(ours.query_compiler, RankedSQLiteSearchQueryCompiler)
    expected = [page.pk for page in theirs.search(query, pages)]
    assert [page.pk for page in ours] == expected
    assert [page.pk for page in ranked_search(query, pages)[2:5]] == expected[2:5]
    assert ranked_search(query, pages).count() == len(expected)
    assert ranked_search(query, pages).facet("content_type_id") == dict(
        theirs.search(query, pages).facet("content_type_id")
    )


def test_wagtails_own_searches_use_modelsearchs_backend_as_it_is():
    """The admin, the choosers and the API search and autocomplete with the default backend: unchanged."""
    backend = get_search_backend()
    assert isinstance(backend, SQLiteSearchBackend)
    assert backend.query_compiler_class is SQLiteSearchQueryCompiler
    assert backend.autocomplete_query_compiler_class is SQLiteAutocompleteQueryCompiler
    assert backend.results_class is SQLiteSearchResults
    pages = Page.objects.live().public()
    assert type(pages.search("disc")) is SQLiteSearchResults
    found = pages.autocomplete("herni")
    assert found.count() == len(list(found)) > 0
    assert sum(found.facet("content_type_id").values()) == found.count()


@pytest.mark.parametrize("query", ['"', '""', '"slipped disc"', 'disc"s', 'Wang "Fei'])
def test_a_double_quote_in_a_query_is_a_word_break_not_an_fts5_syntax_error(query):
    """modelsearch writes each word into an FTS5 string without doubling a quote in it."""
    pages = Page.objects.live().public()
    words = " ".join(query.replace('"', " ").split())
    expected = [page.pk for page in pages.search(words)] if words else []
    assert [page.pk for page in pages.search(query)] == expected
    expected = [page.pk for page in pages.autocomplete(words)] if words else []
    assert [page.pk for page in pages.autocomplete(query)] == expected
