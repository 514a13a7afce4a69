"""PostgreSQL's bounded ranking: the same pages as Wagtail's own search, counted and paged without gaps."""

import pytest
from django.db import connection

if connection.vendor != "postgresql":
    pytest.skip("the bounded ranking is for PostgreSQL", allow_module_level=True)

from modelsearch.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from discsite import search_ranking_postgres
from discsite.search_backend import ranked_search

pytestmark = pytest.mark.usefixtures("seeded")
QUERIES = ["disc", "leg pain", "massage therapy", "herniation symptoms", "nothingmatches"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_pages_match_as_with_wagtails_search(query):
    theirs = PostgresSearchBackend({})
    pages = Page.objects.live().public()
    ours = ranked_search(query, pages)
    assert isinstance(ours, search_ranking_postgres.BoundedRankPostgresSearchResults)
    assert isinstance(ours.query_compiler, search_ranking_postgres.BoundedRankPostgresSearchQueryCompiler)
    expected = {page.pk for page in theirs.search(query, pages)}
    assert {page.pk for page in ours[:100]} == expected
    assert ranked_search(query, pages).count() == len(expected)
    expected_counts = dict(theirs.search(query, pages, order_by_relevance=False).facet("content_type_id"))
    assert ranked_search(query, pages, order_by_relevance=False).facet("content_type_id") == expected_counts
    assert ranked_search(query, pages).facet("content_type_id") == expected_counts
    assert ranked_search(query, pages).facet("locale_id") == dict(
        theirs.search(query, pages, order_by_relevance=False).facet("locale_id")
    )
    assert ranked_search(query, pages, order_by_relevance=False).count() == len(expected)


def test_wagtails_own_searches_use_modelsearchs_backend_as_it_is():
    """The admin, the choosers and the API search and autocomplete with the default backend: unchanged."""
    backend = get_search_backend()
    assert type(backend) is PostgresSearchBackend
    assert backend.query_compiler_class is PostgresSearchQueryCompiler
    assert backend.autocomplete_query_compiler_class is PostgresAutocompleteQueryCompiler
    assert backend.results_class is PostgresSearchResults
    pages = Page.objects.live().public()
    assert type(pages.search("disc")) is PostgresSearchResults
    found = pages.autocomplete("herni")
    assert found.count() == len(list(found)) > 0
    assert sum(found.facet("content_type_id").values()) == found.count()


@pytest.mark.parametrize("query", ["disc", "leg pain"])
def test_pages_past_the_candidates_follow_without_gaps_or_repeats(monkeypatch, query):
    """With 3 candidates ranked in full, every page of 2 results still lists each match once."""
    monkeypatch.setattr(search_ranking_postgres, "CANDIDATES", 3)
    pages = Page.objects.live().public()
    results = ranked_search(query, pages)
    total = results.count()
    assert total > 6, "the seed should match more pages than the candidates"
    paged = [page.pk for start in range(0, total, 2) for page in results[start : start + 2]]
    assert len(paged) == total
    assert len(set(paged)) == total
    assert set(paged) == {page.pk for page in PostgresSearchBackend({}).search(query, pages)}


def test_counts_total_and_the_first_pages_cost_one_pass_over_the_matches(django_assert_num_queries):
    """The counts per type, the total and every results page within the candidates come from one
    query over the matches; each page of results then costs one query for its pages."""
    pages = Page.objects.live().public()
    results = ranked_search("leg pain", pages)
    expected = dict(
        PostgresSearchBackend({}).search("leg pain", pages, order_by_relevance=False).facet("content_type_id")
    )
    with django_assert_num_queries(1):
        assert results.facet("content_type_id") == expected
        assert results.count() == sum(expected.values())
    with django_assert_num_queries(2):
        first, second = list(results[0:2]), list(results[2:4])
    assert len({page.pk for page in first + second}) == 4
