"""The public search's ranking (discsite/search_index.py, discsite/search_backend.py) on SQLite and on
PostgreSQL: the index it reads is laid out as it expects, it finds exactly the pages Wagtail's own
search finds, counts and pages them without gaps, ranks title matches first, and leaves Wagtail's
own searches (the admin, the choosers, the API) on modelsearch's backend as it ships."""

import re
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import Page, PageViewRestriction
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry
from wagtail.search.query import And, Or, PlainText

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.models import ArticlePage, QuestionPage
from discsite import search_backend, search_index
from discsite.search_backend import ranked_search

pytestmark = pytest.mark.usefixtures("seeded")

QUERIES = [
    PlainText("disc"),
    PlainText("leg pain", operator="and"),
    PlainText("massage therapy", operator="and"),
    PlainText("herniation symptoms", operator="or"),
    PlainText("nothingmatches"),
    And(
        [
            Or([PlainText("slipped disc", operator="and"), PlainText("herniated disc", operator="and")]),
            PlainText("pain"),
        ]
    ),
]


def pages():
    return Page.objects.live().public()


def as_listed(results):
    return [page.pk for page in results[0 : results.count()]]


# ---------------------------------------------------------------- the index, as search_index.py reads it


def test_the_index_is_laid_out_as_the_public_search_reads_it():
    """If this fails after an upgrade of Wagtail, modelsearch or Django, discsite/search_index.py needs the same change."""
    fields = {field.name: field for field in IndexEntry._meta.get_fields()}
    for name in ("content_type", "object_id", "title", "body"):
        assert name in fields, f"wagtail.search.models.IndexEntry has no `{name}` field any more"
    assert fields["object_id"].get_internal_type() in ("CharField", "TextField"), "IndexEntry.object_id is not text"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            from wagtail.search import models

            fts = getattr(models, "SQLiteFTSIndexEntry", None)
            assert fts is not None, "wagtail.search.models.SQLiteFTSIndexEntry (the FTS5 index) is gone"
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, fts._meta.db_table)
            ]
            assert columns == ["autocomplete", "body", "title"], (
                f"The FTS5 table's columns are now {columns}: bm25()'s weights in search_index.py follow their order"
            )
            assert fts._meta.get_field("index_entry").column == "rowid", (
                "The FTS5 rows are no longer the entries' rowid"
            )
        else:
            assert fields["title"].get_internal_type() == fields["body"].get_internal_type() == "SearchVectorField"
            indexes = connection.introspection.get_constraints(cursor, IndexEntry._meta.db_table)
            assert "discsite_indexentry_title_body_gin" in indexes, (
                "Migration 0006's GIN index on title || body is gone"
            )
            for name in ("discsite_indexentry_title_length", "discsite_indexentry_new_title_norm"):
                assert name in indexes, f"Migration 0012's index {name} is gone"
            # Migration 0012's storage settings: the body apart, the title in the row.
            cursor.execute(
                "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [IndexEntry._meta.db_table]
            )  # fmt: skip
            assert "toast_tuple_target=128" in (cursor.fetchone()[0] or []), (
                "Migration 0012's toast_tuple_target is gone"
            )
            cursor.execute(
                "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [IndexEntry._meta.db_table],
            )
            storage = dict(cursor.fetchall())
            assert [storage[column] for column in ("title", "autocomplete", "title_text", "body")] == list("mmmx"), (
                f"Migration 0012's column storage is gone: {storage}"
            )
    # Django's Query.sql_with_params(), the one library internal the search uses (on PostgreSQL).
    sql, params = search_index.sql_and_params(Page.objects.filter(pk=1).values("pk"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall() == [(1,)], "Django's Query.sql_with_params() no longer gives runnable SQL"
    page = ArticlePage.objects.live().first()
    word = max(re.findall(r"\w+", page.title), key=len)
    found = search_index.search(PlainText(word), pages())
    assert page.pk in found.pks, f"Searching the index for {word!r} no longer finds {page.title!r}"
    assert found.counts[page.content_type_id] >= 1
    assert search_index.search(PlainText("zzqxvnothing"), pages()).counts == {}


# ---------------------------------------------------------------- what the public search finds


@pytest.mark.parametrize("query", QUERIES, ids=repr)
def test_the_same_pages_match_as_with_wagtails_search_counted_by_type(query):
    expected = list(pages().search(query, order_by_relevance=False))
    results = ranked_search(query, pages())
    assert sorted(as_listed(results)) == sorted(page.pk for page in expected)
    assert results.facet("content_type_id") == Counter(page.content_type_id for page in expected)
    assert results.count() == len(expected)


@pytest.mark.parametrize("query", [PlainText("disc"), PlainText("leg pain", operator="and")], ids=repr)
def test_every_page_of_results_follows_without_gaps_or_repeats(monkeypatch, query):
    """Also past the PostgreSQL candidates ranked in full (3 of them here)."""
    monkeypatch.setattr(search_index, "CANDIDATES", 3)
    results = ranked_search(query, pages())
    total = results.count()
    assert total > 6, "the seed should match more pages than the candidates"
    paged = [page.pk for start in range(0, total, 2) for page in results[start : start + 2]]
    assert paged == as_listed(results)
    assert sorted(paged) == sorted(page.pk for page in pages().search(query))


def test_one_type_is_listed_and_every_type_counted():
    everything = ranked_search(PlainText("disc"), pages())
    answers = ranked_search(PlainText("disc"), pages(), of_type=QuestionPage)
    assert answers.facet("content_type_id") == everything.facet("content_type_id")
    listed = as_listed(answers)
    assert listed == [
        pk for pk in as_listed(everything) if pk in set(QuestionPage.objects.values_list("pk", flat=True))
    ]
    assert len(listed) == answers.count() > 0


def test_a_title_match_comes_before_a_body_match_and_a_newer_page_before_an_older_equal():
    in_body = ArticlePageFactory(title="Notes on backs", summary="All about the quokka.")
    in_title = ArticlePageFactory(title="Quokka notes", summary="All about backs.")
    older, newer = (ArticlePageFactory(title="Wombat twin", slug=f"wombat-{n}", summary="Same.") for n in range(2))
    assert [page.pk for page in ranked_search(PlainText("quokka"), pages())[0:2]] == [in_title.pk, in_body.pk]
    assert [page.pk for page in ranked_search(PlainText("wombat"), pages())[0:2]] == [newer.pk, older.pk]


def test_one_query_counts_and_ranks_and_one_more_loads_each_page_of_results(django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(search_index, "CANDIDATES", 5)
    searched = pages()  # (public() reads the view restrictions)
    with django_assert_num_queries(1):
        results = ranked_search(PlainText("disc"), searched)
        assert sum(results.facet("content_type_id").values()) == results.count() > 10
    with django_assert_num_queries(1):
        assert len(results[0:4]) == 4
    # Past the candidates ranked with the counts, the pages that follow cost one more: ranked again as far as
    # they go on SQLite, in title order on PostgreSQL.
    with django_assert_num_queries(2):
        assert len(results[6:10]) == 4
    # Their keys alone (what the results page loads its cards from) cost nothing more within the candidates.
    first = [(page.pk, page.content_type_id) for page in results[0:4]]
    with django_assert_num_queries(0):
        assert results.keys[0:4] == first


def test_pages_readers_may_not_see_are_neither_listed_nor_counted(monkeypatch):
    """Drafts, unpublished pages and pages under a view restriction match the words but are never
    listed, on any page of results, nor counted, however many of them rank above the pages shown."""
    monkeypatch.setattr(search_index, "CANDIDATES", 3)
    shown = [ArticlePageFactory(title=f"Numbat article {n}", slug=f"numbat-{n}") for n in range(4)]
    # The same words as the pages shown, newer: they would be listed first if they were not hidden.
    hidden = [ArticlePageFactory(title=f"Numbat article {n}", slug=f"numbat-draft-{n}", live=False) for n in range(4)]
    unpublished = ArticlePageFactory(title="Numbat article 9", slug="numbat-gone")
    unpublished.unpublish()
    restricted = ArticlePageFactory(title="Numbat article 8", slug="numbat-private")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="x")
    hidden += [unpublished, restricted]
    for of_type in (None, ArticlePage):
        results = ranked_search(PlainText("numbat"), pages(), of_type=of_type)
        assert results.count() == len(shown)
        assert results.facet("content_type_id") == {ContentType.objects.get_for_model(ArticlePage).pk: len(shown)}
        listed = [page.pk for start in range(0, 6, 2) for page in results[start : start + 2]]
        assert sorted(listed) == sorted(page.pk for page in shown)
        assert not {page.pk for page in hidden} & {pk for pk, _kind in results.keys[0:100]}


@pytest.mark.parametrize("candidates", [1, 3, 7, 200])
def test_equal_matches_are_listed_newest_first_across_the_candidates(monkeypatch, candidates):
    """Pages with the same words score the same: whatever the number ranked with the counts, each page of
    results follows on from the last, newest first, as if every match were ranked at once."""
    monkeypatch.setattr(search_index, "CANDIDATES", candidates)
    twins = [ArticlePageFactory(title="Echidna twin", slug=f"echidna-{n}", summary="Same.") for n in range(9)]
    other = QuestionPageFactory(title="Echidna question", summary="Echidna echidna echidna.")
    for of_type, expected in ((ArticlePage, twins), (QuestionPage, [other])):
        results = ranked_search(PlainText("echidna"), pages(), of_type=of_type)
        paged = [page.pk for start in range(0, 10, 4) for page in results[start : start + 4]]
        assert paged == sorted((page.pk for page in expected), reverse=True)
        assert results.count() == len(expected)


def test_on_another_backend_the_public_search_searches_as_that_backend_does(settings):
    """As on a search cluster (settings/production.py): here Wagtail's database backend, named directly."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
    results = ranked_search(PlainText("disc"), pages(), of_type=QuestionPage)
    expected = list(pages().search("disc"))
    assert results.facet("content_type_id") == Counter(page.content_type_id for page in expected)
    answers = [
        page.pk for page in expected if page.content_type_id == ContentType.objects.get_for_model(QuestionPage).pk
    ]
    assert [page.pk for page in results[0:100]] == answers


# ---------------------------------------------------------------- Wagtail's own searches


def test_wagtails_own_searches_use_modelsearchs_database_backend_as_it_is():
    """The admin, the choosers and the API search and autocomplete with the default backend: unchanged."""
    backend = get_search_backend()
    assert type(backend).__module__.startswith("modelsearch.backends.database.")
    assert type(pages().search("disc")).__module__ == type(backend).__module__
    found = pages().autocomplete("herni")
    assert found.count() == len(list(found)) > 0
    assert sum(found.facet("content_type_id").values()) == found.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an FTS5 string is SQLite's")
@pytest.mark.parametrize("query", ['"', '""', '"slipped disc"', 'disc"s', 'Wang "Fei'])
def test_a_double_quote_in_a_query_is_a_word_break_not_a_syntax_error(query):
    """On SQLite, modelsearch writes each word into an FTS5 string without doubling a quote in it."""
    words = search_backend.without_quotes(query)
    expected = [page.pk for page in pages().search(words)] if words else []
    assert [page.pk for page in pages().search(query)] == expected
    expected = [page.pk for page in pages().autocomplete(words)] if words else []
    assert [page.pk for page in pages().autocomplete(query)] == expected


# ---------------------------------------------------------------- PostgreSQL: past COUNTED matches

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bounded first pass is PostgreSQL's")


@pytest.fixture
def quolls(monkeypatch):
    """Two drafts (with "quoll" in the title, in the body) and a page under a view restriction; then six articles with it in the
    title and four with it in the body alone, oldest first; and the search counting at most five."""
    monkeypatch.setattr(search_index, "COUNTED", 5)
    ArticlePageFactory(title="Quoll notes draft", slug="quoll-draft", live=False)
    ArticlePageFactory(title="Marsupial draft", slug="marsupial-draft", summary="A quoll.", live=False)
    restricted = ArticlePageFactory(title="Quoll notes private", slug="quoll-private")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="x")
    titled = [ArticlePageFactory(title=f"Quoll notes {n}", slug=f"quoll-{n}", summary="Same.") for n in range(6)]
    in_body = [ArticlePageFactory(title=f"Marsupial {n}", slug=f"marsupial-{n}", summary="A quoll.") for n in range(3)]
    in_body.append(QuestionPageFactory(title="Which marsupial?", summary="The quoll."))
    return titled, in_body


# The first pass finds its title candidates by reading the newest entries where the newest TITLE_SAMPLE show
# them dense enough to find TITLE_CANDIDATES within TITLE_WALK entries ("walk"), else through the title's index.
ROUTES = {"walk": {"TITLE_SAMPLE": 1000, "TITLE_WALK": 1000}, "index": {"TITLE_SAMPLE": 1000, "TITLE_WALK": 100}}


@on_postgres
@pytest.mark.parametrize("route", ROUTES)
def test_past_counted_matches_none_is_counted_and_the_best_of_a_first_pass_are_listed(quolls, monkeypatch, route):
    titled, in_body = quolls
    for name, value in ROUTES[route].items():
        monkeypatch.setattr(search_index, name, value)
    results = ranked_search(PlainText("quoll"), pages())
    assert results.more_than == 5
    assert results.facet("content_type_id") == {}
    # Every title match first (equal titles: newest first), then the body matches, best first.
    listed = as_listed(results)
    assert listed[:6] == [page.pk for page in reversed(titled)]
    assert sorted(listed[6:]) == sorted(page.pk for page in in_body)
    assert results.count() == 10

    # The first pass is bounded: the 4 most recently indexed title matches, then as many of the most recent
    # body matches as make up the candidates listed (7). Either way finds the same.
    monkeypatch.setattr(search_index, "TITLE_CANDIDATES", 4)
    monkeypatch.setattr(search_index, "CANDIDATES", 7)
    results = ranked_search(PlainText("quoll"), pages())
    listed = as_listed(results)
    assert listed[:4] == [page.pk for page in reversed(titled[2:])]
    assert sorted(listed[4:]) == sorted(page.pk for page in in_body[1:])
    assert results.count() == 7


@on_postgres
def test_past_counted_matches_the_walk_for_title_candidates_stops_after_title_walk_entries(quolls, monkeypatch):
    """Where the newest entries are titled alike but older ones seldom are, the walk stops after TITLE_WALK
    entries with fewer than TITLE_CANDIDATES, and the body matches make up the rest."""
    titled, in_body = quolls
    newest = [ArticlePageFactory(title=f"Quoll news {n}", slug=f"quoll-news-{n}", summary="New.") for n in range(2)]
    monkeypatch.setattr(search_index, "TITLE_CANDIDATES", 4)
    monkeypatch.setattr(search_index, "CANDIDATES", 7)
    monkeypatch.setattr(search_index, "TITLE_SAMPLE", 2)  # both titled: the walk is expected to find 4 in 4
    monkeypatch.setattr(search_index, "TITLE_WALK", 5)  # the two, the answer and two of the articles before
    listed = as_listed(ranked_search(PlainText("quoll"), pages()))
    assert listed[:2] == [page.pk for page in reversed(newest)]
    assert sorted(listed[2:]) == sorted(page.pk for page in in_body)
    assert not set(listed) & {page.pk for page in titled}
    monkeypatch.setattr(search_index, "TITLE_WALK", 100)  # far enough: the 4 newest title matches
    listed = as_listed(ranked_search(PlainText("quoll"), pages()))
    assert listed[:4] == [page.pk for page in [*reversed(newest), *reversed(titled[-2:])]]


@on_postgres
def test_past_counted_matches_a_type_listed_alone_is_counted_if_it_has_no_more(quolls):
    titled, in_body = quolls
    answers = ranked_search(PlainText("quoll"), pages(), of_type=QuestionPage)
    assert answers.more_than == 5
    assert answers.facet("content_type_id") == {ContentType.objects.get_for_model(QuestionPage).pk: 1}
    assert as_listed(answers) == [in_body[-1].pk]
    articles = ranked_search(PlainText("quoll"), pages(), of_type=ArticlePage)
    assert articles.facet("content_type_id") == {}
    assert as_listed(articles)[:6] == [page.pk for page in reversed(titled)]
    assert articles.count() == 9


@on_postgres
def test_past_counted_matches_each_page_of_results_follows_and_readers_see_only_public_pages(
    quolls, django_assert_max_num_queries
):
    titled, in_body = quolls
    hidden = {page.pk for page in Page.objects.filter(slug__in=["quoll-draft", "marsupial-draft", "quoll-private"])}
    searched = pages()  # (public() reads the view restrictions)
    with django_assert_max_num_queries(3):  # counted (stopping past 5), the titles, the bodies
        results = ranked_search(PlainText("quoll"), searched)
    with django_assert_max_num_queries(0):
        keys = [pk for start in range(0, 12, 3) for pk, _kind in results.keys[start : start + 3]]
    assert keys == as_listed(results)
    assert sorted(keys) == sorted(page.pk for page in titled + in_body)
    assert not hidden & set(keys)
