"""The public search's reads of Wagtail's search index: the one module that knows its layout.

Wagtail's database search backend (modelsearch) keeps a row per indexed object in `IndexEntry`
(wagtail.search.models): the object's content type and primary key (`object_id`, as text), and
its `title` and `body`: tsvectors on PostgreSQL; on SQLite, text that triggers copy into the FTS5
table of `SQLiteFTSIndexEntry` (columns autocomplete, body, title; its rowid is the entry's id).

The public search matches and ranks those rows itself, through their models, because modelsearch's
own search does not scale with the pages a query matches: on SQLite it runs the FTS5 match again
for every candidate page, on PostgreSQL it ranks every match in full and matches again to count.
Here, on SQLite, one query counts the matches of the searched pages by type (unranked: through the
entries' index on content type and object id, each match's page looked up by key) and ranks by FTS5's
bm25 alone, with no join per match, the best CANDIDATES; only those are then checked against the
searched pages, and a page of results past the ones certainly best is ranked again as far as it goes
(ranking every match costs little more than ranking the best, but joining or loading every ranked
match cost more than the rest of a search). On PostgreSQL, one query
finds the matches through the GIN index on `title || body` (migration 0006), counts them, and ranks
in full only the best CANDIDATES by title (ranking every body costs more than the rest of a search);
a page of results past them follows in title order. Either way a title match counts TITLE_WEIGHT
times a body match, and among equals the newer page comes first.

On PostgreSQL that query stops reading matches past COUNTED (1,000). Counting and ranking every match
costs about a microsecond each, and an everyday word widened by its synonyms matches nearly every page
of a large site ("sciatica" or "leg pain": 94,000 of 100,000 entries; 170 to 250 ms a search when each
was counted). Past COUNTED, no type is counted (the reader is told there are more than 1,000) unless a
type listed alone has no more, and the CANDIDATES listed are the best of a bounded first pass
(`first_pass`): the most recently indexed TITLE_CANDIDATES entries whose title matches the whole query
(read newest first or through the title's index, as the newest entries show which costs less), ranked
by title, then if need be the most recently indexed matches in the body alone; those listed are ranked
by title and body as above. Every step reads a bounded number of entries, so a search costs much
the same at 10,000 pages as at 100,000.

discsite/tests/test_search_backend.py checks this layout, and fails saying what changed if an
upgrade of Wagtail, modelsearch or Django changes it.
"""

import math
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, Case, Count, Exists, F, Func, IntegerField, OuterRef, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from wagtail.search.models import IndexEntry
from wagtail.search.query import And, Or, PlainText

TITLE_WEIGHT = 4
CANDIDATES = 200  # ranked with the counts (on PostgreSQL: the best title matches, whose body is ranked too)
COUNTED = 1000  # PostgreSQL: matches counted and ranked in full; past them, a bounded first pass lists CANDIDATES
TITLE_CANDIDATES = 2000  # PostgreSQL, past COUNTED matches: the most recently indexed title matches ranked
TITLE_SAMPLE = 2000  # PostgreSQL: the newest entries whose title matches tell the first pass how to find them
TITLE_WALK = 30_000  # PostgreSQL: the most entries the first pass reads newest first for its title candidates
UNIFORM = [1.0, 1.0, 1.0, 1.0]  # PostgreSQL: ts_rank's weights, whatever labels the index gave the words


