"""Site search: synonyms, highlighting, filters, pagination, promotions, hostile input, queries.

Every test runs on the seeded site (the real content), so "slipped disc" is tried
against the pages the readers will get. Tests that need pages of their own give
them a word the seed content never uses (wombat, quokka), so the seeded pages
cannot change their counts. Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

import re

import pytest
import wagtail_factories
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.rich_text import RichText

from articles.blocks import body_texts
from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
from articles.models import ArticlePage, QuestionPage
from discsite import search, search_index
from discsite.core.caching import bump_content_version
from discsite.models import SearchSynonym
from discsite.search import MAX_QUERY_LENGTH, clean_query, expand, snippet
from experts.factories import ExpertPageFactory

pytestmark = pytest.mark.usefixtures("seeded")

ERROR_TEXT = ["OperationalError", "ProgrammingError", "DatabaseError", "syntax error", "Traceback", "fts5", "tsquery"]
RESULT_TITLE = re.compile(r'<h2 class="card__title"><a class="card__link" href="[^"]*">(.*?)</a></h2>', re.S)


def titles(response):
    """The result titles on a results page, as plain text."""
    return [re.sub(r"</?mark>", "", title) for title in RESULT_TITLE.findall(response.content.decode())]


def all_titles(client, **params):
    """Every result title, following the pagination."""
    found, page = [], 1
    while True:
        response = client.get("/search/", {**params, "page": page})
        assert response.status_code == 200
        found += titles(response)
        if response.context["results"] is None or not response.context["results"].has_next():
            return found
        page += 1


def health_titles():
    return set(QuestionPage.objects.live().values_list("title", flat=True)) | set(
        ArticlePage.objects.live().values_list("title", flat=True)
    )


# ---------------------------------------------------------------- synonyms


def test_the_migration_seeds_synonyms_editors_can_change():
    rows = {row.term: row.alternative_list for row in SearchSynonym.objects.all()}
    assert {"slipped disc", "ruptured disc", "prolapsed disc", "bulging disc"} <= set(rows["herniated disc"])
    assert rows["leg pain"] == ["sciatica"]
    assert rows["physiotherapy"] == ["physical therapy"]


def test_slipped_disc_finds_every_herniation_page(client):
    """The seeded pages never say "slipped disc", except one article; the synonym finds them all."""
    pages_saying_it = [
        page.title
        for page in [*QuestionPage.objects.live(), *ArticlePage.objects.live()]
        if "slipped disc" in search.page_text(page).lower()
    ]
    assert pages_saying_it == ["Herniated discs and back muscle spasms: how they are connected"]

    found = all_titles(client, q="slipped disc")

    assert health_titles() <= set(found)
    response = client.get("/search/", {"q": "slipped disc"})
    assert "herniated disc" in response.context["search_synonyms"]
    assert "Also searched for" in response.content.decode()


def test_without_the_synonyms_slipped_disc_finds_only_the_page_that_says_it(client):
    SearchSynonym.objects.all().delete()
    found = [title for title in all_titles(client, q="slipped disc") if title in health_titles()]
    assert found == ["Herniated discs and back muscle spasms: how they are connected"]


def test_a_canonical_term_also_finds_its_alternatives(client):
    ArticlePageFactory(title="Quokka notes", summary="Some people call it a prolapsed disc.", body=[])
    assert "Quokka notes" in titles(client.get("/search/", {"q": "quokka herniated disc"}))


def test_sciatica_finds_the_leg_pain_pages(client):
    found = all_titles(client, q="sciatica")
    assert {
        "Can a herniated lumbar disc cause leg pain?",
        "Leg pain and numbness from a herniated lumbar disc",
        "Lumbar disc herniation and leg weakness",
    } <= set(found)
    article = ArticlePage.objects.get(title="Leg pain and numbness from a herniated lumbar disc")
    assert "sciatica" not in search.page_text(article).lower()


def test_a_synonym_an_editor_adds_in_the_admin_takes_effect(client, roles):
    assert titles(client.get("/search/", {"q": "rubdown"})) == []

    client.force_login(roles["editor"])
    response = client.post(
        "/admin/snippets/discsite/searchsynonym/add/", {"term": "massage", "alternatives": "rubdown\nback rub"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    found = titles(client.get("/search/", {"q": "rubdown"}))
    assert "Can patients with lumbar disc herniation receive massage therapy?" in found
    assert "Massage and manual therapy" in found


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_editors_and_moderators_manage_synonyms_and_promotions(client, roles, role):
    client.force_login(roles[role])
    assert client.get("/admin/snippets/discsite/searchsynonym/").status_code == 200
    assert client.get("/admin/snippets/discsite/searchsynonym/add/").status_code == 200
    assert client.get("/admin/searchpicks/").status_code == 200
    assert client.get("/admin/searchpicks/add/").status_code == 200


def test_clinical_reviewers_do_not_manage_synonyms(client, roles):
    client.force_login(roles["clinician"])
    assert client.get("/admin/snippets/discsite/searchsynonym/add/").status_code in (302, 403)


def test_a_synonym_needs_words():
    with pytest.raises(ValidationError) as error:
        SearchSynonym(term="***", alternatives=" , ,").full_clean()
    assert set(error.value.message_dict) == {"term", "alternatives"}


def test_expansion_matches_phrases_whole_and_ignores_case_and_plurals():
    synonyms = [
        SearchSynonym(term="herniated disc", alternatives="slipped disc, ruptured disc"),
        SearchSynonym(term="Leg pain", alternatives="sciatica"),
    ]
    expanded = expand("What is a SLIPPED DISCS and sciatica? discomfort", synonyms)
    assert expanded.slots == [
        [("slipped", "discs"), ("herniated", "disc"), ("ruptured", "disc")],
        [("sciatica",), ("leg", "pain")],
        [("discomfort",)],
    ]
    assert expanded.synonyms == ["herniated disc", "ruptured disc", "leg pain"]
    assert "what" not in expanded.terms
    # "slipped" alone is not the phrase "slipped disc".
    assert expand("slipped", synonyms).slots == [[("slipped",)]]
    assert expand("disc DISC disc", synonyms).slots == [[("disc",)]]


# ---------------------------------------------------------------- highlighting and snippets


def test_results_mark_the_words_and_their_synonyms_and_escape_the_content(client):
    ArticlePageFactory(
        title="Quokka guide <b>bold</b>",
        summary="Living with a herniated disc <script>alert('x')</script> & other things.",
        body=[("paragraph", RichText("<p>Tom &amp; Jerry &lt;img src=x onerror=alert(1)&gt; quokka</p>"))],
    )
    response = client.get("/search/", {"q": "quokka slipped disc"})
    body = response.content.decode()
    assert titles(response) == ["Quokka guide &lt;b&gt;bold&lt;/b&gt;"]
    snippet_html = re.search(r'search-result__snippet">(.*?)</p>', body, re.S).group(1)
    assert "<mark>herniated</mark> <mark>disc</mark>" in snippet_html
    assert "&lt;script&gt;" in snippet_html
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "<mark>Quokka</mark> guide &lt;b&gt;bold&lt;/b&gt;" in body


def test_the_snippet_is_a_window_around_the_first_match():
    text = " ".join(f"word{number}" for number in range(100)) + " herniated " + " ".join(["tail"] * 50)
    result = snippet(text, ["herniated"])
    assert result.startswith("… ")
    assert result.endswith(" …")
    assert "<mark>herniated</mark>" in result
    assert len(result.split()) <= search.SNIPPET_WORDS + 2


def test_without_a_match_in_the_text_the_snippet_is_its_beginning():
    assert snippet("One two three & four", ["absent"]) == "One two three &amp; four"


def test_snippet_text_comes_from_the_prose_blocks_only():
    page = ArticlePageFactory(
        title="Quokka blocks",
        body=[
            ("heading", {"text": "Quokka heading", "level": "h2"}),
            ("paragraph", RichText("<p>First <b>para</b>graph.</p><p>Second.</p>")),
            ("list", {"style": "bulleted", "items": [RichText("<p>item one</p>"), RichText("<p>item two</p>")]}),
            ("sponsored", {"sponsor": "Acme", "content": RichText("<p>Buy the quokka device</p>")}),
        ],
        is_sponsored=True,
        sponsor_disclosure="Acme paid for part of this page.",
    )
    page = ArticlePage.objects.get(pk=page.pk)
    text = " ".join(body_texts(page.body, prose_only=True))
    assert "Quokka heading" in text
    assert "First paragraph." in text
    assert "item one" in text
    assert "item two" in text
    assert "Buy" not in text


def test_each_page_type_gives_the_text_its_snippet_is_cut_from(settings, tmp_path, django_assert_num_queries):
    """`search_text()`: an answer or article its summary and prose, an expert their biography, a topic or a
    section its introduction; read without a query, however many image or recording blocks the body has."""
    settings.MEDIA_ROOT = tmp_path
    image = wagtail_factories.ImageFactory(title="Quokka diagram")
    article = ArticlePageFactory(
        title="Quokka prose",
        summary="The quokka summary.",
        body=[
            ("image", {"image": image, "alt_text": "A quokka spine", "caption": "Figure", "credit": ""}),
            ("paragraph", RichText("<p>Quokka &amp; wombat prose.</p>")),
            ("callout", {"kind": "warning", "title": "", "text": RichText("<p>Quokka warning.</p>")}),
            ("quote", {"quote": "Quokkas smile.", "attribution": "Dr Quokka"}),
        ],
    )
    expert = ExpertPageFactory(title="Quokka Expert", bio="<p>Treats quokkas.</p><p>Since 2001.</p>")
    topic = TopicPageFactory(title="Quokkas", intro="All about quokkas.")
    article, expert, topic = (type(page).objects.get(pk=page.pk) for page in (article, expert, topic))
    section = topic.get_parent().specific
    section.intro = "Topics of quokkas."
    with django_assert_num_queries(0):
        texts = [page.search_text() for page in (article, expert, topic, section)]
    assert texts == [
        "The quokka summary. Quokka & wombat prose. Quokka warning. Quokkas smile. Dr Quokka",
        "Treats quokkas. Since 2001.",
        "All about quokkas.",
        "Topics of quokkas.",
    ]
    assert search.page_text(article) == texts[0]


# ---------------------------------------------------------------- filters, counts, pagination


@pytest.fixture
def wombats():
    """Two answers, three articles, an expert and a topic about wombats."""
    for number in range(2):
        QuestionPageFactory(title=f"Wombat question {number}?")
    for number in range(3):
        ArticlePageFactory(title=f"Wombat article {number}")
    ExpertPageFactory(title="Wombat Jones", department="Wombatology")
    TopicPageFactory(title="Wombats")


def test_results_are_counted_by_type_and_filtered(client, wombats):
    response = client.get("/search/", {"q": "wombat"})
    assert response.context["result_count"] == 7
    counts = {link["slug"]: link["count"] for link in response.context["type_links"]}
    assert counts == {"": 7, "answer": 2, "article": 3, "expert": 1, "topic": 1}
    body = response.content.decode()
    assert 'aria-label="Filter results by type"' in body
    assert 'aria-current="page">All results' in body
    assert "?q=wombat&amp;type=article" in body
    assert "7 results for" in body

    articles = client.get("/search/", {"q": "wombat", "type": "article"})
    assert sorted(titles(articles)) == ["Wombat article 0", "Wombat article 1", "Wombat article 2"]
    assert articles.content.decode().count('<p class="card__label">Article') == 3
    assert "3 results for" in articles.content.decode()

    experts = client.get("/search/", {"q": "wombat", "type": "expert"})
    assert titles(experts) == ["Dr Wombat Jones"]
    assert "Wombatology" in experts.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search stops counting on PostgreSQL")
def test_past_the_matches_counted_the_reader_is_told_there_are_more_and_shown_the_best(client, wombats, monkeypatch):
    """On PostgreSQL the search counts at most search_index.COUNTED matches (1,000; 5 here): past them it says
    so, lists the best of a bounded first pass, and counts a type listed alone if it has no more."""
    monkeypatch.setattr(search_index, "COUNTED", 5)
    response = client.get("/search/", {"q": "wombat"})
    assert response.context["result_count"] is None
    assert response.context["result_more_than"] == 5
    body = response.content.decode()
    assert "More than 5 results for “<strong>wombat</strong>”. The best 7 are listed" in body
    assert len(titles(response)) == 7
    # The filters are there, without counts.
    assert 'aria-current="page">All results</a>' in body
    assert ">Articles</a>" in body
    assert "search-filters__count" not in body
    # A type with no more than 5 is counted when listed alone; one with more would not be.
    articles = client.get("/search/", {"q": "wombat", "type": "article"})
    assert articles.context["result_count"] == 3
    assert "3 results for “<strong>wombat</strong>” in articles" in articles.content.decode()
    assert '>Articles <span class="search-filters__count">(3<' in articles.content.decode()
    monkeypatch.setattr(search_index, "COUNTED", 2)
    articles = client.get("/search/", {"q": "wombat", "type": "article", "page": "01"})  # (ranked afresh)
    assert "More than 2 results for “<strong>wombat</strong>” in articles. The best 3 are listed" in (
        articles.content.decode()
    )


def test_each_type_shows_what_a_reader_needs(client, wombats):
    body = client.get("/search/", {"q": "wombat"}).content.decode()
    assert "Expert answer" in body
    assert "Not yet clinically reviewed" in body
    assert "Everything about <mark>wombats</mark>." in body  # the topic's intro
    ArticlePage.objects.filter(title="Wombat article 0").update(last_reviewed_on="2025-01-23")
    bump_content_version()  # as a publication does: a bare update() bypasses what keeps the caches right
    body = client.get("/search/", {"q": "wombat", "type": "article"}).content.decode()
    assert 'Medically reviewed <time datetime="2025-01-23">23 Jan 2025</time>' in body


@pytest.mark.parametrize("value", ["bogus", "", "ANSWER", "<script>", "answer&type=expert"])
def test_an_unknown_type_is_ignored(client, wombats, value):
    response = client.get("/search/", {"q": "wombat", "type": value})
    assert response.status_code == 200
    assert response.context["result_count"] == 7
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_pagination_keeps_the_query_and_the_type(client):
    for number in range(15):
        ArticlePageFactory(title=f"Wombat article {number}")
    first = client.get("/search/", {"q": "wombat", "type": "article"})
    assert len(titles(first)) == 12
    body = first.content.decode()
    assert 'href="/search/?q=wombat&amp;type=article&amp;page=2"' in body

    second = client.get("/search/", {"q": "wombat", "type": "article", "page": "2"})
    assert len(titles(second)) == 3
    assert set(titles(first)).isdisjoint(titles(second))
    assert "Page 2 of 2" in second.content.decode()
    # Out of range and nonsense pages give a page, not an error.
    assert client.get("/search/", {"q": "wombat", "page": "99"}).status_code == 200
    assert client.get("/search/", {"q": "wombat", "page": "x"}).status_code == 200


# ---------------------------------------------------------------- promotions


def test_promoted_pages_come_first_with_their_own_words_only(client, wombats, roles):
    """A promotion carries no words of its own: readers get the page's own title and description.

    An editor adds a promotion with free-text advice and an external link through the admin's own
    form; neither reaches readers, who never see what no clinician approved.
    """
    recommended = ArticlePageFactory(title="All about marsupials", summary="What wombats teach us about backs.")
    editor = Client()
    editor.force_login(roles["editor"])
    response = editor.post(
        "/admin/searchpicks/add/",
        {
            "query_string": "wombat",
            "editors_picks-TOTAL_FORMS": "2",
            "editors_picks-INITIAL_FORMS": "0",
            "editors_picks-MIN_NUM_FORMS": "0",
            "editors_picks-MAX_NUM_FORMS": "1000",
            "editors_picks-0-page": str(recommended.pk),
            "editors_picks-0-external_link_url": "",
            "editors_picks-0-external_link_text": "",
            "editors_picks-0-description": "Stop physiotherapy and rest for a month.",
            "editors_picks-0-ORDER": "0",
            "editors_picks-0-DELETE": "",
            "editors_picks-1-page": "",
            "editors_picks-1-external_link_url": "https://example.org/wombats",
            "editors_picks-1-external_link_text": "Buy the wombat brace",
            "editors_picks-1-description": "Half price today.",
            "editors_picks-1-ORDER": "1",
            "editors_picks-1-DELETE": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SearchPromotion.objects.filter(query__query_string="wombat").count() == 2

    body = client.get("/search/", {"q": "Wombat"}).content.decode()

    recommended_at = body.index(">Recommended</h2>")
    assert recommended_at < body.index('class="result-list"')
    promotions = body[recommended_at : body.index('class="result-list"')]
    assert "All about marsupials" in promotions
    assert "What wombats teach us about backs." in promotions
    for free_text in ("Stop physiotherapy", "Buy the wombat brace", "Half price", "example.org"):
        assert free_text not in body


def test_a_promotion_for_a_term_is_shown_for_its_synonyms_and_only_on_the_first_page(client):
    for number in range(13):
        ArticlePageFactory(title=f"Wombat slipped disc {number}")
    recommended = ArticlePageFactory(title="All about marsupials")
    SearchPromotion.objects.create(query=Query.objects.create(query_string="herniated disc"), page=recommended)

    for query in ("herniated disc", "Slipped  DISC?", "ruptured disc"):
        assert ">Recommended</h2>" in client.get("/search/", {"q": query}).content.decode(), query
    second_page = client.get("/search/", {"q": "slipped disc", "page": "2"})
    assert second_page.context["results"].number == 2
    assert ">Recommended</h2>" not in second_page.content.decode()
    assert ">Recommended</h2>" not in client.get("/search/", {"q": "wombat"}).content.decode()


def test_promotions_of_a_draft_page_are_not_shown(client, wombats):
    draft = ArticlePageFactory(title="Unpublished marsupials", live=False)
    SearchPromotion.objects.create(query=Query.objects.create(query_string="wombat"), page=draft, sort_order=0)
    body = client.get("/search/", {"q": "wombat"}).content.decode()
    assert "Unpublished marsupials" not in body
    assert ">Recommended<" not in body


def test_searching_records_nothing(client, wombats):
    """No database writes on a reader's GET: no query rows, no hit counts (the performance budget)."""
    with CaptureQueriesContext(connection) as queries:
        for params in ({"q": "wombat"}, {"q": "slipped disc"}, {"q": "nothing matches this"}, {"q": ""}):
            assert client.get("/search/", params).status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)", q["sql"], re.I)]
    assert writes == []
    assert not Query.objects.exists()


