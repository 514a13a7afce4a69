"""The reader-side cache: whole responses for anonymous readers, rendered fragments for everyone.

Correctness comes first. Everything cached is keyed by the content version
(core.ContentVersion), a number that every change a reader could see
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
- `{% versioned_cache %}` and `{% own_content_cache %}` keep rendered template
  fragments (what shows other pages under the content version; the page's own
  content, its head metadata and breadcrumbs under the structure version and its
  live revision), so even a request the page cache does not answer skips most of
  the work. Previews never use them.

Cache-Control is set deliberately: cached responses are public for a minute in
browsers and longer in a shared cache (a CDN purged on publish by
wagtail.contrib.frontend_cache, when one is configured); anything personal is
private and not stored.
"""

import functools
import hashlib
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.utils import timezone
from wagtail.models import PageViewRestriction

CACHEABLE_ATTRIBUTE = "discsite_cacheable"
PAGE_CACHE_TIMEOUT = 24 * 60 * 60  # keys change with the content version; this only frees memory
BROWSER_MAX_AGE = 60
# Headers worth keeping with a cached response (not Set-Cookie, which a cached response never has).
# A response is kept as it was sent, gzip-compressed or not (core.middleware.PublicGZipMiddleware),
# under a key naming which; its encoding, Vary and ETag belong to those bytes.
KEPT_HEADERS = {"content-type", "content-language", "x-frame-options", "link", "content-encoding", "vary", "etag"}


# The versions the current request is served under, for code that has no request at hand
# (model methods Wagtail calls while serving). Set and reset by PageCacheMiddleware.
request_version = ContextVar("discsite_content_version", default=None)


# The table of core.ContentVersion (its Meta names it from here). This module reads and moves the
# versions with plain SQL, so that the model module can use the cache without a circle of imports;
# reading them on every cacheable request, cache hits included, through the ORM would also cost
# more than the rest of a cache hit together.
CONTENT_VERSION_TABLE = "core_contentversion"
# Its two rows. The content version moves on with every change a reader could see; whole responses,
# listings and everything that shows other pages are kept under it. The structure version moves on
# with every such change too, except the publication of a page whose type says its publication changes
# nothing shown elsewhere but listings of it (BasePage.publication_is_local: an answer or an article):
# what is kept under it (a page's own content, keyed by its live revision too, and listing cards)
# outlives a publishing burst. See the module docstring.
CONTENT_VERSION_ROW = 1
STRUCTURE_VERSION_ROW = 2


class Versions(tuple):
    """(content, structure): the two numbers a request is served under."""

    __slots__ = ()

    def __new__(cls, content, structure):
        return super().__new__(cls, (content, structure))

    @property
    def content(self):
        return self[0]

    @property
    def structure(self):
        return self[1]


def read_versions():
    table = connection.ops.quote_name(CONTENT_VERSION_TABLE)
    rows = [CONTENT_VERSION_ROW, STRUCTURE_VERSION_ROW]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, value FROM {table} WHERE id IN (%s, %s)", rows)  # noqa: S608 (the model's own table)
        values = dict(cursor.fetchall())
    return Versions(values.get(CONTENT_VERSION_ROW, 0), values.get(STRUCTURE_VERSION_ROW, 0))


def read_content_version():
    return read_versions().content


def versions(request=None):
    """The current versions, read once per request."""
    if request is not None and hasattr(request, "_discsite_versions"):
        return request._discsite_versions
    current = request_version.get()
    if current is None:
        current = read_versions()
    if request is not None:
        request._discsite_versions = current
    return current


def content_version(request=None):
    """The current content version, read once per request."""
    return versions(request).content


def versioned(name, produce):
    """`produce()`, kept in the cache for the current request's content version.

    Outside a request (management commands, most tests) there is no version to trust,
    so the value is produced afresh.
    """
    current = request_version.get()
    if current is None:
        return produce()
    key = f"discsite:{name}:{current.content}"
    value = cache.get(key)
    if value is None:
        value = produce()
        cache.set(key, value, PAGE_CACHE_TIMEOUT)
    return value


def versioned_result(name, produce):
    """`produce()`, a page's query result kept like a rendered fragment: per content version (`versioned`),
    and not at all when the fragment cache is off (so that tests measure what rendering really costs)."""
    return versioned(name, produce) if fragment_cache_enabled() else produce()


