"""The public search's reads of Wagtail's search index: the one module that knows its layout.

Wagtail's database search backend (modelsearch) keeps a row per indexed object in `IndexEntry`
(wagtail.search.models): the object's content type and primary key (`object_id`, as text), and
its `title` and `body`: tsvectors on PostgreSQL; on SQLite, text that triggers copy into the FTS5
table of `SQLiteFTSIndexEntry` (columns autocomplete, body, title; its rowid is the entry's id).

The public search matches and ranks those rows itself, through their models, because modelsearch's
own search does not scale with the pages a query matches: on SQLite it runs the FTS5 match again
for every candidate page, on PostgreSQL it ranks every match in full and matches again to count.
Here, on SQLite, one query finds and ranks every match (FTS5's bm25). On PostgreSQL, one query
finds the matches through the GIN index on `title || body` (migration 0006), counts them, and ranks
in full only the best CANDIDATES by title (ranking every body costs more than the rest of a search);
a page of results past them follows in title order. Either way a title match counts TITLE_WEIGHT
times a body match, and among equals the newer page comes first.

discsite/tests/test_search_backend.py checks this layout, and fails saying what changed if an
upgrade of Wagtail, modelsearch or Django changes it.
"""

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, Case, F, Func, IntegerField, TextField, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from wagtail.search.models import IndexEntry
from wagtail.search.query import And, Or, PlainText

TITLE_WEIGHT = 4
CANDIDATES = 200  # PostgreSQL: the best title matches, whose body is ranked too
UNIFORM = [1.0, 1.0, 1.0, 1.0]  # PostgreSQL: ts_rank's weights, whatever labels the index gave the words


@dataclass
class Found:
    counts: dict  # content type id -> how many of its objects match
    total: int  # how many are listed
    pks: list  # the listed matches' primary keys, best first (on PostgreSQL, the best CANDIDATES)
    more: object = None  # PostgreSQL: (start, stop) -> the primary keys listed there, past the candidates


def boolean_query(query, quote, and_, or_):
    """`query` (PlainText, And and Or, as discsite.search builds them) as a query of quoted words."""
    if isinstance(query, PlainText):
        parts = [quote(word) for word in query.query_string.split()]
        joiner = and_ if query.operator == "and" else or_
    elif isinstance(query, And | Or):
        parts = [boolean_query(subquery, quote, and_, or_) for subquery in query.subqueries]
        joiner = and_ if isinstance(query, And) else or_
    else:
        raise TypeError(f"The public search does not search {type(query).__name__} queries.")
    return f"({joiner.join(parts)})"


def fts5_query(query):
    """An FTS5 MATCH on the title and body, every word a string (a quote in it doubled)."""
    return "{title body} : " + boolean_query(query, lambda word: '"' + word.replace('"', '""') + '"', " AND ", " OR ")


def tsquery(query):
    """Text for PostgreSQL's `to_tsquery`, every word a quoted lexeme (the search config normalises it)."""
    quote = lambda word: "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"  # noqa: E731
    return boolean_query(query, quote, " & ", " | ")


def content_type_ids(model):
    """The content types of `model`'s objects, sorted: its own and its subclasses'."""
    models = [other for other in apps.get_models() if issubclass(other, model)]
    return sorted(content_type.pk for content_type in ContentType.objects.get_for_models(*models).values())


def sql_and_params(queryset):
    """The SQL of `queryset` and its parameters: Django's `Query.sql_with_params()`, the one name of a
    library's internals here (PostgreSQL needs the searched pages inside a common table expression)."""
    return queryset.query.sql_with_params()


def search(query, queryset, of_type=None):
    """The objects of `queryset` that match `query`: counted by content type, and listed best first
    (only those of the model `of_type`, if given)."""
    wanted = content_type_ids(queryset.model)
    listed = content_type_ids(of_type) if of_type else wanted
    on_sqlite = connections[queryset.db].vendor == "sqlite"
    return (sqlite_search if on_sqlite else postgres_search)(query, queryset, wanted, listed)


