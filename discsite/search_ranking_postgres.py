"""The public search on PostgreSQL (discsite/search_backend.py's `ranked_search`): matching through the
index, bounded ranking. Only the public search uses these classes: Wagtail's own searches (the admin,
choosers, autocomplete, the API) keep modelsearch's PostgreSQL backend as it is.

Wagtail's PostgreSQL backend (modelsearch) has three costs that grow with every page a query matches,
and a health site's everyday words ("leg pain", "disc") match most of its pages:

1. Matching. It joins every page to its index entry and filters on `title || body`. Migration
   0006 indexes that expression (GIN), but with the join the planner prefers the content-type
   index and then unpacks and joins both vectors of every row (about 12 µs each: 125 ms at 10,000
   pages, against 10 ms through the GIN index). Here the matching entries are found in a subquery
   on the index table alone, whose content-type test cannot use an index (`content_type_id + 0`),
   with sequential scans off for the search's own queries (`SET LOCAL` in the search view's
   transaction, which it rolls back: discsite/search.py), so the GIN index is the only way in.
2. Ranking. `ts_rank` over every matching page's body costs about 70 ms at 10,000 pages. Here
   the matches are first ordered by their title's rank against every word of the query (small
   vectors, kept in the row, and a flat list of words), and only the best `CANDIDATES` of them are
   ranked in full, title and body as modelsearch weighs them but against the whole query at once
   (modelsearch ranks each synonym of an OR separately: as many passes over every body). A query
   that matches fewer pages than that is ranked in full; a broader one shows its best title
   matches first, ranked in full; results past them (a deep page) follow in title-rank order.
3. Counting. A results page shows how many pages of each type match, and counting them is a
   second pass over every match. Here one query collects the matches once and both counts them
   per type and picks the candidates from them, and the results object keeps both: the counts,
   the total and every results page within the candidates cost that one query.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connections
from django.db.models import F, Func, IntegerField
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from modelsearch.backends.database.postgres.postgres import PostgresSearchQueryCompiler, PostgresSearchResults
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.search.models import IndexEntry

CANDIDATES = 200


@dataclass(frozen=True)
class Candidates:
    """One pass over the matches: how many of each content type, and the best ones, ranked in full."""

    counts: dict  # content type id -> matching pages of that type
    page_ids: list  # the best CANDIDATES matches by title, in full-rank order

    @property
    def total(self):
        return sum(self.counts.values())


class BoundedRankPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
    found_candidates = None  # kept by the compiler, which every slice of one results object shares

    def handled_here(self, score_field=None):
        return score_field is None and self.fields is None and not isinstance(self.query, MatchAll | Fuzzy | Not)

    def content_type_ids(self):
        return get_descendants_content_types_pks(self.queryset.model)

    def matching_entries(self, config, of_searched_pages=True):
        """The index entries of the searched pages that match the query, found through the GIN index."""
        search_query = self.build_tsquery(self.query, config=config)
        entries = IndexEntry.objects.annotate(
            search_content_type=F("content_type_id") + 0,  # not the content-type index: see the module docstring
            search_document=CombinedExpression(F("title"), "||", F("body")),
            search_page=Cast("object_id", IntegerField()),
        ).filter(search_content_type__in=self.content_type_ids(), search_document=search_query)
        if of_searched_pages:
            entries = entries.filter(search_page__in=self.queryset.order_by().values("pk"))
        return entries

    def matching_pages(self, config):
        # The pages restrict the entries here: no need to join them twice.
        entries = self.matching_entries(config, of_searched_pages=False)
        return self.queryset.filter(pk__in=entries.values("search_page"))

    def query_once(self, config, query=None):
        """The query as an InitPlan, `(SELECT to_tsquery(...) || ...)`, computed once per search: written
        out in a rank, PostgreSQL would parse every synonym's to_tsquery again for every row."""
        return Func(
            self.build_tsquery(query or self.query, config=config),
            template="(SELECT %(expressions)s)",
            output_field=SearchQueryField(),
        )

    def any_word(self):
        """Every word of the query (not those it excludes), any of them: what titles are ranked by to pick
        the candidates. A title's rank against a flat list of words costs a third to a half less than
        against the query's tree of synonyms (whose AND ranks pairs of words by their distance), and
        it is paid for every match; the candidates' full rank is against the query itself."""
        found = []

        def collect(query):
            if isinstance(query, PlainText | Phrase):
                found.extend(word for word in re.split(r"[\s\-]+", query.query_string) if word)
            elif isinstance(query, Boost):
                collect(query.subquery)
            elif isinstance(query, And | Or):
                for subquery in query.subqueries:
                    collect(subquery)

        collect(self.query)
        return PlainText(" ".join(dict.fromkeys(found)), operator="or") if found else self.query

    def title_rank(self, config):
        return SearchRank(F("title"), self.query_once(config, self.any_word()), weights=self.sql_weights) * F(
            "title_norm"
        )

    def by_title(self, config):
        """Every match, best title first (newest first among equals)."""
        return self.matching_entries(config).annotate(search_rank=self.title_rank(config))

    def compiled(self, expression_or_queryset):
        """SQL and parameters for an expression over the index table, or for a queryset."""
        if hasattr(expression_or_queryset, "query"):
            queryset = expression_or_queryset
            return queryset.query.get_compiler(using=queryset.db).as_sql()
        query = IndexEntry.objects.all().query
        compiler = query.get_compiler(using=self.queryset.db)
        return compiler.compile(expression_or_queryset.resolve_expression(query))

    def candidates(self, config):
        """The counts and the ranked candidates, from one pass over the matches (kept for the next call).

        Written as SQL because it needs a common table expression, which the ORM cannot write: the
        matches are collected once (MATERIALIZED), then both counted per content type and cut to the
        best CANDIDATES by title, and only those have their body ranked. The parts that depend on the
        reader's query and the searched pages are compiled by the ORM (modelsearch's tsquery, the
        pages' queryset), and every value is a query parameter.
        """
        if self.found_candidates is not None:
            return self.found_candidates
        tsquery, tsquery_params = self.compiled(self.build_tsquery(self.query, config=config))
        words, words_params = self.compiled(self.build_tsquery(self.any_word(), config=config))
        pages, pages_params = self.compiled(self.queryset.order_by().values("pk"))
        content_types = sorted(self.content_type_ids())
        connection = connections[self.queryset.db]
        entries = connection.ops.quote_name(IndexEntry._meta.db_table)
        # The query written out where the GIN index must see it, and as an InitPlan, `(SELECT ...)`,
        # computed once per search, where it is ranked (written out in a rank, PostgreSQL would parse
        # every synonym's to_tsquery again for every row). One ts_rank per vector against the whole
        # query at once, where modelsearch ranks each alternative of an OR (every synonym)
        # separately: that many passes over each body.
        sql = f"""
            WITH matches AS MATERIALIZED (
                SELECT entry.id, entry.object_id::integer AS page_id, entry.content_type_id,
                       ts_rank(%s::float4[], entry.title, (SELECT {words})) * entry.title_norm AS title_rank
                FROM {entries} entry
                WHERE entry.content_type_id + 0 IN ({", ".join(["%s"] * len(content_types))})
                  AND (entry.title || entry.body) @@ {tsquery}
                  AND entry.object_id::integer IN ({pages})
            ),
            best AS (SELECT * FROM matches ORDER BY title_rank DESC, page_id DESC LIMIT %s)
            SELECT content_type_id, count(*)::float8, NULL::integer FROM matches GROUP BY content_type_id
            UNION ALL
            SELECT NULL, best.title_rank + ts_rank(%s::float4[], entry.body, (SELECT {tsquery})), best.page_id
            FROM best JOIN {entries} entry ON entry.id = best.id
        """  # noqa: S608 (ORM-compiled SQL and a quoted table name: every value is a parameter)
        params = [
            self.sql_weights,
            *words_params,
            *content_types,
            *tsquery_params,
            *pages_params,
            CANDIDATES,
            self.sql_weights,
            *tsquery_params,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        counts = {content_type: int(n) for content_type, n, page_id in rows if page_id is None}
        # Best full rank first; among equals, the newer page (the higher id), as modelsearch orders them.
        ranked = sorted(((rank, page_id) for _, rank, page_id in rows if page_id is not None), reverse=True)
        self.found_candidates = Candidates(counts=counts, page_ids=[page_id for _rank, page_id in ranked])
        return self.found_candidates

    @contextmanager
    def unranked(self):
        """Counting and faceting need no order: the matching pages alone, without ranking them."""
        relevance, self.order_by_relevance = self.order_by_relevance, False
        try:
            yield self
        finally:
            self.order_by_relevance = relevance

    def search(self, config, start, stop, score_field=None, backend=None):
        if not self.handled_here(score_field):
            return super().search(config, start, stop, score_field=score_field, backend=backend)
        if not self.order_by_relevance:
            return self.matching_pages(config).order_by("-pk")[start:stop]
        start = start or 0
        ids = []
        if start < CANDIDATES:
            ids = self.candidates(config).page_ids[start:stop]
        if stop is None or stop > CANDIDATES:
            # Past the candidates (a deep page of results): the rest in title-rank order.
            past = self.by_title(config).order_by("-search_rank", "-search_page")
            ids += list(past.values_list("search_page", flat=True)[max(start, CANDIDATES) : stop])
        found = self.queryset.in_bulk(ids) if ids else {}
        return [found[pk] for pk in ids if pk in found]


class BoundedRankPostgresSearchResults(PostgresSearchResults):
    def _do_count(self):
        compiler = self.query_compiler
        if not compiler.handled_here():  # (a score annotation changes no count)
            return super()._do_count()
        if compiler.order_by_relevance:  # counted on the way to the candidates, which paging needs anyway
            return compiler.candidates(compiler.get_config(self.backend)).total
        return compiler.matching_pages(compiler.get_config(self.backend)).count()

    def facet(self, field_name):
        compiler = self.query_compiler
        if field_name == "content_type_id" and compiler.order_by_relevance and compiler.handled_here():
            # The pass that ranks the candidates counts each type on the way (the index entry's content
            # type is its page's own: Wagtail indexes every page as its specific type).
            counts = compiler.candidates(compiler.get_config(self.backend)).counts
            return dict(sorted(counts.items(), key=lambda item: -item[1]))
        # Any other field (or query) as modelsearch facets it, which also checks that the field can be
        # faceted on, over the matching pages unranked (through the index here, when handled_here).
        with compiler.unranked():
            return super().facet(field_name)
