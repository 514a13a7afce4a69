"""The SQLite search ranking shortcut returns exactly what modelsearch's own ranking returns."""

import pytest
from django.db import connection
from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from discsite.search_backend import RankedSQLiteSearchQueryCompiler

pytestmark = [
    pytest.mark.usefixtures("seeded"),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the shortcut is for SQLite's FTS5 backend"),
]


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
