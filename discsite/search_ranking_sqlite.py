"""The public search's ranking on SQLite's FTS5 table (discsite/search_backend.py's `ranked_search`).

The hits are ranked in one query against the FTS5 table (its bm25 score, as modelsearch computes it),
then narrowed to the pages the search is limited to (live, public, the chosen types). Only the public
search uses these classes: Wagtail's own searches (the admin, choosers, autocomplete) keep
modelsearch's SQLite backend as it is.

Also the one change to modelsearch's SQLite backend that Wagtail's own searches get: a double quote
typed into a search box (`QuoteSafeSQLiteSearchBackend`).

A module of its own because importing modelsearch's SQLite backend defines its FTS5 model, which
only exists on SQLite: discsite/search_backend.py imports this only when the database is SQLite.
"""

import operator
from contextlib import contextmanager
from functools import reduce

from django.db.models import TextField
from django.db.models.functions import Cast
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteFTSIndexEntry,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
    get_descendants_content_types_pks,
)
from modelsearch.query import MatchAll, Not


class RankedSQLiteSearchQueryCompiler(SQLiteSearchQueryCompiler):
    def search(self, config, start, stop, score_field=None):
        normalized_query = normalize(self.query)
        if (
            not self.order_by_relevance
            or score_field is not None
            or (start is None and stop is None)  # facets: modelsearch's unranked query
            or isinstance(normalized_query, MatchAll | Not)
        ):
            return super().search(config, start, stop, score_field=score_field)

        match = MatchExpression(
            self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(normalized_query, config=config)
        )
        searchable = self.queryset.annotate(object_id_text=Cast("pk", TextField())).values("object_id_text")
        hits = (
            SQLiteFTSIndexEntry.objects.filter(match)
            .filter(
                index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model),
                index_entry__object_id__in=searchable,
            )
            .annotate(score=self.rank_expression(config))
            .values_list("index_entry__object_id", "score")
        )
        pk_field = self.queryset.model._meta.pk
        scored = [(score, pk_field.to_python(object_id)) for object_id, score in hits]
        # bm25 is lower for better matches; ties go to the newer page, as in modelsearch.
        scored.sort(key=lambda hit: (hit[0], -hit[1]))
        wanted = [pk for _score, pk in scored][start:stop]
        found = self.queryset.in_bulk(wanted) if wanted else {}
        return [found[pk] for pk in wanted if pk in found]

    def rank_expression(self, config):
        """modelsearch's score for a hit: the query's bm25 weighed by each vector's boost (the title's
        norm, the body's 1), summed, built from the compiler's public parts."""
        ranks = [
            self.build_tsrank(vector, self.query, config=config) * boost for vector, boost in self.get_search_vectors()
        ]
        return reduce(operator.add, ranks)

    @contextmanager
    def unranked(self):
        """Counting and faceting need no order, and modelsearch's unranked query is the quick one."""
        relevance, self.order_by_relevance = self.order_by_relevance, False
        try:
            yield self
        finally:
            self.order_by_relevance = relevance

    def count_hits(self, config):
        """How many pages match."""
        with self.unranked():
            return super().search(config, None, None).count()


class RankedSQLiteSearchResults(SQLiteSearchResults):
    def _do_count(self):
        return self.query_compiler.count_hits(self.query_compiler.get_config(self.backend))

    def facet(self, field_name):
        with self.query_compiler.unranked():
            return super().facet(field_name)


def without_quotes(query):
    """A query string with its double quotes read as the word breaks they are to FTS5 (a blank one as no query)."""
    if isinstance(query, str) and '"' in query:
        return " ".join(query.replace('"', " ").split())
    return query


class QuoteSafeSQLiteSearchBackend(SQLiteSearchBackend):
    """modelsearch's SQLite backend as it is, but for a double quote in a query string.

    modelsearch writes each word of the query into an FTS5 string ("word") without doubling a quote
    inside it, so a query with a `"` in it (the admin's search boxes and choosers pass what was typed
    as it is) fails with FTS5's "unterminated string". FTS5's tokenizer splits words at a quote, so a
    space in its place finds the same pages; a query of nothing but quotes finds none, as it does on
    PostgreSQL.
    """

    def search(self, query, model_or_queryset, *args, **kwargs):
        return super().search(without_quotes(query), model_or_queryset, *args, **kwargs)

    def autocomplete(self, query, model_or_queryset, *args, **kwargs):
        return super().autocomplete(without_quotes(query), model_or_queryset, *args, **kwargs)
