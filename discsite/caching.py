"""The reader-side cache: whole responses for anonymous readers, rendered fragments for everyone.

Correctness comes first. Everything cached is keyed by the content version
(discsite.models.ContentVersion), a number that every change a reader could see
moves on: publishing, unpublishing, moving or deleting a page, and edits to the
site settings, synonyms, promotions, sites, redirects, view restrictions, tags,
images and documents. The very next request after such a change therefore
renders afresh, in every server process, whatever the cache backend (local
memory per process, or Redis shared by all).

- PageCacheMiddleware keeps whole responses for anonymous GET/HEAD requests,
  but only those a view marked cacheable (pages, search, feed, sitemap,
  robots.txt, the read-only API): never the admin, previews, health checks, or anything that sets a
  cookie. A request carrying a session cookie (a logged-in editor) or an
  Authorization header bypasses it.
- `{% versioned_cache %}` keeps rendered template fragments (the page's
  content, its breadcrumbs and head metadata, the footer), so even a request the
  page cache does not answer skips most of the work. Previews never use it.

Cache-Control is set deliberately: cached responses are public for a minute in
browsers and longer in a shared cache (a CDN purged on publish by
wagtail.contrib.frontend_cache, when one is configured); anything personal is
private and not stored.
"""

import functools
import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import F
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

CACHEABLE_ATTRIBUTE = "discsite_cacheable"
PAGE_CACHE_TIMEOUT = 24 * 60 * 60  # keys change with the content version; this only frees memory
BROWSER_MAX_AGE = 60
# Headers worth keeping with a cached response (not Set-Cookie, which a cached response never has).
KEPT_HEADERS = {"content-type", "content-language", "x-frame-options", "link"}


# The version the current request is served under, for code that has no request at hand
# (model methods Wagtail calls while serving). Set and reset by PageCacheMiddleware.
_request_version = ContextVar("discsite_content_version", default=None)


def read_content_version():
    from discsite.models import ContentVersion

    # Raw SQL because this runs on every cacheable request, cache hits included: building the
    # equivalent ORM query costs more than the rest of a cache hit together.
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    sql = f"SELECT value FROM {table} WHERE id = 1"  # noqa: S608 (a model's own table name)
    row = _read_as_health_check(sql)
    if row is _NOT_READ:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
    return row[0] if row else 0


_NOT_READ = object()


def _read_as_health_check(sql):
    """Run `sql` as the request's connection health check, if one is due, and return its row.

    On a kept PostgreSQL connection Django checks it (CONN_HEALTH_CHECKS) with a `SELECT 1` of its
    own before the request's first query: a second round trip to the database on every request,
    cache hits included. Reading the version proves the connection usable just as well, so when the
    check is due the read is the check: run on the driver's own cursor (Django's would check first)
    and counted as done. If it fails, the connection is closed, as the failed check would have
    closed it, and the caller's ordinary query reconnects. (Being the driver's own, this one query
    is not in Django's query log.)
    """
    if (
        connection.vendor != "postgresql"
        or connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return _NOT_READ
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
    except connection.Database.Error:
        connection.close()
        return _NOT_READ
    connection.health_check_done = True
    return row


def content_version(request=None):
    """The current content version, read once per request."""
    if request is not None and hasattr(request, "_discsite_content_version"):
        return request._discsite_content_version
    version = _request_version.get()
    if version is None:
        version = read_content_version()
    if request is not None:
        request._discsite_content_version = version
    return version


def versioned(name, produce):
    """`produce()`, kept in the cache for the current request's content version.

    Outside a request (management commands, most tests) there is no version to trust,
    so the value is produced afresh.
    """
    version = _request_version.get()
    if version is None:
        return produce()
    key = f"discsite:{name}:{version}"
    value = cache.get(key)
    if value is None:
        value = produce()
        cache.set(key, value, PAGE_CACHE_TIMEOUT)
    return value


def restricted_paths():
    """The tree paths of pages with a view restriction (their subtrees are not public), per content version."""
    from wagtail.models import PageViewRestriction

    return versioned(
        "restricted-paths", lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True))
    )


def public_pages(queryset):
    """`queryset.public()`, from the cached restricted paths rather than a query of its own each time."""
    for path in restricted_paths():
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def bump_content_version(**kwargs):
    """Retire everything cached.

    The update is part of the change's own transaction: other processes see the new
    version exactly when they can see the change, never before (they would cache the
    old content under the new version) and never after.
    """
    from discsite.models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ContentVersion.objects.get_or_create(pk=1, defaults={"value": 2})


