"""The reader-side cache: what it keeps, what it never keeps, and that a change shows at once everywhere."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
from articles.integrity import publishing_unreviewed_source_material
from discsite.core.models import ContentVersion, SafetyNetText
from discsite.core.tests.frontend_cache import BACKEND as FRONTEND_CACHE
from discsite.core.tests.frontend_cache import RecordingBackend
from experts.factories import ExpertPageFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("caches_on"),
]


@pytest.fixture
def content(site_tree):
    expert = ExpertPageFactory(title="Ada Lovelace")
    topic = TopicPageFactory(title="Sciatica")
    question = QuestionPageFactory(title="Does walking help sciatica?", author=expert, tags=["Sciatica"])
    article = ArticlePageFactory(title="Living with sciatica", author=expert, tags=["Sciatica"])
    return {"expert": expert, "topic": topic, "question": question, "article": article, "tree": site_tree}


def text(response):
    """What a reader reads (search results mark up the words they matched)."""
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split()).replace(" ?", "?")


def publish(page, **changes):
    page = type(page).objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    # The system publishing, as the seed does: what these tests check is the cache, not the review.
    with publishing_unreviewed_source_material("a test of the page cache"):
        page.save_revision().publish()
    return page


def test_anonymous_responses_are_kept_and_served_public(client, content):
    first = client.get(content["question"].url)
    assert first["X-Page-Cache"] == "miss"
    second = client.get(content["question"].url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert "max-age=60" in second["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        client.get(content["question"].url)
    assert len(queries) == 1  # the content version, nothing else


def test_logged_in_editors_previews_and_the_admin_bypass_it(client, admin_client, content):
    url = content["question"].url
    client.get(url)
    response = admin_client.get(url)
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in admin_client.get("/admin/")
    assert "X-Page-Cache" not in client.get("/admin/login/")
    preview = admin_client.get(f"/admin/pages/{content['question'].pk}/edit/preview/")
    assert "X-Page-Cache" not in preview


def test_responses_that_set_cookies_or_fail_are_not_kept(client, content):
    assert client.get("/no-such-page/").status_code == 404
    assert "X-Page-Cache" not in client.get("/no-such-page/")
    assert "no-store" in client.get("/healthz")["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert len(queries) == 0  # the health check never reads the content version


def test_search_feed_sitemap_robots_and_the_api_are_kept(client, content):
    for url in ("/search/?q=sciatica", "/feed/", "/sitemap.xml", "/robots.txt", "/api/v2/", "/api/v2/pages/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_the_api_answers_json_whatever_the_client_asks_for(client, content):
    """One answer per address, as the page cache keeps it: no browsable HTML for browsers."""
    browser = client.get("/api/v2/pages/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser["Content-Type"] == "application/json"
    assert client.get("/api/v2/pages/")["X-Page-Cache"] == "hit"
    assert client.get("/api/v2/pages/?format=api").status_code == 404  # no such format


@pytest.mark.parametrize("where", ["home", "questions", "topic", "expert", "page", "search", "api"])
def test_a_published_change_shows_on_the_very_next_request_everywhere(client, content, where):
    question = content["question"]
    url = {
        "home": "/",
        "questions": "/questions/",
        "topic": content["topic"].url,
        "expert": content["expert"].url,
        "page": question.url,
        "search": "/search/?q=sciatica",
        "api": "/api/v2/pages/?type=articles.QuestionPage",
    }[where]
    assert "Does walking help sciatica?" in text(client.get(url))
    assert client.get(url)["X-Page-Cache"] == "hit"
    publish(question, title="Does walking ease sciatica?")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Does walking ease sciatica?" in text(response)
    assert "Does walking help sciatica?" not in text(response)


@pytest.mark.parametrize("where", ["home", "questions", "topic", "expert"])
def test_unpublished_and_deleted_pages_disappear_at_once(client, content, where):
    url = {"home": "/", "questions": "/questions/", "topic": content["topic"].url, "expert": content["expert"].url}[
        where
    ]
    client.get(url)
    content["question"].unpublish()
    assert b"Does walking help sciatica?" not in client.get(url).content
    client.get(url)
    content["article"].delete()
    assert b"Living with sciatica" not in client.get(url).content


def test_an_unpublished_page_is_gone_from_its_own_address(client, content):
    url = content["question"].url
    client.get(url)
    content["question"].unpublish()
    assert client.get(url).status_code == 404


def test_a_moved_page_shows_at_its_new_place(client, content):
    """Moving a page (here: renaming its slug, which moves its URL) retires what was cached."""
    old_url = content["article"].url
    client.get(old_url)
    client.get("/articles/")
    publish(content["article"], slug="living-well-with-sciatica")
    assert client.get(old_url).status_code == 404
    assert b"/articles/living-well-with-sciatica/" in client.get("/articles/").content


def test_expert_edits_show_on_their_answers(client, content):
    url = content["question"].url
    assert b"Ada Lovelace" in client.get(url).content
    publish(content["expert"], title="Ada King")
    response = client.get(url)
    assert b"Ada King" in response.content
    assert b"Ada Lovelace" not in response.content


def test_settings_edits_show_everywhere(client, content):
    for url in ("/", content["question"].url):
        client.get(url)
    texts = SafetyNetText.objects.get()
    texts.urgent_care_action = "Call 999 now."
    with publishing_unreviewed_source_material("a test of the page cache"):
        texts.save_revision().publish()
    for url in ("/", content["question"].url):
        assert b"Call 999 now." in client.get(url).content or url == "/"
    assert b"Call 999 now." in client.get(content["question"].url).content


def versions():
    return {row.pk: row.value for row in ContentVersion.objects.all()}


def test_every_change_moves_the_content_version_on(content):
    before = versions()
    publish(content["question"], summary="Changed.")
    after = versions()
    assert after[1] > before[1]
    # An answer's publication changes nothing other pages show but their listings: the structure version stays.
    assert after[2] == before[2]
    publish(content["expert"], job_title="Surgeon")  # other pages name their expert
    final = versions()
    assert final[1] > after[1]
    assert final[2] > after[2]


def test_a_publication_keeps_what_other_pages_own_and_shows_itself_everywhere(client, content):
    """After an article is published, an answer's own content and the other cards come from the cache, and
    everything that shows the article (the answer's related articles, the listings, the topic, the expert)
    shows the new version at once."""
    client.cookies["sessionid"] = "not-a-session"  # past the page cache: the fragments are what is tested
    question, article = content["question"], content["article"]
    urls = [question.url, "/articles/", "/", content["topic"].url, content["expert"].url]
    for url in urls:
        assert "Living with sciatica" in text(client.get(url)), url
    with CaptureQueriesContext(connection) as warm:
        client.get(question.url)
    publish(article, title="Living well with sciatica")
    with CaptureQueriesContext(connection) as after:
        page = text(client.get(question.url))
    assert "Living well with sciatica" in page  # its related articles
    assert "Does walking help sciatica?" in page
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(question.url)
    # The answer's own content was not rendered again: it costs fewer queries than with nothing cached.
    assert len(warm) <= len(after) < len(cold)
    for url in urls:
        page = text(client.get(url))
        assert "Living well with sciatica" in page, url
        assert "Living with sciatica " not in page + " ", url


def test_a_publication_keeps_other_pages_heads_and_breadcrumbs(client, content):
    """A page's head (its structured data names its expert) and breadcrumbs (its section's title) show only
    what its own publication or a structural change changes: another answer's or article's publication
    leaves them kept. Shown here by changing the expert's name and the section's title behind the cache's
    back (no signal, so no version moves): the kept head and breadcrumbs still say what they said, while
    the answer's related articles show the article's new title."""
    client.cookies["sessionid"] = "not-a-session"  # past the page cache: the fragments are what is tested
    question, article, expert = content["question"], content["article"], content["expert"]
    section = question.get_parent()
    client.get(question.url)
    type(expert).objects.filter(pk=expert.pk).update(title="Ada King")
    type(section).objects.filter(pk=section.pk).update(title="Answers, renamed")
    publish(article, title="Living well with sciatica")
    soup = BeautifulSoup(client.get(question.url).content, "html.parser")
    structured = " ".join(script.get_text() for script in soup.select('script[type="application/ld+json"]'))
    assert "Ada Lovelace" in structured
    assert "Ada King" not in structured
    crumbs = soup.select_one(".breadcrumbs").get_text(" ")
    assert section.title in crumbs
    assert "Answers, renamed" not in crumbs
    assert "Living well with sciatica" in soup.get_text(" ")  # its related articles, rendered afresh


@pytest.mark.parametrize("change", ["publish", "expert", "unpublish"])
def test_the_feeds_kept_rows_show_a_change_at_once(client, content, change):
    """Past the page cache, the feed reads its rows once per content version (discsite.feeds.feed_rows):
    the next request reads nothing but the version, and a publication, an author's new name or an
    unpublication shows on the request after it."""
    client.cookies["sessionid"] = "not-a-session"
    assert b"Does walking help sciatica?" in client.get("/feed/").content
    with CaptureQueriesContext(connection) as queries:
        client.get("/feed/")
    assert len(queries) == 1, [query["sql"] for query in queries]  # the content version
    if change == "publish":
        publish(content["question"], title="Does walking ease sciatica?")
        shown, gone = b"Does walking ease sciatica?", b"Does walking help sciatica?"
    elif change == "expert":
        publish(content["expert"], title="Ada King")
        shown, gone = b"Ada King", b"Ada Lovelace"
    else:
        content["question"].unpublish()
        shown, gone = b"Living with sciatica", b"Does walking help sciatica?"
    feed = client.get("/feed/").content
    assert shown in feed
    assert gone not in feed


@pytest.mark.parametrize("change", ["publish", "unpublish"])
def test_a_sitemap_sections_kept_xml_shows_a_change_at_once(client, content, change):
    """Past the page cache, a sitemap section's XML is written once per content version, host and scheme
    (discsite.sitemaps.PageSitemap.section_xml): the next request reads nothing but the version, and a new
    address or an unpublication shows on the request after it."""
    client.cookies["sessionid"] = "not-a-session"
    old = content["question"].url
    assert f"http://testserver{old}".encode() in client.get("/sitemap-pages.xml").content
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemap-pages.xml")
    assert len(queries) == 1, [query["sql"] for query in queries]  # the content version
    assert f"https://testserver{old}".encode() in client.get("/sitemap-pages.xml", secure=True).content
    if change == "publish":
        publish(content["question"], slug="does-walking-ease-sciatica")
        new = type(content["question"]).objects.get(pk=content["question"].pk).url
        assert new != old
    else:
        content["question"].unpublish()
    section = client.get("/sitemap-pages.xml").content
    assert f"http://testserver{old}".encode() not in section
    if change == "publish":
        assert f"http://testserver{new}".encode() in section


def test_fragments_are_reused_when_the_page_cache_is_bypassed(client, content):
    """A logged-in-looking request still skips the page's content queries once its fragment is cached."""
    client.cookies["sessionid"] = "not-a-session"
    url = content["article"].url
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    assert len(warm) < len(cold)
    # Its author is shown only in kept fragments: the page is read without them (IndexPage.route).
    assert not [query for query in warm.captured_queries if "experts_expertpage" in query["sql"]]
    assert [query for query in cold.captured_queries if "experts_expertpage" in query["sql"]]


