"""The ranked search of discsite/search_backend.py for SQLite's FTS5 table.

A module of its own because importing modelsearch's SQLite backend defines its FTS5 model, which
only exists on SQLite: discsite/search_backend.py imports this only when the database is SQLite.
"""

from contextlib import contextmanager

from django.db.models import TextField
from django.db.models.functions import Cast
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteFTSIndexEntry,
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
            .annotate(score=self._build_rank_expression(self.get_search_vectors(), config))
            .values_list("index_entry__object_id", "score")
        )
        pk_field = self.queryset.model._meta.pk
        scored = [(score, pk_field.to_python(object_id)) for object_id, score in hits]
        # bm25 is lower for better matches; ties go to the newer page, as in modelsearch.
        scored.sort(key=lambda hit: (hit[0], -hit[1]))
        wanted = [pk for _score, pk in scored][start:stop]
        found = self.queryset.in_bulk(wanted) if wanted else {}
        return [found[pk] for pk in wanted if pk in found]

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
