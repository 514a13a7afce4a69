"""The sitemap, the feed and the API list build their answers without page objects or the template
language, and must answer exactly as Wagtail's and Django's own machinery would.

Each shortcut is checked against what it stands for, on every seeded page: an upgrade of Wagtail or
Django that changes their rules (a page's address, the sitemap template) fails here, loudly.
"""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, index, sitemap
from django.contrib.sites.requests import RequestSite
from django.contrib.syndication.views import Feed
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse_lazy, set_script_prefix
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from wagtail.api.v2.utils import get_object_detail_url
from wagtail.models import Page, PageViewRestriction, Site

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.models import HEALTH_PAGE_MODELS, HealthContentPage, QuestionPage
from discsite.api import api_router
from discsite.core.models import SiteSettings
from discsite.feeds import (
    FEED_AUTHOR,
    FEED_LENGTH,
    FEED_SUBTITLE,
    FEED_TITLE,
    FeedEntry,
    entry_dates,
    feed_entries,
    latest_health_pages_feed,
)
from discsite.sitemaps import PageAddresses, PageSitemap, SitemapIndexXML, SitemapXML, sitemap_index, sitemap_section
from experts.models import ExpertIndexPage

pytestmark = pytest.mark.usefixtures("seeded")


def get(host="testserver", path="/"):
    return RequestFactory().get(path, HTTP_HOST=host)


def assert_wagtails_addresses(request):
    addresses = PageAddresses(request)
    pages = list(Page.objects.order_by("path"))
    assert len(pages) > 30
    for page in pages:
        assert addresses.path(page.url_path) == page.get_url(request), page.url_path
        assert addresses.full_url(page.url_path) == page.full_url, page.url_path


# ---------------------------------------------------------------- page addresses


def test_page_addresses_are_wagtails_for_every_page():
    QuestionPageFactory(title="Ça va?", slug="ça-va")  # a unicode slug: Wagtail's own answer, percent-encoded
    assert_wagtails_addresses(get())


def test_page_addresses_are_wagtails_with_several_sites():
    """Another site under this one's root (its pages are its own, with its root URL), and one sharing this
    site's root (Wagtail prefers the requested one)."""
    home = Site.objects.get(is_default_site=True).root_page
    Site.objects.create(hostname="experts.example", root_page=ExpertIndexPage.objects.get(), port=80)
    Site.objects.create(hostname="alias.example", root_page=home, port=80)
    for host in ("testserver", "experts.example", "alias.example"):
        assert_wagtails_addresses(get(host))


def test_page_addresses_are_wagtails_without_the_trailing_slash(settings):
    settings.WAGTAIL_APPEND_SLASH = False
    with mock.patch("wagtail.models.pages.WAGTAIL_APPEND_SLASH", False):  # Wagtail reads it once, at import
        assert_wagtails_addresses(get())


def test_page_addresses_are_wagtails_under_a_script_prefix():
    set_script_prefix("/site/")
    try:
        assert_wagtails_addresses(get())
    finally:
        set_script_prefix("/")


# ---------------------------------------------------------------- the sitemap


class PageByPageSitemap(Sitemap):
    """The sitemap as Django and Wagtail make it: Django's own get_urls, each address from a page object."""

    def __init__(self, request, limit):
        self.request = request
        self.limit = limit

    def items(self):
        return PageSitemap(self.request).items()

    def location(self, row):
        return Page(url_path=row[0]).get_url(self.request)

    def lastmod(self, row):
        return row[1]


@pytest.mark.parametrize("limit", [1000, 10])
def test_sitemap_sections_are_what_djangos_sitemap_view_and_template_write(monkeypatch, limit):
    monkeypatch.setattr(PageSitemap, "limit", limit)
    sections = PageByPageSitemap(get(), limit).paginator.num_pages
    assert sections == (1 if limit == 1000 else 3)
    for number in range(1, sections + 1):
        request = get(path=f"/sitemap-pages.xml?p={number}")
        ours = sitemap_section(request, "pages").render()
        reference = sitemap(request, sitemaps={"pages": PageByPageSitemap(request, limit)}, section="pages").render()
        assert ours.content == reference.content, number
        assert ours.headers == reference.headers
    for number in ("0", "-1", "x", "1.0", str(sections + 1), "9" * 30):
        request = get(path=f"/sitemap-pages.xml?p={number}")
        with pytest.raises(Http404) as ours:
            sitemap_section(request, "pages")
        with pytest.raises(Http404) as django:
            sitemap(request, sitemaps={"pages": PageByPageSitemap(request, limit)}, section="pages")
        assert str(ours.value) == str(django.value), number


