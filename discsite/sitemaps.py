"""/sitemap.xml: every live, public page at its canonical address, in a fixed number of queries.

/sitemap.xml is a sitemap index naming the sections (/sitemap-pages.xml, ?p=2 ...), each
of at most PageSitemap.limit pages: at 10,000 pages one sitemap would be 1.5 MB that a
crawler fetches whole to find what changed, and that the page cache keeps and serves
whole. (The index's last-modified dates let a crawler skip the rest.)

Wagtail's sitemap loads each page as its own type (a query per page type) to ask it
for its URLs; every page here is listed the same way (its address and when it was
last published), so two columns of the base page rows are enough. A section lists a
thousand pages, so what is done per page is kept to the least: no page object is built
for a row (PageAddresses finds the address from the row's url_path, as Wagtail would;
the feed uses it too), and the section is written by SitemapXML rather than by Django's
template language, byte for byte as Django's sitemap.xml template writes it (and the index by
SitemapIndexXML, as sitemap_index.xml writes it). A section reads its own rows and nothing else:
not a count of the whole site first. A section's rows, and the index's count and latest date, are
kept per content version (versioned_result, as a listing's count): reading and converting a
thousand rows is most of a section's cost.
"""

import html
import re
from datetime import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from wagtail.models import Page, Site

from discsite.core.caching import digest, public_pages, versioned_result
from discsite.core.listing import Counted

# The rest of a url_path (below its site's root) that reverse() writes as it is: ASCII
# letters, digits, "-" and "_", one segment after another, each followed by a slash.
PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9_-]+/)*")

# The largest row offset SQLite and PostgreSQL take (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


class PageAddresses:
    """Pages' addresses as `page.get_url(request)` gives them, from their url_path alone.

    Wagtail's rule (Page.get_url_parts, Page.get_url): of the sites whose root is above the
    page, the requested one if it is among them (else the one with the deepest root); the
    page's path is `reverse("wagtail_serve", args=(its url_path below that root,))`, less the
    trailing slash when WAGTAIL_APPEND_SLASH is off; relative on the requested site, with that
    site's root URL otherwise. So for a page under the requested site's root whose path there
    is plain ASCII (every page here: slugs are), it is the serve view's address (found once per
    request) followed by that path. Anything else (another site's page, a unicode slug, a site
    with Wagtail's internationalisation on) is Wagtail's own answer, from a page object.

    `full_url` is the same for `page.full_url`, the address the API gives (discsite/api.py).

    Pinned against `page.get_url(request)` and `page.full_url` for every page by
    discsite/tests/test_listing_speed_sitemap_feed.py.
    """

    def __init__(self, request):
        self.request = request
        self.root_path = None  # the requested site's root url_path, when the quick way applies
        self.serve_root = reverse("wagtail_serve", args=("",))
        self.append_slash = getattr(settings, "WAGTAIL_APPEND_SLASH", True)
        # With Wagtail's internationalisation on, a page's language decides its address too.
        self.i18n = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        self.site_root_paths = Site.get_site_root_paths()
        site = Site.find_for_request(request)
        # Wagtail prefers the requested site only for a Django request.
        if site is None or not isinstance(request, HttpRequest) or self.i18n:
            return
        roots = [root.root_path for root in self.site_root_paths if root.site_id == site.pk]
        if len(roots) == 1:
            self.root_path = roots[0]

    def path(self, url_path):
        """What `page.get_url(self.request)` is for the page at `url_path`."""
        if self.root_path is not None and url_path.startswith(self.root_path):
            rest = url_path[len(self.root_path) :]
            if PLAIN_PATH.fullmatch(rest):
                return self.served(rest)
        return Page(url_path=url_path).get_url(self.request)

    def full_url(self, url_path):
        """What `page.full_url` is for the page at `url_path`: the root URL of the first site (in
        `Site.get_site_root_paths`' order) whose root is above the page, followed by the page's path
        there. (No site is preferred for the request: Wagtail prefers one only given a Django request,
        and the API gives it a REST framework one.)"""
        root = next((root for root in self.site_root_paths if url_path.startswith(root.root_path)), None)
        if root is not None and not self.i18n:
            rest = url_path[len(root.root_path) :]
            if PLAIN_PATH.fullmatch(rest):
                return root.root_url + self.served(rest)
        # Any other request keeps the sites' root paths for Wagtail (one read, not one per page).
        return Page(url_path=url_path).get_full_url(None if isinstance(self.request, HttpRequest) else self.request)

    def served(self, rest):
        """The serve view's address for the plain path `rest` below a site's root."""
        address = self.serve_root + rest
        if not self.append_slash and address != "/":
            address = address.rstrip("/")
        return address


