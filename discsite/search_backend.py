"""Wagtail's database search backend, with relevance ranking that scales on SQLite.

The SQLite backend (modelsearch) orders hits by relevance with a correlated
subquery that re-runs the full-text match for every candidate page: fine for
the seeded site, minutes per search at 10,000 pages. Here the hits are ranked
in one query against the FTS5 table (its bm25 score, as modelsearch computes
it), then narrowed to the pages the search is limited to (live, public, the
chosen types). On PostgreSQL, discsite/search_ranking_postgres.py bounds the
ranking and makes sure the full-text index is used.
"""

from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend


def SearchBackend(params):
    backend = DatabaseSearchBackend(params)
    if type(backend).__name__ == "SQLiteSearchBackend":
        from discsite.search_ranking_sqlite import RankedSQLiteSearchQueryCompiler, RankedSQLiteSearchResults

        backend.query_compiler_class = RankedSQLiteSearchQueryCompiler
        backend.results_class = RankedSQLiteSearchResults
    elif type(backend).__name__ == "PostgresSearchBackend":
        from discsite.search_ranking_postgres import (
            BoundedRankPostgresSearchQueryCompiler,
            BoundedRankPostgresSearchResults,
        )

        backend.query_compiler_class = BoundedRankPostgresSearchQueryCompiler
        backend.results_class = BoundedRankPostgresSearchResults
    return backend