def versioned_key(prefix, request, *parts):
    """A cache key for `parts` under the current content version (hashed: parts may be long)."""
    raw = "\x1f".join(str(part) for part in (request.get_host(), *parts))
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"discsite:{prefix}:{content_version(request)}:{digest}"


def fragment_cache_enabled():
    return getattr(settings, "DISCSITE_FRAGMENT_CACHE", True)


def page_cache_enabled():
    return getattr(settings, "DISCSITE_PAGE_CACHE", True)


def mark_cacheable(response):
    setattr(response, CACHEABLE_ATTRIBUTE, True)
    return response


def cacheable(view):
    """Mark a view's responses as the same for every anonymous reader (so the page cache may keep them)."""

    @functools.wraps(view)  # and its attributes, such as csrf_exempt
    def wrapped(request, *args, **kwargs):
        return mark_cacheable(view(request, *args, **kwargs))

    setattr(wrapped, CACHEABLE_ATTRIBUTE, True)
    return wrapped


def _is_anonymous_request(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


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
        if request.method not in ("GET", "HEAD") or not self._may_be_cacheable(request):
            return self._personal(self.get_response(request))
        try:
            version = content_version(request)
        except DatabaseError:
            # The database is unreachable: serve (or fail) as if there were no cache, so that the
            # outage is handled where every other database error is (discsite.outage).
            return self._personal(self.get_response(request))
        token = _request_version.set(version)
        try:
            if page_cache_enabled() and _is_anonymous_request(request):
                return self._serve_anonymous(request)
            self._use_cached_site(request)
            return self._personal(self.get_response(request))
        finally:
            _request_version.reset(token)

    @staticmethod
    def _may_be_cacheable(request):
        """Only the page tree and views marked `cacheable` (search, feed, sitemap, robots.txt, the API):
        the rest (the admin, health checks, documents) never touch the content version."""
        from django.urls import Resolver404, resolve
        from wagtail.views import serve

        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return False
        return view is serve or getattr(view, CACHEABLE_ATTRIBUTE, False)

    @staticmethod
    def _use_cached_site(request):
        """Wagtail looks up the site for every request; the answer only changes with the content version."""
        from wagtail.models import Site

        hostname, port = request._get_raw_host(), request.get_port()

        def find_site():
            site = Site._find_for_request(request)
            if site is None:
                return False  # cached as "no site" (None would mean "not cached")
            # Keep the home page in its own type, so routing starts without a query.
            site.root_page = site.root_page.specific
            return site

        key = hashlib.sha256(f"{hostname}:{port}".encode("utf-8", "surrogatepass")).hexdigest()
        request._wagtail_site = versioned(f"site:{key}", find_site) or None

    def _serve_anonymous(self, request):
        key = versioned_key("page", request, request.get_full_path())
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


# ------------------------------------------------------------------ invalidation


def _bump_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump_content_version()


def pages_showing(page):
    """The pages whose content shows `page`: its section and home (listings), its topics, its expert."""
    from wagtail.models import Page

    page = page.specific
    shown_on = list(Page.objects.ancestor_of(page).filter(depth__gt=1))
    tags = page.tags.all() if hasattr(page, "tags") else []
    for tag in tags:
        topic = getattr(tag, "topic_page", None)
        if topic is not None:
            shown_on.append(topic)
    for name in ("author", "reviewed_by"):
        expert = getattr(page, name, None)
        if expert is not None:
            shown_on.append(expert)
    return shown_on


def purge_pages_showing(sender, instance, **kwargs):
    """Wagtail's frontend cache purges the published page itself; this purges where it is listed."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages_showing(instance))
    batch.purge()


def connect_invalidation():
    """Every change a reader could see moves the content version on. Called from DiscsiteConfig.ready()."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(bump_content_version, dispatch_uid=f"discsite_content_version_{signal}")
    post_delete.connect(_bump_on_page_delete, dispatch_uid="discsite_content_version_page_delete")
    for signal in (page_published, page_unpublished):
        signal.connect(purge_pages_showing, dispatch_uid=f"discsite_purge_listings_{signal}")
    for label in (
        "discsite.SiteSettings",
        "discsite.SafetyNetText",
        "discsite.SearchSynonym",
        "wagtailsearchpromotions.SearchPromotion",
        "wagtailcore.Site",
        "wagtailcore.PageViewRestriction",
        "wagtailredirects.Redirect",
        "taggit.Tag",
        "wagtailimages.Image",
        "wagtaildocs.Document",
    ):
        model = apps.get_model(label)
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"discsite_content_version_save_{label}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"discsite_content_version_del_{label}")