def sqlite_search(query, queryset, wanted, listed):
    from wagtail.search.models import SQLiteFTSIndexEntry  # defined only on SQLite

    # The model's table, quoted; the query a parameter.
    table = connections[queryset.db].ops.quote_name(SQLiteFTSIndexEntry._meta.db_table)
    match = RawSQL(f"{table} MATCH %s", [fts5_query(query)], output_field=BooleanField())  # noqa: S611
    # One weight per column (autocomplete, body, title); bm25 is lower for a better match.
    score = RawSQL(f"bm25({table}, 0, 1, %s)", [TITLE_WEIGHT])  # noqa: S611
    text_pks = queryset.order_by().annotate(text_pk=Cast("pk", TextField())).values("text_pk")
    rows = (
        SQLiteFTSIndexEntry.objects.using(queryset.db)
        .filter(match, index_entry__content_type_id__in=wanted, index_entry__object_id__in=text_pks)
        .order_by(score, Cast("index_entry__object_id", IntegerField()).desc())
        .values_list("index_entry__object_id", "index_entry__content_type_id")
    )
    to_python = queryset.model._meta.pk.to_python
    pks = [to_python(pk) for pk, content_type in rows if content_type in listed]
    return Found(dict(Counter(content_type for _pk, content_type in rows)), len(pks), pks)


def postgres_search(query, queryset, wanted, listed):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    config = settings.WAGTAILSEARCH_BACKENDS["default"].get("SEARCH_CONFIG")
    search_query = SearchQuery(tsquery(query), search_type="raw", config=config)
    # Ranked against the query as an InitPlan, `(SELECT to_tsquery(...))`: parsed once, not for every row.
    once = Func(search_query, template="(SELECT %(expressions)s)")
    vector = SearchVectorField()

    def matches(types):
        return (
            IndexEntry.objects.using(queryset.db)
            .annotate(
                # `title || body`, as migration 0006 indexes it: no other index serves the search, so the
                # planner takes this one (the content type and key are read only for the entries it finds).
                document=Func("title", "body", template="(%(expressions)s)", arg_joiner=" || ", output_field=vector),
                # The page's key, from the entries of `types` only (another model's key need not be a number).
                page=Cast(Case(When(content_type_id__in=types, then="object_id")), IntegerField()),
                entry=F("pk"),
                kind=F("content_type_id"),
                title_rank=SearchRank(F("title"), once, weights=UNIFORM),
            )
            .filter(document=search_query, page__in=queryset.order_by().values("pk"))
        )

    matched, matched_params = sql_and_params(matches(wanted).values("entry", "page", "kind", "title_rank"))
    to_tsquery, to_tsquery_params = ("to_tsquery(%s::regconfig, %s)", [config]) if config else ("to_tsquery(%s)", [])
    entries = connections[queryset.db].ops.quote_name(IndexEntry._meta.db_table)
    # The matches are collected once (MATERIALIZED), then both counted by type and cut to the best
    # CANDIDATES by title, whose body is ranked too. Every value is a parameter.
    sql = f"""
        WITH matches AS MATERIALIZED ({matched}),
        best AS (SELECT * FROM matches WHERE kind = ANY(%s) ORDER BY title_rank DESC, page DESC LIMIT %s)
        SELECT kind, count(*)::float8, NULL::integer FROM matches GROUP BY kind
        UNION ALL
        SELECT NULL, %s * best.title_rank + ts_rank(%s::float4[], entry.body, (SELECT {to_tsquery})), best.page
        FROM best JOIN {entries} entry ON entry.id = best.entry
    """  # noqa: S608
    params = [*matched_params, listed, CANDIDATES, TITLE_WEIGHT, UNIFORM, *to_tsquery_params, tsquery(query)]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = {kind: int(count) for kind, count, page in rows if page is None}
    best = sorted(((rank, page) for _kind, rank, page in rows if page is not None), reverse=True)
    total = sum(counts.get(kind, 0) for kind in listed)
    if total <= CANDIDATES:
        return Found(counts, total, [page for _rank, page in best])

    def more(start, stop):
        """The pages listed from `start` to `stop`, past the candidates: in title order."""
        return list(matches(listed).order_by("-title_rank", "-page").values_list("page", flat=True)[start:stop])

    return Found(counts, total, [page for _rank, page in best], more)
