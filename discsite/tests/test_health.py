"""/healthz and /readyz for load balancers: no database for the first, both checks for the second, never cached."""

import json

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings

from discsite import health


def assert_not_cacheable(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control
    assert "Set-Cookie" not in response  # no session, no CSRF cookie
    assert "cookie" not in response.get("Vary", "").lower()


def test_healthz_answers_without_the_database(client):
    """No django_db mark: any query would fail the test."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert_not_cacheable(response)
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {"database": "ok", "cache": "ok"}
    assert_not_cacheable(response)
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(client, monkeypatch, caplog):
    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {
        "status": "unavailable",
        "checks": {"database": {"status": "error", "error": "OperationalError"}, "cache": body["checks"]["cache"]},
    }
    assert body["checks"]["cache"]["status"] == "ok"
    assert_not_cacheable(response)
    assert any("database failed" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cache",
    [
        # Nothing listens on port 1: the client's connection is refused, as when Redis is down.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
        # Takes every value and returns none, as a full or misconfigured cache may.
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    ],
    ids=["refused", "loses-values"],
)
def test_readyz_reports_a_failing_cache_as_degraded_not_down(client, cache):
    """Every machine shares the cache: a 503 for it would take all of them out of the pool at once,
    while each can still serve every page without it."""
    with override_settings(CACHES={"default": cache}):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "error"
    assert_not_cacheable(response)


def test_readyz_lists_every_check_it_runs():
    assert set(health.CHECKS) == {"database", "cache"}