def restricted_paths():
    """The tree paths of pages with a view restriction (their subtrees are not public), per content version."""
    return versioned(
        "restricted-paths", lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True))
    )


def public_pages(queryset):
    """`queryset.public()`, from the cached restricted paths rather than a query of its own each time."""
    for path in restricted_paths():
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def _bump(rows):
    table = connection.ops.quote_name(CONTENT_VERSION_TABLE)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(f"UPDATE {table} SET value = value + 1, changed_at = %s WHERE id = %s", [now, row])  # noqa: S608
            if cursor.rowcount == 0:
                cursor.execute(f"INSERT INTO {table} (id, value, changed_at) VALUES (%s, 2, %s)", [row, now])  # noqa: S608


def bump_content_version(**kwargs):
    """Retire everything cached.

    The update is part of the change's own transaction: other processes see the new
    version exactly when they can see the change, never before (they would cache the
    old content under the new version) and never after. (The rows are created by the migrations
    that create the table; the insert is for a database emptied by hand.)
    """
    _bump((CONTENT_VERSION_ROW, STRUCTURE_VERSION_ROW))


def bump_publication_version():
    """Retire what is kept under the content version (whole responses, listings, whatever shows other
    pages), but not what is kept under the structure version: for the publication of a page that
    changes nothing shown elsewhere but listings of it. In the change's own transaction, as above."""
    _bump((CONTENT_VERSION_ROW,))


def digest(*parts):
    """A short fixed-length stand-in for `parts` in a cache key: they may be long, or come from a URL."""
    raw = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def versioned_key(prefix, request, *parts):
    """A cache key for `parts` on this host under the current content version."""
    return f"discsite:{prefix}:{content_version(request)}:{digest(request.get_host(), *parts)}"


def structure_key(prefix, request, *parts):
    """A cache key for `parts` on this host under the current structure version: for what changes only
    with a change of its own (so `parts` must name that: a page's id and live revision, say)."""
    return f"discsite:{prefix}:s{versions(request).structure}:{digest(request.get_host(), *parts)}"


def fragment_cache_enabled():
    return getattr(settings, "DISCSITE_FRAGMENT_CACHE", True)


def page_cache_enabled():
    return getattr(settings, "DISCSITE_PAGE_CACHE", True)


def mark_cacheable(response):
    setattr(response, CACHEABLE_ATTRIBUTE, True)
    return response


# The query parameters the public pages read: the search's words, type and page, a listing's page,
# a sitemap section's page. For an anonymous reader the page cache drops every other parameter
# (utm_source, fbclid, a cache-buster...) before the view runs and keys the response by what is left,
# so they neither make new cache entries nor show in the page (its pagination links, breadcrumbs).
READER_QUERY_PARAMETERS = frozenset({"q", "type", "page", "p"})
# For `cacheable(view, query_parameters=EVERY_QUERY_PARAMETER)`: a view that refuses parameters it
# does not know (an error answer, which is never kept), such as Wagtail's API with its field filters.
EVERY_QUERY_PARAMETER = "*"
QUERY_PARAMETERS_ATTRIBUTE = "discsite_query_parameters"


def cacheable(view, *, query_parameters=READER_QUERY_PARAMETERS):
    """Mark a view's responses as the same for every anonymous reader (so the page cache may keep them),
    given the `query_parameters` it reads (see READER_QUERY_PARAMETERS)."""

    @functools.wraps(view)  # and its attributes, such as csrf_exempt
    def wrapped(request, *args, **kwargs):
        return mark_cacheable(view(request, *args, **kwargs))

    setattr(wrapped, CACHEABLE_ATTRIBUTE, True)
    setattr(wrapped, QUERY_PARAMETERS_ATTRIBUTE, query_parameters)
    return wrapped


def keep_reader_query(request, view):
    """Leave in the request's query only the parameters `view` reads, sorted and encoded one way, so
    that the page cache keys the request, and the view renders it, by those alone."""
    reads = getattr(view, QUERY_PARAMETERS_ATTRIBUTE, READER_QUERY_PARAMETERS)
    query = request.META.get("QUERY_STRING", "")
    if not query or reads == EVERY_QUERY_PARAMETER:
        return
    kept = urlencode(
        [(name, value) for name, values in sorted(request.GET.lists()) if name in reads for value in values]
    )
    if kept != query:
        request.META["QUERY_STRING"] = kept
        request.GET = QueryDict(kept)
