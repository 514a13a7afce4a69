"""The page cache keys a reader's request by the query parameters the site reads, nothing else:
`?utm_source=...`, `?fbclid=...` or a cache-buster make no cache entry of their own, and never show
in the page kept for everyone (discsite/core/caching.py, READER_QUERY_PARAMETERS)."""

import pytest
from django.core.cache import cache

from articles.factories import QuestionPageFactory
from discsite.core.listing import LISTING_PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caches_on")]

TRACKING = "utm_source=newsletter&utm_medium=email&fbclid=IwAR0x&_=1733050000"


@pytest.fixture
def questions(site_tree):
    """Two listing pages of questions about sciatica."""
    return [
        QuestionPageFactory(title=f"Does walking help sciatica, case {n}?", tags=["Sciatica"])
        for n in range(LISTING_PAGE_SIZE + 2)
    ]


class CountingCache:
    """The cache's writes, counted (whichever backend the settings name)."""

    def __init__(self, monkeypatch):
        self.keys = []
        original = cache.set

        def counting_set(key, *args, **kwargs):
            self.keys.append(key)
            return original(key, *args, **kwargs)

        monkeypatch.setattr(cache, "set", counting_set)

    def page_entries(self):
        return [key for key in self.keys if key.startswith("discsite:page:")]


@pytest.mark.parametrize("path", ["/", "/questions/", "/questions/?page=2", "/search/?q=sciatica", "/feed/"])
def test_unknown_parameters_are_served_from_the_entry_without_them(client, questions, monkeypatch, path):
    first = client.get(path)
    assert first["X-Page-Cache"] == "miss"
    writes = CountingCache(monkeypatch)
    joiner = "&" if "?" in path else "?"
    for query in (TRACKING, "utm_campaign=spring", "gclid=abc&ref=home", "x=1", "x=2"):
        response = client.get(f"{path}{joiner}{query}")
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit", query
        assert response.content == first.content
    assert writes.page_entries() == []


def test_a_page_first_asked_for_with_tracking_parameters_is_kept_without_them(client, questions):
    """Its pagination links, breadcrumbs and everything else are what any reader of the address gets."""
    response = client.get(f"/questions/?{TRACKING}&page=2")
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode()
    for name in ("utm_source", "utm_medium", "fbclid", "newsletter", "IwAR0x"):
        assert name not in html
    assert 'href="/questions/"' in html or 'href="/questions/?page=1"' in html  # back to the first page
    assert client.get("/questions/?page=2")["X-Page-Cache"] == "hit"


def test_the_parameters_pages_read_still_make_their_own_entries(client, questions):
    assert client.get("/questions/")["X-Page-Cache"] == "miss"
    page_two = client.get("/questions/?page=2")
    assert page_two["X-Page-Cache"] == "miss"
    assert page_two.content != client.get("/questions/").content
    assert client.get("/search/?q=sciatica")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=walking")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=sciatica&type=questions")["X-Page-Cache"] == "miss"


def test_one_entry_whatever_the_order_or_encoding_of_the_parameters(client, questions):
    assert client.get("/search/?q=back+pain&page=1")["X-Page-Cache"] == "miss"
    for variant in (
        "/search/?page=1&q=back+pain",
        "/search/?q=back%20pain&page=1",
        "/search/?utm_id=7&page=1&q=back+pain",
    ):
        assert client.get(variant)["X-Page-Cache"] == "hit", variant


def test_the_api_keeps_its_whole_query_and_refuses_what_it_does_not_know(client, questions):
    """Wagtail's API has open-ended field filters (`?slug=`, `?title=`), so every parameter counts;
    one it does not know is a 400, which is never kept."""
    assert client.get("/api/v2/pages/?type=articles.QuestionPage")["X-Page-Cache"] == "miss"
    assert client.get("/api/v2/pages/?type=articles.QuestionPage&limit=1")["X-Page-Cache"] == "miss"
    for _ in range(2):
        refused = client.get("/api/v2/pages/?type=articles.QuestionPage&utm_source=newsletter")
        assert refused.status_code == 400
        assert "X-Page-Cache" not in refused


def test_signed_in_editors_get_the_address_as_they_asked_for_it(admin_client, questions):
    response = admin_client.get("/search/?q=sciatica&utm_source=newsletter")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert response.wsgi_request.GET["utm_source"] == "newsletter"