# ---------------------------------------------------------------- hostile input

HOSTILE = [
    "",
    " ",
    "\t\n\r",
    "' OR 1=1 --",
    "'; DROP TABLE wagtailcore_page; --",
    '" OR ""="',
    '"unterminated',
    '"',
    "'",
    "''",
    "a AND OR NOT",
    "AND",
    "OR OR",
    "NOT disc",
    "NEAR(",
    "NEAR(disc pain, 2)",
    "*",
    "-",
    "-disc",
    "disc*",
    "^disc",
    "title:disc",
    "{title body}: disc",
    "disc:*",
    "a & b | !c",
    "!!!",
    "(((disc",
    "disc)))",
    "<->",
    "\\",
    "\\x00",
    "disc\x00pain",
    "\x00",
    "\x01\x02\x1b[31m\x7f",
    "%",
    "100% _ %%",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    "😀 disc",
    "".join(chr(ord(char) + 0xFEE0) for char in "slipped") + "\u3000disc",  # full-width letters and space
    "Ünïcödé straße",
    "腰椎间盘突出",
    "\u202edisc\u200b",
    "$$; SELECT pg_sleep(5); $$",
    "E'\\\\x00'",
    "disc " * 300,
    "x" * 5000,
    "😀" * 300,
    "a " * 200,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_a_normal_page(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    for text in ERROR_TEXT:
        assert text not in body
    assert "could not search" not in body, "the query should have been made safe, not caught"
    assert "<script>alert(1)" not in body
    assert "\x00" not in body


@pytest.mark.parametrize(
    "query_string",
    [
        "q=a&q=b",
        "q[]=disc",
        "q=disc&type=answer&type=bogus",
        "q=%FF%FE%00",
        "q=%ED%A0%80",
        "q=%00",
        "q=disc&page=-1",
        "q=disc&page=999999999999999999999",
        "q=" + "%25" * 100,
    ],
)
def test_odd_parameters_give_a_normal_page(client, query_string):
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == 200
    for text in ERROR_TEXT:
        assert text not in response.content.decode()


def test_a_long_query_is_cut_and_the_reader_told(client):
    response = client.get("/search/", {"q": "disc " * 100})
    assert len(response.context["search_query"]) <= MAX_QUERY_LENGTH
    assert f"longer than {MAX_QUERY_LENGTH} characters" in response.content.decode()


def test_clean_query():
    assert clean_query("  slipped\x00disc\t\n pain\u200b ") == ("slipped disc pain", False)
    assert clean_query(["not", "a", "string"])[0] == "['not', 'a', 'string']"
    assert clean_query(None) == ("", False)
    text, truncated = clean_query("x" * 500)
    assert (len(text), truncated) == (MAX_QUERY_LENGTH, True)


def test_a_query_of_nothing_searchable_says_so(client):
    body = client.get("/search/", {"q": "the *** -"}).content.decode()
    assert "no words we can look for" in body


def test_a_backend_error_is_logged_and_the_reader_sees_a_normal_page(client, monkeypatch, caplog):
    """A real database error in the middle of the search (on PostgreSQL it also aborts the transaction)."""
    from discsite import search_backend

    def broken(self, field_name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM no_such_table")

    monkeypatch.setattr(search_backend.RankedResults, "facet", broken)
    response = client.get("/search/", {"q": "disc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sorry, we could not search" in body
    for text in [*ERROR_TEXT, "no_such"]:
        assert text not in body
    assert "Site search failed" in caplog.text
    # The rest of the page still renders after the failed search (the footer's settings are read after it).
    assert "It does not replace advice from a doctor" in body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an FTS5 syntax error is SQLite's")
def test_a_real_fts5_syntax_error_is_caught(client, monkeypatch, caplog):
    """If an unsafe query ever reached FTS5, the reader would still get a page."""
    from discsite import search_index

    monkeypatch.setattr(search_index, "fts5_query", lambda query: 'disc" OR')
    response = client.get("/search/", {"q": "disc"})
    assert response.status_code == 200
    assert "Sorry, we could not search" in response.content.decode()
    assert "Site search failed" in caplog.text


# ---------------------------------------------------------------- queries


def make_matches(count, start=0):
    """`count` pages about wombats, of all four types in turn."""
    factories = [
        lambda n: QuestionPageFactory(title=f"Wombat question {n}?"),
        lambda n: ArticlePageFactory(title=f"Wombat article {n}"),
        lambda n: ExpertPageFactory(title=f"Wombat Expert{n}"),
        lambda n: TopicPageFactory(title=f"Wombat topic {n}"),
    ]
    for number in range(start, start + count):
        factories[number % 4](number)


def count_queries(client, params):
    client.get("/search/", params)  # warm the caches a first reader fills (sites, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return len(queries), response


# The search's own queries, over what every page costs (site settings): the synonyms, the
# view restrictions, the counts per type, one page of results, one query per result type
# (two for health pages), the promotions, the site, and the savepoint around the search
# (SAVEPOINT/RELEASE inside the test's transaction; nothing in autocommit).
SEARCH_QUERIES = 12


@pytest.mark.parametrize("type_", ["", "answer", "article", "expert", "topic"])
def test_the_results_page_needs_the_same_queries_for_5_and_40_matches(client, type_):
    every_page, _ = count_queries(client, {"q": ""})
    make_matches(5)
    few, response = count_queries(client, {"q": "wombat", "type": type_})
    assert response.context["result_count"] >= 1

    make_matches(40, start=5)
    many, response = count_queries(client, {"q": "wombat", "type": type_})
    assert len(response.context["results"].object_list) >= 11  # a full page: a query per result would show
    if type_:
        assert many == few
    else:
        # All four types are on page 1 of the 5 matches; of the 40, perhaps not: never more queries.
        assert many <= few
    assert few - every_page <= SEARCH_QUERIES


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search stops counting on PostgreSQL")
@pytest.mark.parametrize("type_", ["", "article"])
def test_past_the_matches_counted_the_results_page_needs_the_same_queries_for_5_and_40(client, type_, monkeypatch):
    """The bounded first pass (search_index.first_pass) adds a query or two, however many pages match."""
    monkeypatch.setattr(search_index, "COUNTED", 3)
    every_page, _ = count_queries(client, {"q": ""})
    make_matches(5)
    few, response = count_queries(client, {"q": "wombat", "type": type_})
    assert response.context["result_more_than"] == 3
    make_matches(40, start=5)
    many, response = count_queries(client, {"q": "wombat", "type": type_})
    assert response.context["result_more_than"] == 3
    assert len(response.context["results"].object_list) >= 10
    assert many == few
    assert few - every_page <= SEARCH_QUERIES
