"""Health checks for load balancers and process supervisors.

- `GET /healthz`: the process is up and Django answers. No database, no cache: a liveness probe
  that a database outage must not fail (restarting the web processes would not bring it back).
- `GET /readyz`: this process can serve pages: the database answers a trivial query (503 naming
  it when not: a readiness probe, to take a machine out of the pool). The cache is checked too (it
  takes a value and gives it back) but only reported: without it every page is rendered afresh,
  slower but whole (core.cache_backend), and the cache is shared, so failing on it would take every
  machine out of the pool at once. 200 with `{"status": "ok"}`, or `{"status": "degraded"}` and
  the failed check named, for monitoring to alert on.

Both answer GET and HEAD only, touch no session (so no cookie is set and no Vary: Cookie),
and send `Cache-Control: no-store`, so no page cache, CDN or proxy keeps them.
"""

import json
import logging
import secrets
import time

from django.core.cache import caches
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _uncacheable(response):
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
    return response


@require_safe
def healthz(request):
    return _uncacheable(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


def check_database(alias="default"):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise DatabaseError("SELECT 1 did not return 1")


def check_cache(alias="default"):
    cache = caches[alias]
    key = f"discsite:readyz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just set")
    finally:
        cache.delete(key)


CHECKS = {"database": check_database, "cache": check_cache}
REQUIRED = {"database"}  # what a machine cannot serve without; the others are reported as degraded


@require_safe
def readyz(request):
    results, healthy, degraded = {}, True, False
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # a failure of a required check means not ready; say which and why
            if name in REQUIRED:
                healthy = False
            else:
                degraded = True
            results[name] = {"status": "error", "error": type(error).__name__}
            logger.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
        else:
            results[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    body = {"status": "unavailable" if not healthy else "degraded" if degraded else "ok", "checks": results}
    response = HttpResponse(json.dumps(body) + "\n", content_type="application/json", status=200 if healthy else 503)
    return _uncacheable(response)