def test_sitemap_xml_writes_what_djangos_template_writes():
    utc = datetime.UTC
    urls = [
        {
            "location": "https://example.com/a/?x=1&y=<2>\"'",
            "lastmod": datetime.datetime(2025, 1, 1, 23, 30, tzinfo=utc),  # the next day in Tokyo
            "changefreq": "weekly",
            "priority": "0.5",
            "alternates": [{"lang_code": "fr", "location": "https://example.com/fr/a/?x=1&y=2"}],
        },
        {
            "location": mark_safe("https://example.com/b/&amp;"),
            "lastmod": datetime.date(999, 2, 3),
            "changefreq": None,
            "priority": "",
            "alternates": [],
        },
        {
            "location": "/c/",
            "lastmod": datetime.datetime(2025, 6, 1, 0, 5),
            "changefreq": "",
            "priority": "",
            "alternates": [],
        },
        {"location": "/d/", "lastmod": None, "changefreq": None, "priority": "", "alternates": []},
    ]
    request = get()
    site_urls = PageSitemap(request).get_urls(page=1, site=RequestSite(request), protocol="https")
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            for urlset in ([], urls, site_urls):
                assert SitemapXML().render({"urlset": urlset}) == render_to_string("sitemap.xml", {"urlset": urlset})


def test_the_sitemap_index_is_what_djangos_index_view_and_template_write(monkeypatch):
    monkeypatch.setattr(PageSitemap, "limit", 2)
    request = get(path="/sitemap.xml")
    ours = sitemap_index(request).render()
    reference = index(request, sitemaps={"pages": PageSitemap(request)}, sitemap_url_name="sitemap-section").render()
    assert ours.content == reference.content
    assert ours.content.count(b"<sitemap>") > 2
    assert ours.headers == reference.headers


def test_sitemap_index_xml_writes_what_djangos_template_writes():
    items = [
        SitemapIndexItem(
            "https://example.com/sitemap-pages.xml?x=1&y=<2>",
            datetime.datetime(2025, 1, 1, 23, 30, tzinfo=datetime.UTC),
        ),
        SitemapIndexItem(mark_safe("https://example.com/s.xml?p=2&amp;"), datetime.date(999, 2, 3)),
        SitemapIndexItem("/s.xml?p=3", datetime.datetime(2025, 6, 1, 0, 5, 7, 12)),
        SitemapIndexItem("/s.xml?p=4", None),
    ]
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            for listed in ([], items):
                assert SitemapIndexXML().render({"sitemaps": listed}) == render_to_string(
                    "sitemap_index.xml", {"sitemaps": listed}
                )


def test_a_sitemap_section_reads_only_its_own_rows():
    """No count of the whole site, no page objects, no query per page: the section's rows, and the view
    restrictions (kept per content version while serving; read afresh here, outside a request)."""
    request = get(path="/sitemap-pages.xml")
    Site.find_for_request(request)
    Site.get_site_root_paths()
    with CaptureQueriesContext(connection) as queries:
        sitemap_section(request, "pages").render()
    sql = [query["sql"] for query in queries]
    assert len(sql) == 2, sql
    assert "wagtailcore_pageviewrestriction" in sql[0]
    assert "LIMIT 1000" in sql[1]


# ---------------------------------------------------------------- the feed


class DjangosSyndicationFeed(Feed):
    """The feed as Django's syndication view writes it, each entry from the specific page itself."""

    feed_type = Atom1Feed
    title = FEED_TITLE
    subtitle = FEED_SUBTITLE
    link = "/"
    feed_url = reverse_lazy("feed")
    author_name = FEED_AUTHOR

    def get_object(self, request, *args, **kwargs):
        return request

    def items(self, request):
        pages = (
            Page.objects.live()
            .public()
            .type(*HEALTH_PAGE_MODELS)
            .order_by("-first_published_at", "-pk")
            .specific()[:FEED_LENGTH]
        )
        team = SiteSettings.load(request_or_site=request).editorial_team_name
        entries = []
        for page in pages:
            published, updated = entry_dates(
                {name: getattr(page, name) for name in HealthContentPage.CONTENT_DATE_COLUMNS}
            )
            entries.append(
                FeedEntry(
                    title=page.title,
                    link=request.build_absolute_uri(page.get_url(request)),
                    summary=page.summary,
                    author_name=page.author.display_name if page.author else team,
                    author_link=request.build_absolute_uri(page.author.get_url(request)) if page.author else None,
                    published=published,
                    updated=updated,
                    categories=[tag.name for tag in page.tag_list],
                )
            )
        return entries

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.link

    def item_description(self, item):
        return item.summary

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        return item.author_link

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.updated

    def item_categories(self, item):
        return item.categories


