"""The cache backend for REDIS_URL: Django's RedisCache, which a Redis outage cannot turn into error pages.

Django's RedisCache raises when Redis cannot be reached, and every public page, every
fragment and Wagtail's own look-ups go through the cache: with Redis down, every page would
be a 500. The cache is only ever a copy of what the database says (discsite/core/caching.py
keys everything by the content version, read from the database), so here an unreachable
Redis is treated as an empty one:

- a read is a miss (`get` returns the default, `get_many` nothing, `has_key` False), a write
  is dropped (`set`, `add`, `touch`, `delete`, `clear`), and pages are rendered afresh from
  the database: slower, never an error. A counter cannot be faked, so `incr` still raises
  (its one caller, the password-reset limit in discsite/accounts.py, then lets the request
  through and logs it);
- it costs milliseconds, not seconds: short socket timeouts (OPTIONS can override them), no
  retries, and after a failure this process does not try Redis again for RETRY_INTERVAL
  seconds (default 1), so a dead or unreachable Redis costs one short wait a second per
  process, not one per cache call;
- it is logged once per outage and process (a WARNING when Redis goes, another when it is
  back, with how long it was away and how many calls were answered without it), not once per
  request;
- nothing stale survives it: a `delete` or `clear` that could not reach Redis (such as
  Wagtail dropping its site root paths after a site was edited) leaves behind an entry that
  should be gone, so the first time Redis answers again this process empties the cache before
  anything else. Entries written by other processes meanwhile are rendered again on their next
  request; the page cache's own keys never go stale (they name the content version).

Only connection errors and timeouts count as an outage; any other Redis error is a bug and
raises. Documented for operators in docs/deploy.md ("When Redis is down").
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A connection refused, reset or timed out (BusyLoadingError, Redis still loading its data after a
# restart, is a ConnectionError too).
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

# Seconds. On the loopback or a LAN a healthy Redis answers in well under a millisecond; these only
# bound what an unreachable or hung one costs (redis-py would otherwise wait for the OS: minutes).
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
DEFAULT_RETRY_INTERVAL = 1.0


class Availability:
    """What this process knows of one Redis location, shared by its threads' backend instances
    (Django makes one instance per thread): up or down since when, and whether a delete was lost."""

    def __init__(self, location, retry_interval):
        self.location = location
        self.retry_interval = retry_interval
        self.lock = threading.Lock()
        self.down_since = None  # time.monotonic() of the first failure of the current outage
        self.retry_at = 0.0
        self.skipped = 0  # calls answered without Redis during the current outage
        self.lost_deletes = False

    def may_try(self):
        with self.lock:
            if self.down_since is None or time.monotonic() >= self.retry_at:
                return True
            self.skipped += 1
            return False

    def failed(self, error):
        with self.lock:
            first = self.down_since is None
            now = time.monotonic()
            if first:
                self.down_since = now
                self.skipped = 0
            self.skipped += 1
            self.retry_at = now + self.retry_interval
        if first:
            logger.warning(
                "Cache unavailable (%s at %s): serving without it (reads miss, writes are dropped), "
                "trying again every %.1f s.",
                type(error).__name__,
                self.location,
                self.retry_interval,
            )

    def answered(self, emptied=False):
        if self.down_since is None:  # the usual case: no lock, nothing to say
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds, skipped = time.monotonic() - self.down_since, self.skipped
            self.down_since = None
        logger.warning(
            "Cache available again at %s after %.1f s; %d calls were answered without it%s.",
            self.location,
            seconds,
            skipped,
            "; emptied, since deletes were lost meanwhile" if emptied else "",
        )


_availability = {}
_availability_lock = threading.Lock()


def availability_of(location, retry_interval):
    with _availability_lock:
        if location not in _availability:
            _availability[location] = Availability(location, retry_interval)
        return _availability[location]


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis is unreachable (see the module
    docstring). Settings as for RedisCache; OPTIONS are redis-py's connection options (DEFAULT_OPTIONS
    unless given), and RETRY_INTERVAL (seconds, beside OPTIONS) how long to leave a failed Redis alone."""

    def __init__(self, server, params):
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self.availability = availability_of(location, float(params.get("RETRY_INTERVAL", DEFAULT_RETRY_INTERVAL)))

    def guarded(self, call, fallback, *, deletes=False):
        """`call()`, or `fallback` if Redis cannot be reached now (or failed less than RETRY_INTERVAL ago).
        `deletes`: the call removes entries, so losing it leaves something behind that should be gone."""
        availability = self.availability
        if not availability.may_try():
            availability.lost_deletes |= deletes
            return fallback
        emptied = False
        try:
            if availability.lost_deletes:
                super().clear()  # before anything is read: see "nothing stale survives it" above
                availability.lost_deletes, emptied = False, True
            result = call()
        except UNAVAILABLE as error:
            availability.lost_deletes |= deletes
            availability.failed(error)
            return fallback
        availability.answered(emptied)
        return result

    def get(self, key, default=None, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """The keys that could not be set: all of them while Redis is unreachable (as Django documents)."""
        return self.guarded(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False, deletes=True)

    def delete_many(self, keys, version=None):
        self.guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None, deletes=True)

    def clear(self):
        return self.guarded(lambda: super(ResilientRedisCache, self).clear(), False, deletes=True)

    def incr(self, key, delta=1, version=None):
        """As RedisCache's; while Redis is unreachable it raises redis' ConnectionError (a count cannot be made up)."""
        if not self.availability.may_try():
            raise RedisConnectionError(f"the cache at {self.availability.location} is unavailable")
        try:
            result = super().incr(key, delta, version)
        except UNAVAILABLE as error:
            self.availability.failed(error)
            raise
        self.availability.answered()
        return result
