"""The search of discsite/search_backend.py for PostgreSQL: matching through the index, bounded ranking.

Wagtail's PostgreSQL backend (modelsearch) has two costs that grow with every page a query matches,
and a health site's everyday words ("leg pain", "disc") match most of its pages:

1. Matching. It joins every page to its index entry and filters on `title || body`. Migration
   0006 indexes that expression (GIN), but with the join the planner prefers the content-type
   index and then unpacks and joins both vectors of every row (about 12 µs each: 125 ms at 10,000
   pages, against 10 ms through the GIN index). Here the matching entries are found in a subquery
   on the index table alone, whose content-type test cannot use an index (`content_type_id + 0`),
   with sequential scans off for the search's own queries (`SET LOCAL` in the search view's
   transaction, which it rolls back: discsite/search.py), so the GIN index is the only way in.
2. Ranking. `ts_rank` over every matching page's body costs about 70 ms at 10,000 pages. Here
   the matches are first ordered by their title's rank (small vectors, kept in the row), and only
   the best `CANDIDATES` of them are ranked in full (one query for both), title and body as
   modelsearch weighs them but against the whole query at once (modelsearch ranks each synonym
   of an OR separately: as many passes over every body). A query that matches fewer pages than
   that is ranked in full; a broader one shows its best title matches first, ranked in full;
   results past them (a deep page) follow in title-rank order.
"""

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db.models import CharField, Count, F, FloatField, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast
from modelsearch.backends.database.postgres.postgres import PostgresSearchQueryCompiler, PostgresSearchResults
from modelsearch.query import Fuzzy, MatchAll, Not
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.search.models import IndexEntry

CANDIDATES = 200


class BoundedRankPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
    def handled_here(self, score_field=None):
        return score_field is None and self.fields is None and not isinstance(self.query, MatchAll | Fuzzy | Not)

    def matching_entries(self, config, of_searched_pages=True):
        """The index entries of the searched pages that match the query, found through the GIN index."""
        search_query = self.build_tsquery(self.query, config=config)
        entries = IndexEntry.objects.annotate(
            search_content_type=F("content_type_id") + 0,  # not the content-type index: see the module docstring
            search_document=F("title")._combine(F("body"), "||", False),
            search_page=Cast("object_id", IntegerField()),
        ).filter(
            search_content_type__in=get_descendants_content_types_pks(self.queryset.model),
            search_document=search_query,
        )
        if of_searched_pages:
            entries = entries.filter(search_page__in=self.queryset.order_by().values("pk"))
        return entries

    def matching_pages(self, config):
        # The pages restrict the entries here: no need to join them twice.
        entries = self.matching_entries(config, of_searched_pages=False)
        return self.queryset.filter(pk__in=entries.values("search_page"))

    def search(self, config, start, stop, score_field=None, backend=None):
        if not self.handled_here(score_field):
            return super().search(config, start, stop, score_field=score_field, backend=backend)
        if not self.order_by_relevance:
            return self.matching_pages(config).order_by("-pk")[start:stop]

        entries = self.matching_entries(config)
        # One ts_rank per vector against the whole query, where modelsearch ranks each alternative of
        # an OR (every synonym) separately and averages: that many times fewer passes over each body.
        # The query as an InitPlan, `(SELECT to_tsquery(...) || ...)`, computed once per search: written
        # out in the rank, PostgreSQL would parse every synonym's to_tsquery again for every row.
        search_query = Func(
            self.build_tsquery(self.query, config=config),
            template="(SELECT %(expressions)s)",
            output_field=SearchQueryField(),
        )
        title_rank = SearchRank(F("title"), search_query, weights=self.sql_weights) * F("title_norm")
        by_title = entries.annotate(search_rank=title_rank).order_by("-search_rank", "-search_page")
        start = start or 0
        hits = []
        if start < CANDIDATES:
            # One query: the best title matches, each ranked in full from its own index entry.
            full_rank = title_rank + SearchRank(F("body"), search_query, weights=self.sql_weights)
            rank_of_page = (
                IndexEntry.objects.filter(
                    content_type_id=OuterRef("content_type_id"), object_id=Cast(OuterRef("pk"), CharField())
                )
                .annotate(search_rank=full_rank)
                .values("search_rank")[:1]
            )
            pages = (
                self.queryset.filter(pk__in=by_title.values("search_page")[:CANDIDATES])
                .annotate(search_rank=Subquery(rank_of_page, output_field=FloatField()))
                .order_by("-search_rank", "-pk")
            )
            hits = list(pages[start : min(stop, CANDIDATES) if stop is not None else CANDIDATES])
        if stop is None or stop > CANDIDATES:
            # Past the candidates (a deep page of results): the rest in title-rank order.
            ids = list(by_title.values_list("search_page", flat=True)[max(start, CANDIDATES) : stop])
            found = self.queryset.in_bulk(ids) if ids else {}
            hits += [found[pk] for pk in ids if pk in found]
        return hits


class BoundedRankPostgresSearchResults(PostgresSearchResults):
    def _do_count(self):
        compiler = self.query_compiler
        if not compiler.handled_here(self._score_field):
            return super()._do_count()
        return compiler.matching_pages(compiler.get_config(self.backend)).count()

    def facet(self, field_name):
        compiler = self.query_compiler
        if not compiler.handled_here() or compiler._get_filterable_field(field_name) is None:
            return super().facet(field_name)
        pages = compiler.matching_pages(compiler.get_config(self.backend))
        counts = pages.order_by().values(field_name).annotate(count=Count("pk")).order_by("-count")
        return {row[field_name]: row["count"] for row in counts}
