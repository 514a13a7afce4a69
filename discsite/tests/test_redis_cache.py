"""The Redis cache (discsite/core/cache_backend.py) against a real redis-server, started on a free
loopback port for each test (never the machine's own Redis), and stopped, hung or restarted mid-test.

While Redis answers it is Django's RedisCache, shared by every process. When it goes away, readers
still get every page (rendered afresh: a miss, never a 5xx), editors' saves and the workflow's
publish go through whole, the cost is milliseconds, and the outage is logged once. Skipped where
redis-server is not installed, unless DISCSITE_REQUIRE_REDIS=1 (CI) makes that a failure.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import cache, caches
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from articles.factories import QuestionPageFactory
from articles.models import QuestionPage
from articles.tests.test_permissions import at_editorial_step, edit_form_data, workflow_action_url
from articles.tests.test_review_integrity import signed_in
from discsite.core.cache_backend import ResilientRedisCache

pytestmark = [pytest.mark.django_db]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
LOGGER = "discsite.core.cache_backend"
# Short, so that the tests that hang Redis wait little; production uses the module's defaults.
SOCKET_TIMEOUT = 0.2
RETRY_INTERVAL = 0.3
NO_DISK = ["--save", "", "--appendonly", "no"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A redis-server of the test's own: loopback only, no persistence, in a temporary directory."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (the system's redis-server, arguments of our own)
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory), *NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except RedisConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within 10 s")

    def client(self):
        return Redis(port=self.port, socket_timeout=1)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self):
        """The process stops answering but keeps its connections and data: a hung or unreachable Redis."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.kill()


@pytest.fixture
def redis_server(tmp_path):
    if not os.path.exists(REDIS_SERVER):
        reason = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("DISCSITE_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and DISCSITE_REQUIRE_REDIS=1 requires the Redis tests")
        pytest.skip(reason)
    server = RedisProcess(tmp_path).start()
    yield server
    server.stop()


def resilient_cache_settings(url):
    return {
        "default": {
            "BACKEND": "discsite.core.cache_backend.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": SOCKET_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT},
            "RETRY_INTERVAL": RETRY_INTERVAL,
        }
    }


@pytest.fixture
def redis_cache(redis_server, settings):
    """The site's default cache on the test's redis-server, with the page and fragment caches on."""
    settings.CACHES = resilient_cache_settings(redis_server.url)
    settings.DISCSITE_PAGE_CACHE = True
    settings.DISCSITE_FRAGMENT_CACHE = True
    assert isinstance(caches["default"], ResilientRedisCache)
    return caches["default"]


def outage_warnings(caplog):
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_while_redis_answers_it_is_djangos_redis_cache_shared_by_every_process(redis_cache, redis_server):
    other_process = ResilientRedisCache(redis_server.url, {})  # another worker's instance, same Redis
    redis_cache.set("greeting", {"text": "hello"}, 30)
    assert other_process.get("greeting") == {"text": "hello"}
    assert redis_cache.add("greeting", "again") is False
    assert redis_cache.add("counter", 1) is True
    assert redis_cache.incr("counter", 2) == 3
    assert redis_cache.get_many(["greeting", "counter", "missing"]) == {"greeting": {"text": "hello"}, "counter": 3}
    assert redis_cache.set_many({"a": 1, "b": 2}) == []
    assert redis_cache.has_key("a")
    assert redis_cache.touch("a", 60) is True
    assert redis_cache.delete("a") is True
    assert redis_cache.get("a", "gone") == "gone"
    redis_cache.delete_many(["b", "counter"])
    assert redis_server.client().dbsize() == 1  # "greeting" (with Django's key prefix and version)
    assert redis_cache.clear() is True
    assert redis_server.client().dbsize() == 0


def test_redis_goes_away_mid_test_reads_miss_writes_are_dropped_and_it_is_logged_once(
    redis_cache, redis_server, caplog
):
    redis_cache.set("kept", "value")
    assert redis_cache.get("kept") == "value"
    redis_server.kill()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(100):
            assert redis_cache.get("kept", "default") == "default"
            assert redis_cache.set("kept", "new") is None
            assert redis_cache.add("new", 1) is False
            assert redis_cache.get_many(["kept", "new"]) == {}
            assert redis_cache.has_key("kept") is False
            assert redis_cache.set_many({"x": 1}) == ["x"]
            assert redis_cache.touch("kept") is False
            assert redis_cache.delete("kept") is False
            redis_cache.delete_many(["kept"])
            with pytest.raises(RedisConnectionError):
                redis_cache.incr("counter")  # a count cannot be made up; its caller fails open
    assert time.monotonic() - started < 1.0  # 1,000 calls: a refused connection costs next to nothing
    [warning] = outage_warnings(caplog)
    assert warning.startswith("Cache unavailable (ConnectionError at redis://127.0.0.1:")
    assert "serving without it" in warning


