"""Listings paginate, and a bad ?page= value gives the first or last page, never an error."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
from articles.integrity import publishing_unreviewed_source_material
from discsite.core.listing import LISTING_PAGE_SIZE
from experts.factories import ExpertPageFactory

pytestmark = pytest.mark.django_db

COUNT = LISTING_PAGE_SIZE * 2 + 3  # three pages, the last one short


def listed_titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("main a") if a.get_text(strip=True).startswith("Question")]


@pytest.fixture
def many_questions(site_tree):
    expert = ExpertPageFactory()
    topic = TopicPageFactory(title="Symptoms")
    return [QuestionPageFactory(author=expert, tags=["Symptoms"]) for _ in range(COUNT)], expert, topic


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("", 1),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("abc", 1),
        ("1.5", 1),
        ("-1", 3),
        ("0", 3),
        ("999999999999999999999", 3),
        ("%00", 1),
        ("3' OR '1'='1", 1),
    ],
)
def test_bad_page_values_give_the_first_or_last_page(client, many_questions, page, expected):
    questions, expert, topic = many_questions
    newest_first = [question.title for question in reversed(questions)]
    start = (expected - 1) * LISTING_PAGE_SIZE
    wanted = newest_first[start : start + LISTING_PAGE_SIZE]
    for url in ("/questions/", topic.url, expert.url):
        response = client.get(url, {"page": page})
        assert response.status_code == 200, (url, page)
        assert listed_titles(response) == wanted, (url, page)


def test_pagination_links_are_offered(client, many_questions):
    response = client.get("/questions/", {"page": "2"})
    soup = BeautifulSoup(response.content, "html.parser")
    nav = soup.find("nav", attrs={"aria-label": lambda label: label and label.startswith("Pagination")})
    assert nav is not None
    assert nav.find(attrs={"aria-current": "page"}).get_text(strip=True).endswith("2")
    hrefs = {a["href"] for a in nav.find_all("a", href=True)}
    assert "/questions/" in hrefs or "/questions/?page=1" in hrefs
    assert "/questions/?page=3" in hrefs


def test_article_index_and_topic_index(client, site_tree):
    articles = [ArticlePageFactory() for _ in range(3)]
    TopicPageFactory(title="Treatment")
    response = client.get("/articles/")
    assert response.status_code == 200
    for article in articles:
        assert article.title.encode() in response.content
    assert b"Treatment" in client.get("/topics/").content


@pytest.mark.usefixtures("caches_on")
def test_a_page_of_a_listing_is_kept_until_what_it_lists_changes(client, many_questions):
    """Past the page cache (a session cookie), a page of a listing is read once per content version
    (discsite.core.listing.paginate_cards): the next reader's request reads no ids, and a publication
    shows on every page of every listing at once."""
    questions, expert, topic = many_questions
    client.cookies["sessionid"] = "not-a-session"
    urls = ("/questions/", topic.url, expert.url)
    for url in urls:
        for page in ("1", "2"):
            client.get(url, {"page": page})
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"page": page})
            assert response.status_code == 200
            assert not [query for query in queries if '"live_revision_id" FROM' in query["sql"]], (url, page)

    newest = QuestionPageFactory(author=expert, tags=["Symptoms"], live=False)
    with publishing_unreviewed_source_material("a test of the kept listings"):
        newest.save_revision().publish()
    newest_first = [newest.title, *(question.title for question in reversed(questions))]
    for url in urls:
        for page in (1, 2):
            start = (page - 1) * LISTING_PAGE_SIZE
            assert listed_titles(client.get(url, {"page": page})) == newest_first[start : start + LISTING_PAGE_SIZE]
