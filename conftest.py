"""Fixtures shared by every app's tests."""

import os
import re
import threading
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction


@pytest.fixture(autouse=True)
def _empty_cache():
    """Wagtail caches site root paths and settings; a rolled-back test must not leave them behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def caches_on(settings):
    """The whole-response page cache and the fragment caches on, as in production (the test settings
    turn them off, so that a second request still renders)."""
    settings.DISCSITE_PAGE_CACHE = True
    settings.DISCSITE_FRAGMENT_CACHE = True


@pytest.fixture
def site_tree(db):
    """The home page and its four section pages, as the default site."""
    from discsite.factories import build_site_tree

    return build_site_tree()


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker):
    """Seed once per test module inside a transaction that is rolled back afterwards.

    Like Django's TestCase.setUpTestData: the module's tests each run in a
    savepoint on top of the seeded data, and nothing outlives the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db):
    """The site built from the real seed files (rolled back after the module)."""


# ---------------------------------------------------------------- browser tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


def _browser_unavailable_reason():
    if Path(CHROMIUM).exists():
        return None
    return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"


@pytest.fixture(scope="session", autouse=True)
def _playwright(request):
    """Start Playwright's driver before anything touches the database, if browser tests will run.

    Starting it switches the thread's context variables, where Django keeps its connections:
    started mid-session it would leave the test database's connection object behind.
    """
    if not any(item.get_closest_marker("browser") for item in request.session.items) or _browser_unavailable_reason():
        yield None
        return
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def chromium(_playwright):
    """The system Chromium driven by Playwright; skipped where it is missing, unless CI requires it."""
    reason = _browser_unavailable_reason()
    if reason:
        if os.environ.get("DISCSITE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and DISCSITE_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(reason)
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def sign_in(chromium, demo_site):
    """sign_in(username): a new browser window (own cookies), signed in to the admin as that demo user
    at desktop size, on the test module's own `demo_site` (a live server with the demo users)."""
    from articles.tests.test_review_in_browser import log_in  # Django's apps load after this file

    contexts = []

    def sign_in(username):
        page = log_in(chromium, demo_site, username)
        contexts.append(page.context)
        return page

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh browser tab (own cookies) at desktop size; failed requests to other hosts are refused."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under test-artifacts/<test name>/<name>.png."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


@pytest.fixture(scope="session")
def _migrated_state(django_db_setup, django_db_blocker):
    """The database as the migrations left it (root page, locale, roles, settings), serialised."""
    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


class OneRequestAtATime:
    """A gate around the live server's WSGI app: one request at a time.

    On SQLite the live server's threads share the test's one in-memory connection, so two requests
    at once (the editor's autosave or session ping beside a click) would interleave their
    transactions ("no such savepoint") and fail at random. A real database isolates them; here they
    take turns. The response is read whole inside the turn, as its body may still query.

    `close()` waits for the request in hand and holds off any other until `open()`: the test's own
    flush and restore use the same connection, and a request the browser sent just before it
    closed (a recording's next range, say) must not run beside them.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.closed = False

    def wrap(self, app):
        def one_at_a_time(environ, start_response):
            with self.lock:
                response = app(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return one_at_a_time

    def close(self):
        self.lock.acquire()
        self.closed = True

    def open(self):
        if self.closed:
            self.closed = False
            self.lock.release()


@pytest.fixture(scope="session")
def _browser_live_server(django_db_setup):
    """A live server for the browser tests (pytest-django's `live_server` without its autouse helper,
    whose early transactional_db would flush the tables after our restore), serving one request at
    a time (OneRequestAtATime)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost:0", start=False)
    server.gate = OneRequestAtATime()
    serve_static = server.thread.static_handler
    server.thread.static_handler = lambda app: server.gate.wrap(serve_static(app))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def _restore_migrated_state(_migrated_state, django_db_blocker):
    """After a transactional test has emptied the tables, put back what the migrations created.

    Django's serialized rollback restores that data only when the *next* transactional test
    starts; restoring on the way out as well keeps it there for any test that follows.
    Set up before transactional_db (see live_site), so torn down after its flush.
    """
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(_migrated_state)


@pytest.fixture
def _live_server_reopened(_browser_live_server):
    """Set up first in live_site, so torn down last: the server answers again (see live_site)."""
    yield
    _browser_live_server.gate.open()


@pytest.fixture
def live_site(
    _live_server_reopened,
    _restore_migrated_state,
    django_db_serialized_rollback,
    transactional_db,
    _browser_live_server,
):
    """The live server over committed data, for browser tests.

    With serialized rollback, the flush after the test keeps the content types' ids (it skips
    post_migrate), so the restored rows still match Django's content-type cache. This fixture is torn
    down first: it waits for the request the server has in hand and holds off any other until the
    flush and the restore are done (OneRequestAtATime.close).
    """
    yield _browser_live_server
    _browser_live_server.gate.close()


@pytest.fixture
def seeded_live_server(live_site):
    """The live server with the seeded site committed."""
    call_command("seed", verbosity=0)
    return live_site


# ---------------------------------------------------------------- roles


@pytest.fixture
def roles(site_tree, django_user_model):
    """One user per role, with e-mail addresses; the clinicians are linked to expert profiles."""
    from django.contrib.auth.models import Group

    from experts.factories import ExpertPageFactory

    def user(username, group=None, **extra):
        account = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.com", password="changeme", **extra
        )
        if group:
            account.groups.add(Group.objects.get(name=group))
        return account

    people = {
        "editor": user("editor", "Editors"),
        "clinician": user("clinician", "Clinical reviewers"),
        "second_clinician": user("second_clinician", "Clinical reviewers"),
        "unlinked_clinician": user("unlinked_clinician", "Clinical reviewers"),
        "moderator": user("moderator", "Moderators"),
        "admin": user("admin", is_superuser=True, is_staff=True),
    }
    ExpertPageFactory(title="Ada Reviewer", user=people["clinician"])
    ExpertPageFactory(title="Bo Checker", department="Neurology", user=people["second_clinician"])
    return people