class SitemapXML:
    """Django's sitemap.xml template (django/contrib/sitemaps/templates/), written in Python.

    The template language costs tens of microseconds a URL, most of a section's time with
    a thousand of them. This is a template object as Django's template backends define it
    (`render(context, request)`), for the sitemap view's `template_name`, and writes the
    same bytes: the `{% spaceless %}` output, the values escaped, lastmod as the `date`
    filter shows it in the current time zone. (Checked against the template by
    discsite/tests/test_listing_speed_sitemap_feed.py.)
    """

    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    tail = "\n</urlset>\n"

    def render(self, context=None, request=None):
        # The `date` filter's conversion (timezone.template_localtime), with the time zone found once.
        local = timezone.get_current_timezone() if settings.USE_TZ else None
        return "".join([self.head, *(self.url(url, local) for url in (context or {}).get("urlset", ())), self.tail])

    @staticmethod
    def url(url, local):
        xml = f"<url><loc>{xml_escape(url['location'])}</loc>"
        if lastmod := url["lastmod"]:
            lastmod = as_local(lastmod, local)
            xml += f"<lastmod>{lastmod.year:04d}-{lastmod.month:02d}-{lastmod.day:02d}</lastmod>"
        if changefreq := url["changefreq"]:
            xml += f"<changefreq>{xml_escape(changefreq)}</changefreq>"
        if priority := url["priority"]:
            xml += f"<priority>{xml_escape(priority)}</priority>"
        for alternate in url["alternates"]:
            lang_code, location = xml_escape(alternate["lang_code"]), xml_escape(alternate["location"])
            xml += f'<xhtml:link rel="alternate" hreflang="{lang_code}" href="{location}"/>'
        return xml + "</url>"


class SitemapIndexXML:
    """Django's sitemap_index.xml template, written in Python as SitemapXML writes a section, byte for byte (checked
    against the template by discsite/tests/test_listing_speed_sitemap_feed.py): the index names a section per
    PageSitemap.limit pages, 100 at 100,000 pages, and the template language took 10 ms to write them."""

    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    tail = "\n</sitemapindex>\n"

    def render(self, context=None, request=None):
        local = timezone.get_current_timezone() if settings.USE_TZ else None
        return "".join(
            [self.head, *(self.sitemap(item, local) for item in (context or {}).get("sitemaps", ())), self.tail]
        )

    @staticmethod
    def sitemap(item, local):
        xml = f"<sitemap><loc>{xml_escape(item.location)}</loc>"
        if item.last_mod:
            xml += f"<lastmod>{as_local(item.last_mod, local).isoformat()}</lastmod>"  # the `date` filter's "c"
        return xml + "</sitemap>"


def as_local(value, local):
    """`value` as the `date` filter shows it: an aware datetime in the current time zone `local` (None without
    time zones), as timezone.template_localtime converts it; anything else as it is."""
    if (
        local is not None
        and isinstance(value, datetime)
        and not timezone.is_naive(value)
        and getattr(value, "convert_to_local_time", True)
    ):
        return value.astimezone(local)
    return value


