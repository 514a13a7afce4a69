"""Search: Wagtail's database backend as it is, and the public site's ranked search beside it.

`SearchBackend` (named in WAGTAILSEARCH_BACKENDS) is modelsearch's database backend, unchanged but
for one thing: everything Wagtail itself searches with (the admin's listings and search, every
chooser, its autocomplete, the API's `?search=`) runs on it as Wagtail ships it. The one thing: on
SQLite, a double quote in a query is searched as the word break it is to FTS5 rather than breaking
FTS5's syntax (discsite/search_ranking_sqlite.py's `QuoteSafeSQLiteSearchBackend`).

`ranked_search()` is the public search's alone (discsite/search.py). The database backend orders
hits by relevance in ways that do not scale with the pages a query matches: on SQLite, a correlated
subquery that re-runs the full-text match for every candidate page (minutes per search at 10,000
pages); on PostgreSQL, matching, ranking and counting each over every match. So, on the database
backend, the public search compiles its query with the ranked compilers of
discsite/search_ranking_sqlite.py (hits ranked in one query against the FTS5 table, by its bm25
score as modelsearch computes it) and discsite/search_ranking_postgres.py (matches found through the
GIN index, ranking bounded, counts taken on the way), and reads them through their own results
classes. On any other backend (a search cluster: settings/production.py), it searches as that
backend does.
"""

from django.db import connections
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.index import class_is_indexed
from wagtail.search.backends import get_search_backend


def SearchBackend(params):
    """The database backend modelsearch picks for the default database (WAGTAILSEARCH_BACKENDS names this)."""
    backend = DatabaseSearchBackend(params)
    if connections["default"].vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if type(backend) is SQLiteSearchBackend:  # not the fallback backend, without FTS5
            from discsite.search_ranking_sqlite import QuoteSafeSQLiteSearchBackend

            return QuoteSafeSQLiteSearchBackend(params)
    return backend


def ranked_classes(backend, using):
    """The ranked query compiler and results classes for `backend` on database `using`, or None.

    Imported only on their own database: importing modelsearch's SQLite backend defines its FTS5
    model, which only exists on SQLite.
    """
    vendor = connections[using].vendor
    if vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):  # not the fallback backend, without FTS5
            from discsite.search_ranking_sqlite import RankedSQLiteSearchQueryCompiler, RankedSQLiteSearchResults

            return RankedSQLiteSearchQueryCompiler, RankedSQLiteSearchResults
    elif vendor == "postgresql":
        from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

        if isinstance(backend, PostgresSearchBackend):
            from discsite.search_ranking_postgres import (
                BoundedRankPostgresSearchQueryCompiler,
                BoundedRankPostgresSearchResults,
            )

            return BoundedRankPostgresSearchQueryCompiler, BoundedRankPostgresSearchResults
    return None


def ranked_search(query, queryset, order_by_relevance=True):
    """The public search's results for `query` (a search query object) among `queryset`, best first.

    Searches with the default backend's configuration (its search config on PostgreSQL); only the
    query compiler and the results class are the ranked ones.
    """
    backend = get_search_backend()
    ranked = ranked_classes(backend, queryset.db)
    if ranked is None or query == "" or not class_is_indexed(queryset.model):
        # The backend's own search, which also answers an empty query or an unindexed model with no results.
        return backend.search(query, queryset, order_by_relevance=order_by_relevance)
    compiler_class, results_class = ranked
    compiler = compiler_class(queryset, query, order_by_relevance=order_by_relevance)
    compiler.check()
    return results_class(backend, compiler)
