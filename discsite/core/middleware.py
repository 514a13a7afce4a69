"""The page cache: whole responses for anonymous readers, under the content version; and the
compression of those public responses.

See discsite/core/caching.py for what is cached and why it is always current.

Compression and BREACH: a compressed HTTPS response leaks, through its length, whether text an
attacker can inject (a search query, a URL) matches a secret in the same body, such as a CSRF token.
So only what every anonymous reader gets alike is compressed: the responses the page cache may
keep (pages, search, feed, sitemaps, robots.txt, the API), answered to a request with no session
cookie and no Authorization header, setting no cookie, never under the admin. Those carry no
secret: no CSRF token (a page that renders one sets the CSRF cookie, so is not compressed), no
session, nothing about the reader. Everything signed in, the admin, previews, password-protected
pages and forms go out uncompressed. (docs/deploy.md says the same for the proxy.)
"""

import re

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.models import Site
from wagtail.views import serve

from .caching import (
    BROWSER_MAX_AGE,
    CACHEABLE_ATTRIBUTE,
    KEPT_HEADERS,
    PAGE_CACHE_TIMEOUT,
    digest,
    keep_reader_query,
    page_cache_enabled,
    request_version,
    versioned,
    versioned_key,
    versions,
)
from .internals import remember_site


def _is_anonymous_request(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


# A `gzip` token in Accept-Encoding, as Django's GZipMiddleware reads it (q-values aside).
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def accepts_gzip(request):
    return ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None


def encoding_variant(request):
    """Which of a public response's two representations the request gets: 'gzip' or 'identity'.
    Part of the page cache's key, as `Vary: Accept-Encoding` tells shared caches it is."""
    return "gzip" if accepts_gzip(request) else "identity"


# With a CDN that is purged on publish, it may keep pages longer than browsers (which cannot be
# purged); site-wide edits (settings, the footer) reach it within this time.
CDN_MAX_AGE = 10 * 60


def _shared_max_age():
    return CDN_MAX_AGE if getattr(settings, "WAGTAILFRONTENDCACHE", None) else BROWSER_MAX_AGE


class PageCacheMiddleware:
    """Whole responses for anonymous readers, under the content version (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self._cacheable_view(request) if request.method in ("GET", "HEAD") else None
        if view is None:
            return self._personal(self.get_response(request))
        try:
            current = versions(request)
        except DatabaseError:
            # The database is unreachable: serve (or fail) as if there were no cache, so that the
            # outage is handled where every other database error is (discsite.outage).
            return self._personal(self.get_response(request))
        token = request_version.set(current)
        try:
            if page_cache_enabled() and _is_anonymous_request(request):
                return self._serve_anonymous(request, view)
            self._use_cached_site(request)
            return self._personal(self.get_response(request))
        finally:
            request_version.reset(token)

    @staticmethod
    def _cacheable_view(request):
        """The view, if it is the page tree's or marked `cacheable` (search, feed, sitemap, robots.txt, the
        API), else None: the rest (the admin, health checks, documents) never touch the content version."""
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return None
        return view if view is serve or getattr(view, CACHEABLE_ATTRIBUTE, False) else None

    @staticmethod
    def _use_cached_site(request):
        """Wagtail looks up the site for every request; the answer only changes with the content version."""

        def find_site():
            site = Site.find_for_request(request)
            if site is None:
                return False  # cached as "no site" (None would mean "not cached")
            # Keep the home page in its own type, so routing starts without a query.
            site.root_page = site.root_page.specific
            return site

        remember_site(request, versioned(f"site:{digest(request.get_host())}", find_site) or None)

    def _serve_anonymous(self, request, view):
        keep_reader_query(request, view)  # ?utm_source=... and other parameters no view reads: no entry of their own
        key = versioned_key("page", request, request.get_full_path(), encoding_variant(request))
        cached = cache.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return self._public(response)
        self._use_cached_site(request)  # only on a miss: a hit needs no site
        response = self.get_response(request)
        if self._storable(response):
            headers = [(name, value) for name, value in response.items() if name.lower() in KEPT_HEADERS]
            cache.set(key, (response.status_code, headers, response.content), PAGE_CACHE_TIMEOUT)
            response["X-Page-Cache"] = "miss"
            return self._public(response)
        return self._personal(response) if not getattr(response, CACHEABLE_ATTRIBUTE, False) else response

    @staticmethod
    def _storable(response):
        return (
            getattr(response, CACHEABLE_ATTRIBUTE, False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
        )

    @staticmethod
    def _public(response):
        patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE, s_maxage=_shared_max_age())
        patch_vary_headers(response, ["Cookie"])
        return response

    @staticmethod
    def _personal(response):
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for public responses only (see the module docstring for why).

    Placed just inside PageCacheMiddleware, so the page cache keeps each response as it was sent,
    compressed or not, under its `encoding_variant`, and a cache hit is never compressed again.
    Every public response says `Vary: Accept-Encoding`; a strong ETag on a compressed one is made
    weak, as GZipMiddleware does, so the two representations never share a strong validator.
    """

    def process_response(self, request, response):
        if not self.is_public(request, response):
            return response
        patch_vary_headers(response, ["Accept-Encoding"])
        if not accepts_gzip(request):
            return response
        return super().process_response(request, response)

    @staticmethod
    def is_public(request, response):
        """The same for every anonymous reader, and so carrying no secret to compress beside."""
        return (
            request.method in ("GET", "HEAD")
            and not request.path_info.startswith(reverse("wagtailadmin_home"))
            and _is_anonymous_request(request)
            and getattr(response, CACHEABLE_ATTRIBUTE, False)
            and not response.cookies
        )
