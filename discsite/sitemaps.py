"""/sitemap.xml: every live, public page at its canonical address, in a fixed number of queries.

Wagtail's sitemap loads each page as its own type (a query per page type) to ask it
for its URLs; every page here is listed the same way (its address and when it was
last published), so the base page rows are enough.
"""

from django.contrib.sitemaps import Sitemap

from discsite.caching import public_pages


class PageSitemap(Sitemap):
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


def sitemap(request):
    from django.contrib.sitemaps.views import sitemap as django_sitemap

    return django_sitemap(request, sitemaps={"pages": PageSitemap(request)})