def test_no_reader_request_writes_to_the_database(client, content):
    urls = [
        "/",
        "/questions/",
        "/articles/",
        "/topics/",
        "/experts/",
        content["question"].url,
        content["article"].url,
        content["expert"].url,
        content["topic"].url,
        "/search/?q=sciatica",
        "/feed/",
        "/sitemap.xml",
        "/robots.txt",
        "/api/v2/pages/",
    ]
    for url in urls:
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
            assert writes == [], url


@override_settings(
    WAGTAILFRONTENDCACHE={"default": {"BACKEND": FRONTEND_CACHE}},
)
def test_a_cdn_is_purged_of_the_page_and_the_pages_listing_it(client, content, django_capture_on_commit_callbacks):
    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the listings are purged once the publish commits
        publish(content["question"], title="Does walking ease sciatica?")
    purged = {url.split("localhost", 1)[-1] for url in RecordingBackend.purged}
    assert {"/", "/questions/", content["question"].url, content["topic"].url, content["expert"].url} <= purged
    assert "s-maxage=600" in client.get("/")["Cache-Control"]


@override_settings(WAGTAILFRONTENDCACHE={"default": {"BACKEND": FRONTEND_CACHE}})
def test_a_cdn_is_purged_of_a_page_only_once_its_publication_or_unpublication_commits(
    content, django_capture_on_commit_callbacks
):
    """Not as the signal is sent (Wagtail's own handler did): a reader asking before the commit would have the
    CDN fetch the old page again and keep it."""
    page = content["question"]
    for change in (lambda: publish(page, title="Does walking ease sciatica?"), lambda: page.unpublish()):
        RecordingBackend.purged.clear()
        with django_capture_on_commit_callbacks() as callbacks:
            change()
        assert RecordingBackend.purged == []
        for callback in callbacks:
            callback()
        assert page.url in {url.split("localhost", 1)[-1] for url in RecordingBackend.purged}