def xml_escape(value):
    """What `{{ value }}` writes with autoescaping on (django.utils.html.conditional_escape: html.escape, unless
    the value is marked safe), without the lazy-string wrapping that costs more than the escaping."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class PageSitemap(Sitemap):
    """The live, public pages of the requested site, in tree order; an item is a row
    (url_path, last_published_at)."""

    limit = 1000

    def __init__(self, request):
        self.request = request

    def items(self):
        site = Site.find_for_request(self.request)
        if site is None:
            return []
        pages = site.root_page.get_descendants(inclusive=True).live()
        return public_pages(pages).order_by("path").values_list("url_path", "last_published_at")

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's entries for one section, as its own get_urls makes them from location and lastmod, in
        one pass over the rows (Django's asks this class for each of four attributes of every item).

        Locations are relative; Django's scheme and host are those the sitemap was requested on, as the
        pages' canonical links are."""
        prefix = f"{self.get_protocol(protocol or self.request.scheme)}://{self.get_domain(site)}"
        path = PageAddresses(self.request).path
        urls = [
            {
                "item": row,
                "location": prefix + path(row[0]),
                "lastmod": row[1],
                "changefreq": None,
                "priority": "",
                "alternates": [],
            }
            for row in self.section(page)
        ]
        # As Django's: the section's latest lastmod (its Last-Modified header), when every page has one.
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls

    def section_number(self, page):
        """Section `page`'s number, or Paginator's exceptions for one that cannot be (the view's 404s)."""
        try:
            number = int(page)
        except (TypeError, ValueError):
            raise PageNotAnInteger(f"That page number is not an integer: {page!r}") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number * self.limit > MAX_OFFSET:  # past any database's last row, and more than it can take
            raise EmptyPage("That page contains no results")
        return number

    def section(self, page):
        """The rows of section `page`, as `self.paginator.page(page)` finds them, but without counting every
        page of the site first: a section past the last is found empty (the same 404 from the view)."""
        number = self.section_number(page)
        start = (number - 1) * self.limit
        rows = list(self.items()[start : start + self.limit])
        if not rows and number > 1:  # as Paginator: the first page may be empty, no other
            raise EmptyPage("That page contains no results")
        return rows

    def section_xml(self, page):
        """Section `page` as Django's sitemap view writes it with SitemapXML, and its latest lastmod (for the
        Last-Modified header): kept per content version, for this host, scheme and time zone."""
        number = self.section_number(page)
        local = timezone.get_current_timezone_name() if settings.USE_TZ else ""

        def write():
            site, scheme = get_current_site(self.request), self.request.scheme
            urls = self.get_urls(page=number, site=site, protocol=scheme)
            return SitemapXML().render({"urlset": urls}), getattr(self, "latest_lastmod", None)

        return self.kept(f"section-xml:{self.request.scheme}:{local}:{number}", write)

    def kept(self, name, produce):
        """`produce()`, kept per content version for this host's sitemap (see the module docstring)."""
        return versioned_result(f"sitemap:{digest(self.request.get_host(), name)}", produce)

    @property
    def paginator(self):
        """Django's, with the count of pages kept (the index asks it how many sections there are)."""
        items = self.items()
        if not hasattr(items, "count") or isinstance(items, list):  # no site: nothing listed
            return Paginator(items, self.limit)
        return Paginator(Counted(items, lambda: self.kept("count", items.count)), self.limit)

    def get_latest_lastmod(self):
        # Django's own asks every page for its lastmod: one aggregate instead.
        items = self.items()
        if not hasattr(items, "aggregate"):  # no site: nothing listed
            return None
        return self.kept("latest", lambda: items.order_by().aggregate(latest=Max("last_published_at"))["latest"])


def sitemaps(request):
    return {"pages": PageSitemap(request)}


def sitemap_index(request):
    return index(
        request, sitemaps=sitemaps(request), template_name=SitemapIndexXML(), sitemap_url_name="sitemap-section"
    )


class Written:
    """A template object, as Django's template backends define one, for text already written."""

    def __init__(self, text):
        self.text = text

    def render(self, context=None, request=None):
        return self.text


def sitemap_section(request, section):
    """Django's sitemap view for one section (django.contrib.sitemaps.views.sitemap: the same 404s, headers and
    bytes, checked against it by discsite/tests/test_listing_speed_sitemap_feed.py), its XML kept per content
    version: writing a thousand addresses is most of a section's cost, and every reader gets the same."""
    if section not in (maps := sitemaps(request)):
        raise Http404(f"No sitemap available for section: {section!r}")
    page = request.GET.get("p", 1)
    try:
        xml, lastmod = maps[section].section_xml(page)
    except EmptyPage:
        raise Http404(f"Page {page} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page '{page}'") from None
    headers = {"Last-Modified": http_date(lastmod.timestamp())} if lastmod else None
    response = TemplateResponse(request, Written(xml), content_type="application/xml", headers=headers)
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's view says
    return response