def test_a_hung_redis_costs_one_short_timeout_per_retry_interval(redis_cache, redis_server):
    redis_cache.set("kept", "value")
    redis_server.pause()
    started = time.monotonic()
    assert redis_cache.get("kept") is None
    first = time.monotonic() - started
    assert SOCKET_TIMEOUT * 0.9 <= first < SOCKET_TIMEOUT + 0.5  # the socket timeout, not the OS's minutes
    started = time.monotonic()
    for _ in range(200):
        assert redis_cache.get("kept") is None
    assert time.monotonic() - started < 0.1  # not tried again within RETRY_INTERVAL
    redis_server.resume()


def test_when_redis_is_back_it_is_used_again_and_nothing_deleted_meanwhile_survives(redis_cache, redis_server, caplog):
    redis_cache.set("site-root-paths", "before the site was edited")
    redis_cache.set("other", "kept by another process")
    redis_server.pause()  # keeps its data, as a Redis behind a network fault would
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert redis_cache.delete("site-root-paths") is False  # lost: Redis does not answer
        redis_server.resume()
        assert redis_cache.get("other") is None  # within RETRY_INTERVAL: not tried yet
        time.sleep(RETRY_INTERVAL + 0.05)
        # Back: the cache is emptied first, so the entry that should have been deleted is not served.
        assert redis_cache.get("site-root-paths") is None
        redis_cache.set("fresh", "value")
        assert redis_server.client().dbsize() == 1
        assert redis_cache.get("fresh") == "value"
    unavailable, available = outage_warnings(caplog)
    assert unavailable.startswith("Cache unavailable (TimeoutError")
    assert available.startswith("Cache available again at redis://127.0.0.1:")
    assert available.endswith("; emptied, since deletes were lost meanwhile.")


def test_after_a_restart_of_redis_the_cache_works_again(redis_cache, redis_server):
    redis_cache.set("kept", "value")
    redis_server.kill()
    assert redis_cache.get("kept") is None
    redis_server.start()  # the same port, empty
    time.sleep(RETRY_INTERVAL + 0.05)
    redis_cache.set("kept", "again")
    assert redis_cache.get("kept") == "again"
    assert redis_server.client().dbsize() == 1


def test_redis_goes_away_mid_test_the_pages_still_render(client, redis_cache, redis_server, site_tree, caplog):
    question = QuestionPageFactory(title="Does walking help sciatica?", tags=["Sciatica"])
    paths = ["/", "/questions/", question.url, "/search/?q=sciatica", "/feed/", "/sitemap.xml", "/api/v2/pages/"]
    for path in paths:
        assert client.get(path)["X-Page-Cache"] == "miss", path
        assert client.get(path)["X-Page-Cache"] == "hit", path
    assert redis_server.client().dbsize() > len(paths)  # the pages and fragments are in Redis

    redis_server.kill()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(3):
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                assert response["X-Page-Cache"] == "miss", path  # rendered afresh from the database
        assert "Does walking help sciatica?" in client.get(question.url).content.decode()
    assert len(outage_warnings(caplog)) == 1


def test_with_redis_gone_an_editors_save_and_the_workflows_publish_go_through_whole(
    client, redis_cache, redis_server, roles
):
    page = at_editorial_step(roles)
    redis_server.kill()

    editor = signed_in(roles["admin"])
    saved = editor.post(f"/admin/pages/{page.pk}/edit/", edit_form_data(page, title="Walking and sciatica"))
    assert saved.status_code == 302
    latest = QuestionPage.objects.get(pk=page.pk).get_latest_revision()
    assert latest.content["title"] == "Walking and sciatica"
    assert QuestionPage.objects.get(pk=page.pk).draft_title == "Walking and sciatica"

    page = QuestionPage.objects.get(pk=page.pk)
    page = at_editorial_step(roles)  # a second page, through the workflow to its sign-off
    moderator = signed_in(roles["moderator"])
    published = moderator.post(workflow_action_url(page, "approve"), {"comment": "Good."})
    assert published.status_code == 302
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.live
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_with_redis_gone_sign_in_and_password_reset_still_answer(client, redis_cache, redis_server, roles):
    redis_server.kill()
    login = client.post("/admin/login/", {"username": "editor", "password": "changeme", "next": "/admin/"})
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200
    reset = client.post("/admin/password_reset/", {"email": "editor@example.com"})
    assert reset.status_code == 302  # the limit is skipped (logged); the mail goes to the account's address


def test_with_redis_gone_the_readiness_probe_says_so(client, redis_cache, redis_server):
    """The pages still work, but an operator must hear of it (docs/deploy.md)."""
    assert client.get("/readyz").status_code == 200
    redis_server.kill()
    response = client.get("/readyz")
    assert response.status_code == 200  # still in the pool: every page is served without the cache
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["status"] == "error"
    assert cache.get("anything") is None