def new_health_pages(count):
    """`count` answers and articles newer than the seeded ones, dated every way a page's content can be
    (HealthContentPage.content_moments), with and without an author, tags and a last publication."""
    now = timezone.now()
    author = QuestionPage.objects.live().first().author
    editor = get_user_model().objects.create(username="editor")
    for number in range(count):
        (ArticlePageFactory if number % 4 == 0 else QuestionPageFactory)(
            title=f'New page {number} <&> "quoted"',
            first_published_at=now + datetime.timedelta(minutes=number),
            last_published_at=None if number % 3 == 1 else now + datetime.timedelta(hours=number),
            author=None if number % 8 == 0 else author,
            tags=["treatment", "Back pain", f"Zebra & {number}", "alpha"][: number % 5],
            owner=editor if number % 2 else None,
            last_reviewed_on=now.date() if number % 5 < 2 else None,
            source_updated_on=datetime.date(2024, 1 + number % 12, 1) if number % 7 < 3 else None,
        )


def test_the_feed_is_what_djangos_syndication_view_writes_from_the_pages_themselves():
    hidden = QuestionPage.objects.live().order_by("-first_published_at").first()
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.PASSWORD, password="x")
    new_health_pages(25)
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            request = get(path="/feed/")
            ours = latest_health_pages_feed(request)
            django = DjangosSyndicationFeed()(request)
            assert ours.content == django.content, zone
            assert ours["Content-Type"] == django["Content-Type"]
            assert ours["Last-Modified"] == django["Last-Modified"]
    assert ours.content.count(b"<entry>") == FEED_LENGTH
    assert 0 < ours.content.count(b"<published>") < FEED_LENGTH
    assert hidden.title.encode() not in ours.content


def test_the_feeds_dates_are_the_days_the_pages_show():
    """An entry's <published> and <updated> fall on the page's own content_published_on and
    content_updated_on; with no content date, no <published>, and <updated> is its last publication."""
    pages = Page.objects.live().type(*HEALTH_PAGE_MODELS).specific()
    new_health_pages(FEED_LENGTH - pages.count())  # every page in the feed
    request = get(path="/feed/")
    entries = {entry.link: entry for entry in feed_entries(request)}
    assert len(entries) == len(pages) == FEED_LENGTH
    for page in pages:
        entry = entries[request.build_absolute_uri(page.url)]
        if page.content_published_on is None:
            assert entry.published is None
        else:
            assert timezone.localdate(entry.published) == page.content_published_on
        if page.content_updated_on is None:
            assert entry.updated == (page.last_published_at or page.first_published_at)
        else:
            assert timezone.localdate(entry.updated) == page.content_updated_on


# ---------------------------------------------------------------- the API


def test_api_html_urls_are_the_pages_full_urls(client, settings):
    """Wagtail's `full_url`, which prefers no site, even with another site sharing the root."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "alias.example"]
    Site.objects.create(hostname="alias.example", root_page=Site.objects.get(is_default_site=True).root_page, port=80)
    for host in ("testserver", "alias.example"):
        items, total = [], None
        while total is None or len(items) < total:
            data = client.get(f"/api/v2/pages/?offset={len(items)}", HTTP_HOST=host).json()
            total = data["meta"]["total_count"]
            items += data["items"]
        pages = Page.objects.in_bulk([item["id"] for item in items])
        assert len(pages) == total > 20
        request = get(host)
        for item in items:
            assert item["meta"]["html_url"] == pages[item["id"]].full_url
            assert item["meta"]["detail_url"] == get_object_detail_url(api_router, request, Page, item["id"])


def test_api_detail_urls_are_wagtails_for_every_type():
    """Found once a response for each type (api.KnownPrefixDetailUrlField): a listing of one type, whose
    items are that type, and of several."""
    request = get()
    for query in ("type=articles.QuestionPage", "type=articles.QuestionPage,articles.ArticlePage", "fields=*"):
        response = Client().get(f"/api/v2/pages/?{query}&limit=20")
        assert response.status_code == 200, response.content[:500]
        items = response.json()["items"]
        assert len(items) > 1
        for item in items:
            model = apps.get_model(item["meta"]["type"])
            assert item["meta"]["detail_url"] == get_object_detail_url(api_router, request, model, item["id"])


def test_api_listing_reads_the_view_restrictions_once(client):
    client.get("/api/v2/pages/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v2/pages/?type=articles.QuestionPage&fields=*").status_code == 200
    restrictions = [query for query in queries if "wagtailcore_pageviewrestriction" in query["sql"]]
    assert len(restrictions) == 1
