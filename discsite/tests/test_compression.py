"""Public responses go out gzip-compressed to clients that ask; nothing personal is ever compressed (BREACH).

See discsite/core/middleware.py (PublicGZipMiddleware) for the rule and docs/deploy.md for the trade-off.
"""

import gzip

import pytest
from django.http import HttpResponse
from django.urls import path
from wagtail.models import PageViewRestriction

from articles.factories import ArticlePageFactory, QuestionPageFactory
from discsite import urls as site_urls
from discsite.core.caching import cacheable
from experts.factories import ExpertPageFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PAGE_TEXT = "sciatica " * 40  # enough to be worth compressing


@cacheable
def etagged_view(request):
    response = HttpResponse(f"<p>{PAGE_TEXT}</p>")
    response["ETag"] = '"v1"'
    return response


@cacheable
def cookie_view(request):
    response = HttpResponse(f"<p>{PAGE_TEXT}</p>")
    response.set_cookie("seen", "1")
    return response


# This module is the URLconf of the tests that need views of their own: those two, then the site's.
urlpatterns = [
    path("test/etagged/", etagged_view),
    path("test/cookie/", cookie_view),
    *site_urls.urlpatterns,
]


@pytest.fixture
def content(site_tree):
    expert = ExpertPageFactory(title="Ada Lovelace")
    question = QuestionPageFactory(title="Does walking help sciatica?", author=expert, tags=["Sciatica"])
    article = ArticlePageFactory(title="Living with sciatica", author=expert, tags=["Sciatica"])
    return {"question": question, "article": article}


@pytest.fixture
def own_views(settings):
    settings.ROOT_URLCONF = __name__


def vary(response):
    return {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}


def public_urls(content):
    return {
        "home": "/",
        "answer": content["question"].url,
        "article": content["article"].url,
        "feed": "/feed/",
        "sitemap": "/sitemap-pages.xml",
        "search": "/search/?q=sciatica",
    }


def test_anonymous_public_responses_are_compressed_when_asked(client, content):
    for name, url in public_urls(content).items():
        plain = client.get(url)
        compressed = client.get(url, **GZIP)
        assert plain.status_code == compressed.status_code == 200, name
        assert compressed["Content-Encoding"] == "gzip", name
        assert gzip.decompress(compressed.content) == plain.content, name
        assert len(compressed.content) < len(plain.content), name
        assert int(compressed["Content-Length"]) == len(compressed.content), name
        assert "accept-encoding" in vary(compressed), name


def test_without_accept_encoding_nothing_is_compressed_and_caches_are_told_it_varies(client, content):
    for name, url in public_urls(content).items():
        response = client.get(url)
        assert "Content-Encoding" not in response, name
        assert b"<" in response.content[:200] or response.content.startswith(b"{"), name
        assert "accept-encoding" in vary(response), name
    assert "Content-Encoding" not in client.get("/", HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in client.get("/", HTTP_ACCEPT_ENCODING="br, deflate")


def test_the_admin_and_signed_in_readers_are_never_compressed(client, admin_client, content):
    login = client.get("/admin/login/", **GZIP)
    assert login.status_code == 200
    assert "Content-Encoding" not in login, "the sign-in form carries a CSRF token"
    for url in ("/admin/", f"/admin/pages/{content['question'].pk}/edit/", content["question"].url, "/", "/feed/"):
        response = admin_client.get(url, **GZIP)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response, url
        assert "accept-encoding" not in vary(response), url


def test_a_password_protected_page_with_its_csrf_form_is_not_compressed(client, content):
    PageViewRestriction.objects.create(
        page=content["article"], restriction_type=PageViewRestriction.PASSWORD, password="s3cret-pass"
    )
    response = client.get(content["article"].url, **GZIP)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_responses_that_set_a_cookie_are_not_compressed(client, own_views, site_tree):
    response = client.get("/test/cookie/", **GZIP)
    assert response.cookies["seen"].value == "1"
    assert "Content-Encoding" not in response


def test_a_strong_etag_is_made_weak_on_the_compressed_representation(client, own_views, site_tree):
    plain = client.get("/test/etagged/")
    compressed = client.get("/test/etagged/", **GZIP)
    assert plain["ETag"] == '"v1"'
    assert compressed["ETag"] == 'W/"v1"'
    assert compressed["Content-Encoding"] == "gzip"


@pytest.mark.usefixtures("caches_on")
def test_the_page_cache_keeps_and_serves_each_encoding_to_the_clients_that_ask_for_it(client, content):
    for name, url in public_urls(content).items():
        first_gzip = client.get(url, **GZIP)
        assert (first_gzip["X-Page-Cache"], first_gzip["Content-Encoding"]) == ("miss", "gzip"), name
        first_plain = client.get(url)
        assert first_plain["X-Page-Cache"] == "miss", f"{name}: a separate representation, kept apart"
        assert "Content-Encoding" not in first_plain, name

        hit_gzip = client.get(url, **GZIP)
        hit_plain = client.get(url)
        assert hit_gzip["X-Page-Cache"] == hit_plain["X-Page-Cache"] == "hit", name
        assert hit_gzip["Content-Encoding"] == "gzip", name
        assert hit_gzip.content == first_gzip.content, f"{name}: compressed once, served as kept"
        assert "Content-Encoding" not in hit_plain, name
        assert hit_plain.content == first_plain.content == gzip.decompress(hit_gzip.content), name
        for response in (hit_gzip, hit_plain):
            assert {"accept-encoding", "cookie"} <= vary(response), name
            assert "public" in response["Cache-Control"], name


@pytest.mark.usefixtures("caches_on")
def test_the_page_cache_keeps_the_etag_of_each_representation(client, own_views, site_tree):
    for _ in range(2):
        compressed = client.get("/test/etagged/", **GZIP)
        plain = client.get("/test/etagged/")
    assert compressed["X-Page-Cache"] == plain["X-Page-Cache"] == "hit"
    assert (compressed["ETag"], plain["ETag"]) == ('W/"v1"', '"v1"')


@pytest.mark.usefixtures("caches_on")
def test_signed_in_readers_are_not_served_the_compressed_public_copy(client, admin_client, content):
    url = content["question"].url
    assert client.get(url, **GZIP)["Content-Encoding"] == "gzip"
    response = admin_client.get(url, **GZIP)
    assert "X-Page-Cache" not in response
    assert "Content-Encoding" not in response