@dataclass
class Found:
    counts: dict  # content type id -> how many of its objects match
    total: int  # how many are listed
    keys: list  # the first listed matches, best first, as (primary key, content type id): all, or the best ones
    more: object = None  # (start, stop) -> the keys listed there, past `keys` (when they are not all)
    more_than: int | None = None  # more matches than this, not all counted: `counts` has the listed types' or none

    @property
    def pks(self):
        return [pk for pk, _kind in self.keys]


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

    db = queryset.db
    quote = connections[db].ops.quote_name
    fts = quote(SQLiteFTSIndexEntry._meta.db_table)
    entry_id = f"{quote(IndexEntry._meta.db_table)}.{quote(IndexEntry._meta.pk.column)}"
    match = fts5_query(query)
    entries = IndexEntry.objects.using(db)
    searched = queryset.order_by()

    def of_searched_pages(found):
        """The entries `found` of the searched pages (live, public): each looked up by its page's key."""
        return found.annotate(page=Cast("object_id", IntegerField())).filter(
            Exists(searched.filter(pk=OuterRef("page")))
        )

    # Every match counted by type, unranked. (The entries are read through their index on content type and
    # object id, which holds every column needed here.)
    matching = f"{entry_id} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"  # noqa: S608
    matching = RawSQL(matching, [match], BooleanField())  # noqa: S611
    counted = of_searched_pages(entries.filter(matching, content_type_id__in=wanted))
    counted = sql_and_params(counted.values("content_type_id").annotate(matches=Count("pk")).order_by())
    # The best matches (bm25 is lower for a better one; a weight per column: autocomplete, body, title),
    # ranked by FTS5 alone, then those of the searched pages among them.
    if listed == wanted:
        of_listed, of_listed_params = "", []
    else:
        of_listed, of_listed_params = sql_and_params(entries.filter(content_type_id__in=listed).values("pk"))
        # `+rowid`: each match is checked against the listed types' entries (FTS5 would look every one up).
        of_listed = f"AND +{fts}.rowid IN ({of_listed})"
    best = f"""
        SELECT rowid AS entry, bm25({fts}, 0, 1, %s) AS score FROM {fts}
        WHERE {fts} MATCH %s {of_listed} ORDER BY score LIMIT %s
    """  # noqa: S608
    in_best = RawSQL(f"{entry_id} IN (SELECT entry FROM best)", [], BooleanField())  # noqa: S611, S608
    shown = of_searched_pages(entries.filter(in_best, content_type_id__in=listed))
    shown = sql_and_params(shown.values_list("pk", "page", "content_type_id"))

    def ranked(limit, count=False):
        """The best `limit` matches, those of the searched pages among them best first (as many as are
        certainly the best: past the last match's score there may be others as good), and the counts."""
        parts = ["SELECT 1, entry, score, NULL FROM best", f"SELECT 2, * FROM ({shown[0]})"]  # noqa: S608
        params = [TITLE_WEIGHT, match, *of_listed_params, limit, *shown[1]]
        if count:
            parts.append(f"SELECT 0, *, NULL FROM ({counted[0]})")  # noqa: S608
            params += counted[1]
        with connections[db].cursor() as cursor:
            cursor.execute(f"WITH best AS MATERIALIZED ({best}) {' UNION ALL '.join(parts)}", params)
            rows = cursor.fetchall()
        counts = {kind: matches for part, kind, matches, _none in rows if part == 0}
        scores = {entry: score for part, entry, score, _none in rows if part == 1}
        listed_pages = sorted((scores[entry], -page, page, kind) for part, entry, page, kind in rows if part == 2)
        if len(scores) == limit:  # more may follow as good as the last: only those better are certain
            last = max(scores.values())
            listed_pages = [row for row in listed_pages if row[0] < last]
        return counts, [(page, kind) for _score, _order, page, kind in listed_pages], len(scores) < limit

    counts, pks, complete = ranked(CANDIDATES, count=True)
    total = sum(counts.get(kind, 0) for kind in listed)
    if complete or len(pks) >= total:
        return Found(counts, total, pks)

    def more(start, stop):
        """The pages listed from `start` to `stop`, past the candidates: ranked again, as far as `stop`."""
        limit = 2 * max(CANDIDATES, stop or total)
        while True:
            _counts, pks, complete = ranked(limit)
            if complete or (stop is not None and len(pks) >= stop):
                return pks[start:stop]
            limit *= 4

    return Found(counts, total, pks, more)


def postgres_search(query, queryset, wanted, listed):
    ranked = ranked_in_full(query, queryset, wanted, listed)
    if ranked.found is not None:
        return ranked.found
    # More than COUNTED matches: none of the types is counted. A type listed alone is counted and ranked in
    # full if it has no more than COUNTED matches itself, or else listed from the bounded first pass too.
    if listed != wanted:
        of_listed = ranked_in_full(query, queryset, listed, listed).found
        if of_listed is not None:
            of_listed.more_than = COUNTED
            return of_listed
    keys = first_pass(ranked.tsquery, queryset, listed)
    return Found({}, len(keys), keys, more_than=COUNTED)


