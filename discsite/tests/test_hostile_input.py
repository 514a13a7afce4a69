"""Hostile input to every public parameter: no server error, and no database error text, ever.

Two passes over each parameter:
- the whole corpus of discsite/tests/hostile.py (over 300 values: very long, control characters,
  NUL, invalid UTF-8, unicode edge cases, SQL, full-text and template syntax, markup, paths,
  negative and huge numbers), one value at a time;
- hypothesis: corpus values, made-up text and numbers, and the two run together, sent as a
  scalar or as an array where a scalar is expected (`?q=a&q=b`, `?q[]=a`, `?q[0]=a`), several
  parameters at once.

Parameters: search (`q`, `type`, `page`), every listing's `page`, the feed, the sitemap's and its sections' `p`,
the API's filters, fields, ordering, search and paging on pages, images and documents, the API's
find-by-path, document file names, and page paths (section, topic, expert and article slugs).

Runtime is bounded by the hypothesis profile: HYPOTHESIS_PROFILE=ci (derandomized, more
examples; .ci/run) or dev (the default, fewer examples, random).
"""

import os
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from discsite.tests import hostile

settings.register_profile(
    "dev",
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ci", settings.get_profile("dev"), max_examples=60, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

pytestmark = pytest.mark.usefixtures("hostile_site")


@pytest.fixture(scope="module")
def _hostile_site_module(django_db_setup, django_db_blocker):
    """A small site with every page type and enough answers for two pages of listings and of search results.

    Built once per module inside a transaction rolled back afterwards (like `seeded`, at a tenth of its cost).
    """
    from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
    from discsite.factories import build_site_tree
    from experts.factories import ExpertPageFactory

    with django_db_blocker.unblock(), transaction.atomic():
        build_site_tree()
        expert = ExpertPageFactory(title="Wang Fei", slug="wang-fei")
        TopicPageFactory(title="Symptoms", slug="symptoms")
        QuestionPageFactory(
            title="How do I relieve lower back stiffness?", slug="relieve-lower-back-stiffness", author=expert
        )
        for number in range(26):
            QuestionPageFactory(title=f"Disc question {number}?", author=expert, tags=["Symptoms"])
        for number in range(3):
            ArticlePageFactory(title=f"Disc article {number}", tags=["Symptoms"])
        yield
        transaction.set_rollback(True)


@pytest.fixture
def hostile_site(_hostile_site_module, db):
    """The small site (rolled back after the module)."""


ERROR_TEXT = re.compile(
    r"Traceback|OperationalError|ProgrammingError|DataError|IntegrityError|InternalError|DatabaseError"
    r"|syntax error|psycopg|sqlite3|Exception Value|could not search",
    re.IGNORECASE,
)
REFLECTED_MARKUP = ("<script>alert(1)", "<svg onload", "<img src=x onerror")

SEARCH = ["q", "type", "page"]
LISTINGS = ["/questions/", "/articles/", "/experts/", "/topics/", "/topics/symptoms/", "/experts/wang-fei/"]
API_PAGES = [
    "type",
    "fields",
    "order",
    "search",
    "search_operator",
    "limit",
    "offset",
    "tags",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "id",
    "slug",
    "title",
    "locale",
    "translation_of",
    "show_in_menus",
    "author",
    "html_path",
]
API_MEDIA = ["fields", "order", "search", "limit", "offset", "tags", "id", "title"]
SECTIONS = ["/", "/questions/", "/articles/", "/topics/", "/experts/"]


def check(client, path, params=()):
    """GET `path` with `params` ([(name, value)]); fail on a server error or database error text."""
    url = path + ("?" + hostile.query_string(params) if params else "")
    response = client.get(url)
    assert response.status_code < 500, f"{response.status_code} for {url[:300]}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    match = ERROR_TEXT.search(text)
    assert match is None, f"{match.group(0)!r} in the response to {url[:300]}"
    if response.get("Content-Type", "").startswith("text/html"):
        for markup in REFLECTED_MARKUP:
            assert markup not in text, f"{markup!r} reflected unescaped by {url[:300]}"
    return response


def sweep(client, path, name=None, values=hostile.CORPUS, extra=()):
    """Every value for parameter `name` of `path` (or as the last path segment); all the failures."""
    failures = []
    for value in values:
        try:
            if name is None:
                check(client, path + (hostile.encode(value)[:3000] or "x") + "/")
            else:
                check(client, path, [*extra, (name, value)])
        except AssertionError as error:
            failures.append(f"{value!r:.60}: {error}")
    return failures


# Parameters swept with the whole corpus by default; the others share their code with one of
# these and get every kind of value (hostile.ESSENTIAL), or the whole corpus with HOSTILE_FULL=1.
FULL = os.environ.get("HOSTILE_FULL") == "1"
SOME = hostile.CORPUS if FULL else hostile.ESSENTIAL


# ---------------------------------------------------------------- the corpus, one parameter at a time


def test_corpus_search_query(client):
    assert not sweep(client, "/search/", "q")


@pytest.mark.parametrize("name", ["type", "page"])
def test_corpus_search_type_and_page_with_results(client, name):
    """`type` and `page` where there is something to filter and page through."""
    assert not sweep(client, "/search/", name, SOME, extra=[("q", "disc")])


def test_corpus_listing_page(client):
    assert not sweep(client, "/questions/", "page")


@pytest.mark.parametrize("path", ["/articles/", "/topics/symptoms/", "/experts/wang-fei/"])
def test_corpus_other_listings_page(client, path):
    assert not sweep(client, path, "page", SOME)


@pytest.mark.parametrize("name", ["type", "fields", "order", "search", "limit", "offset", "tags"])
def test_corpus_api_pages(client, name):
    assert not sweep(client, "/api/v2/pages/", name)


@pytest.mark.parametrize(
    "name", sorted(set(API_PAGES) - {"type", "fields", "order", "search", "limit", "offset", "tags"})
)
def test_corpus_api_pages_other_filters(client, name):
    assert not sweep(client, "/api/v2/pages/", name, SOME)


@pytest.mark.parametrize("endpoint", ["images", "documents"])
def test_corpus_api_media(client, endpoint):
    failures = sweep(client, f"/api/v2/{endpoint}/", "search")
    for name in ("fields", "order", "limit", "offset", "tags"):
        failures += sweep(client, f"/api/v2/{endpoint}/", name, SOME)
    assert not failures


def test_corpus_api_find_and_detail(client):
    page = Page.objects.get(slug="relieve-lower-back-stiffness")
    failures = sweep(client, "/api/v2/pages/find/", "html_path")
    failures += sweep(client, f"/api/v2/pages/{page.pk}/", "fields", SOME)
    assert not failures


def test_corpus_feed_sitemap_and_robots(client):
    failures = sweep(client, "/sitemap.xml", "p")
    failures += sweep(client, "/sitemap-pages.xml", "p")
    for path in ("/feed/", "/robots.txt"):
        failures += sweep(client, path, "page", SOME)
    assert not failures


def test_corpus_page_paths(client):
    """Answer slugs: every corpus value as a path segment."""
    assert not sweep(client, "/questions/")


@pytest.mark.parametrize("section", ["/", "/articles/", "/topics/", "/experts/", "/documents/1/"])
def test_corpus_other_page_paths(client, section):
    """Section, article, topic and expert slugs, and document file names."""
    assert not sweep(client, section, values=SOME)


# ---------------------------------------------------------------- hypothesis: mixed and made-up values


@given(params=hostile.parameters(SEARCH))
def test_search_with_any_parameters(client, params):
    check(client, "/search/", params)


@given(path=st.sampled_from(LISTINGS), params=hostile.parameters(["page", "q", "tag"]))
def test_listings_with_any_page(client, path, params):
    check(client, path, params)


@given(params=hostile.parameters(API_PAGES))
def test_api_pages_with_any_filters(client, params):
    check(client, "/api/v2/pages/", params)


@given(
    params=hostile.parameters(
        ["type", "fields", "order", "search", "limit", "offset", "tags", "slug", "child_of"],
        values=st.one_of(st.sampled_from(hostile.API_SPECIFIC), hostile.hostile_value),
    )
)
def test_api_pages_with_plausible_and_hostile_filters(client, params):
    """API-shaped values (types, field names, orderings) mixed with hostile ones get past the first checks."""
    check(client, "/api/v2/pages/", [("type", "articles.QuestionPage"), *params])


@given(endpoint=st.sampled_from(["images", "documents"]), params=hostile.parameters(API_MEDIA))
def test_api_media_with_any_filters(client, endpoint, params):
    check(client, f"/api/v2/{endpoint}/", params)


@given(params=hostile.parameters(["html_path", "fields"]))
def test_api_find_with_any_path(client, params):
    check(client, "/api/v2/pages/find/", params)


@given(params=hostile.parameters(["p", "page", "q"]))
def test_feed_and_sitemap_with_any_parameters(client, params):
    check(client, "/feed/", params)
    check(client, "/sitemap.xml", params)
    check(client, "/sitemap-pages.xml", params)


@given(section=st.sampled_from(SECTIONS), segments=st.lists(hostile.path_segment, min_size=1, max_size=3))
def test_page_paths_with_any_segments(client, section, segments):
    check(client, section + "/".join(hostile.encode(segment)[:2000] for segment in segments) + "/")
