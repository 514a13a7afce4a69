"""/sitemap.xml: every live, public page at its canonical address, in a fixed number of queries.

/sitemap.xml is a sitemap index naming the sections (/sitemap-pages.xml, ?p=2 ...), each
of at most PageSitemap.limit pages: at 10,000 pages one sitemap would be 1.5 MB that a
crawler fetches whole to find what changed, and that the page cache keeps and serves
whole. (The index's last-modified dates let a crawler skip the rest.)

Wagtail's sitemap loads each page as its own type (a query per page type) to ask it
for its URLs; every page here is listed the same way (its address and when it was
last published), so the base page rows are enough.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from discsite.core.caching import public_pages


class PageSitemap(Sitemap):
    limit = 1000

    def __init__(self, request):
        self.request = request

    def items(self):
        from wagtail.models import Site

        site = Site.find_for_request(self.request)
        if site is None:
            return []
        pages = site.root_page.get_descendants(inclusive=True).live()
        return public_pages(pages).only("id", "url_path", "last_published_at").order_by("path")

    def location(self, page):
        return page.get_url(self.request)

    def lastmod(self, page):
        return page.last_published_at

    def get_urls(self, page=1, site=None, protocol=None):
        # Locations are relative; Django prefixes the scheme and the host the sitemap was requested on,
        # as the pages' canonical links do.
        return super().get_urls(page=page, site=site, protocol=protocol or self.request.scheme)

    def get_latest_lastmod(self):
        # Django's own asks every page for its lastmod: one aggregate instead.
        items = self.items()
        if not hasattr(items, "aggregate"):  # no site: nothing listed
            return None
        return items.order_by().aggregate(latest=Max("last_published_at"))["latest"]


def sitemaps(request):
    return {"pages": PageSitemap(request)}


def sitemap_index(request):
    from django.contrib.sitemaps.views import index

    return index(request, sitemaps=sitemaps(request), sitemap_url_name="sitemap-section")


def sitemap_section(request, section):
    from django.contrib.sitemaps.views import sitemap

    return sitemap(request, sitemaps=sitemaps(request), section=section)