@dataclass
class InFull:
    found: Found | None  # None: more than COUNTED matches
    tsquery: str | None = None  # the query as PostgreSQL normalised it (its `tsquery` as text), when there are more


def ranked_in_full(query, queryset, wanted, listed):
    """Every match counted by type and the best CANDIDATES ranked, in one statement, if there are no more than
    COUNTED matches (the statement stops reading them at one more)."""
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

    matched = matches(wanted).values("entry", "page", "kind", "title_rank")[: COUNTED + 1]
    matched, matched_params = sql_and_params(matched)
    to_tsquery, to_tsquery_params = ("to_tsquery(%s::regconfig, %s)", [config]) if config else ("to_tsquery(%s)", [])
    entries = connections[queryset.db].ops.quote_name(IndexEntry._meta.db_table)
    # The matches are collected once (MATERIALIZED), then both counted by type and, if they are all there, cut
    # to the best CANDIDATES by title, whose body is ranked too; the last row is the query as PostgreSQL
    # normalised it, for the first pass past COUNTED matches. Every value is a parameter.
    sql = f"""
        WITH matches AS MATERIALIZED ({matched}),
        best AS (
            SELECT * FROM matches WHERE kind = ANY(%s) AND (SELECT count(*) FROM matches) <= %s
            ORDER BY title_rank DESC, page DESC LIMIT %s
        )
        SELECT kind, count(*)::float8, NULL::integer, NULL::text FROM matches GROUP BY kind
        UNION ALL
        SELECT best.kind, %s * best.title_rank + ts_rank(%s::float4[], entry.body, (SELECT {to_tsquery})),
        best.page, NULL FROM best JOIN {entries} entry ON entry.id = best.entry
        UNION ALL
        SELECT NULL, NULL, NULL, (SELECT {to_tsquery})::text
    """  # noqa: S608
    parsed = [*to_tsquery_params, tsquery(query)]
    params = [*matched_params, listed, COUNTED, CANDIDATES, TITLE_WEIGHT, UNIFORM, *parsed, *parsed]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = {kind: int(count) for kind, count, page, _text in rows if kind is not None and page is None}
    if sum(counts.values()) > COUNTED:
        return InFull(None, next(text for kind, _count, _page, text in rows if kind is None))
    best = sorted(((rank, page, kind) for kind, rank, page, _text in rows if page is not None), reverse=True)
    total = sum(counts.get(kind, 0) for kind in listed)
    if total <= CANDIDATES:
        return InFull(Found(counts, total, [(page, kind) for _rank, page, kind in best]))

    def more(start, stop):
        """The pages listed from `start` to `stop`, past the candidates: in title order."""
        return list(matches(listed).order_by("-title_rank", "-page").values_list("page", "kind")[start:stop])

    return InFull(Found(counts, total, [(page, kind) for _rank, page, kind in best], more))


