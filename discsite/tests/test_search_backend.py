"""The SQLite search ranking shortcut returns exactly what modelsearch's own ranking returns."""

import pytest
from django.db import connection

if connection.vendor != "sqlite":
    # Importing modelsearch's SQLite backend defines a model that exists only on SQLite.
    pytest.skip("the shortcut is for SQLite's FTS5 backend", allow_module_level=True)

from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from discsite.search_ranking_sqlite import RankedSQLiteSearchQueryCompiler

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.mark.parametrize("query", ["disc", "leg pain", "massage therapy", "herniation symptoms", "nothingmatches"])
def test_ranked_results_match_modelsearch(query):
    ours = get_search_backend()
    assert ours.query_compiler_class is RankedSQLiteSearchQueryCompiler
    theirs = SQLiteSearchBackend({})
    pages = Page.objects.live().public()
    expected = [page.pk for page in theirs.search(query, pages)]
    assert [page.pk for page in ours.search(query, pages)] == expected
    assert [page.pk for page in ours.search(query, pages)[2:5]] == expected[2:5]
    assert ours.search(query, pages).count() == len(expected)