def first_pass(normalised, queryset, listed):
    """Past COUNTED matches, the best CANDIDATES of a bounded first pass, best first: among the TITLE_CANDIDATES
    most recently indexed entries whose title matches the whole query, the best by title; if there are fewer than
    CANDIDATES of those, the most recently indexed of the matches in the body alone after them. Each is then ranked
    by title and body, as the best are when every match is ranked.

    The title candidates are found one of two ways, chosen by how many of the newest TITLE_SAMPLE entries match:
    where they are dense enough to find TITLE_CANDIDATES within the newest TITLE_WALK entries, by reading the
    entries newest first (stopping there, with fewer if need be); otherwise through the title's GIN index, every
    title match, newest first. The statement chooses, not the planner: PostgreSQL estimates a `tsquery` of
    several words and their synonyms by multiplying each word's frequency, and for words that often come together
    on a page but seldom in one title ("herniated disc symptoms": 4,900 estimated, 280 found at 100,000 pages)
    it read the whole index newest first, 100,000 entries, to find them (40 ms). The sample costs about a
    millisecond, and either way then reads a bounded number of entries: at most TITLE_WALK, or the title matches
    of a query whose newest entries show them to be few (discsite/tests/test_search_backend.py shows both ways
    find the same candidates).

    The query is passed as the normalised `tsquery` constant, so that a filter does not parse it again for every
    row."""
    db = queryset.db
    entries = connections[db].ops.quote_name(IndexEntry._meta.db_table)
    searched, searched_params = sql_and_params(queryset.order_by().values("pk"))
    page = "(CASE WHEN entry.content_type_id = ANY(%s) THEN entry.object_id END)::integer"
    score = "%s * ts_rank(%s::float4[], entry.title, %s::tsquery) + ts_rank(%s::float4[], entry.body, %s::tsquery)"
    score_params = [TITLE_WEIGHT, UNIFORM, normalised, UNIFORM, normalised]
    # The sample's matches at and past which the walk finds TITLE_CANDIDATES within TITLE_WALK entries.
    dense = math.ceil(TITLE_CANDIDATES * TITLE_SAMPLE / TITLE_WALK)
    columns = "entry.id, entry.content_type_id, entry.object_id, entry.title"
    # Each way reads its entries in a subquery the planner cannot merge into the statement (its LIMIT, or
    # OFFSET 0): the newest entries in key order, or the title matches through the GIN index (the only other
    # way to them, as the search runs with sequential scans off: discsite/search.py). And each candidate's
    # page is looked up by key (an EXISTS with OFFSET 0 stays a lookup per row): as a join, the planner,
    # expecting up to TITLE_CANDIDATES of them, may read every page (25 ms at 100,000 pages) for a few hundred.
    by_title = f"""
        WITH sample AS MATERIALIZED (
            SELECT count(*) AS hits FROM (SELECT {columns} FROM {entries} entry ORDER BY entry.id DESC LIMIT %s) entry
            WHERE entry.title @@ %s::tsquery AND entry.content_type_id = ANY(%s)
        ),
        titled AS MATERIALIZED (
            (
                SELECT entry.id, entry.content_type_id AS kind, {page} AS page, entry.title
                FROM (SELECT {columns} FROM {entries} entry ORDER BY entry.id DESC LIMIT %s) entry
                WHERE (SELECT hits FROM sample) >= %s
                AND entry.title @@ %s::tsquery AND entry.content_type_id = ANY(%s) ORDER BY entry.id DESC LIMIT %s
            ) UNION ALL (
                SELECT entry.id, entry.content_type_id AS kind, {page} AS page, entry.title
                FROM (
                    SELECT {columns} FROM {entries} entry
                    WHERE entry.title @@ %s::tsquery AND entry.content_type_id = ANY(%s) OFFSET 0
                ) entry
                WHERE (SELECT hits FROM sample) < %s ORDER BY entry.id DESC LIMIT %s
            )
        ),
        best AS (
            SELECT id, kind, page FROM titled
            WHERE EXISTS (SELECT FROM ({searched}) searched WHERE searched.pk = titled.page OFFSET 0)
            ORDER BY ts_rank(%s::float4[], title, %s::tsquery) DESC, page DESC LIMIT %s
        )
        SELECT best.kind, {score}, best.page FROM best JOIN {entries} entry ON entry.id = best.id
    """  # noqa: S608
    in_body = f"""
        SELECT found.kind, {score}, found.page FROM (
            SELECT entry.id, entry.content_type_id AS kind, {page} AS page FROM {entries} entry
            WHERE (entry.title || entry.body) @@ %s::tsquery AND NOT entry.title @@ %s::tsquery
            AND entry.content_type_id = ANY(%s) AND {page} IN ({searched})
            ORDER BY entry.id DESC LIMIT %s
        ) found JOIN {entries} entry ON entry.id = found.id
    """  # noqa: S608
    with connections[db].cursor() as cursor:
        cursor.execute(
            by_title,
            [
                TITLE_SAMPLE, normalised, listed,
                listed, TITLE_WALK, dense, normalised, listed, TITLE_CANDIDATES,
                listed, normalised, listed, dense, TITLE_CANDIDATES,
                *searched_params, UNIFORM, normalised, CANDIDATES,
                *score_params,
            ],
        )  # fmt: skip
        rows = cursor.fetchall()
        if len(rows) < CANDIDATES:
            cursor.execute(
                in_body,
                [
                    *score_params, listed,
                    normalised, normalised, listed, listed, *searched_params, CANDIDATES - len(rows),
                ],
            )  # fmt: skip
            rows += cursor.fetchall()
    best = sorted(((rank, page, kind) for kind, rank, page in rows), reverse=True)
    return [(page, kind) for _rank, page, kind in best]
