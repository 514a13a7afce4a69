"""The database unreachable: a styled 503 with Retry-After, logged, never a traceback; a failed save saves nothing."""

import logging
import re

import pytest
from bs4 import BeautifulSoup
from django.db.backends.utils import CursorWrapper
from django.db.utils import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from articles.models import QuestionPage
from articles.tests.test_clinical_review import draft_question
from articles.tests.test_permissions import edit_form_data
from discsite.models import HomePage
from discsite.outage import server_error

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n\tIs the server running?'


def assert_styled_503(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert [h1.get_text(strip=True) for h1 in soup.find_all("h1")] == [
        "Sorry, the service is unavailable for a moment"
    ]
    assert soup.find("link", rel="stylesheet")
    assert soup.find(class_="urgent-care")  # the red flags, even now
    for leak in ("Traceback", "OperationalError", "InterfaceError", "5432", "connection"):
        assert leak not in html


def test_unavailable_template_renders_without_a_database():
    """No django_db mark: any query here would fail the test."""
    html = render_to_string("503.html")
    assert "<h1" in html
    assert "unavailable" in html


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError(REFUSED), InterfaceError("connection already closed")])
def test_a_page_whose_database_is_gone_is_a_styled_503(client, site_tree, monkeypatch, caplog, error):
    def broken_serve(self, request, *args, **kwargs):
        raise error

    monkeypatch.setattr(HomePage, "serve", broken_serve)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/?utm_source=test")
    assert_styled_503(response)
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.status_code == 503
    assert record.levelname == "ERROR"
    assert "database unavailable" in record.getMessage()
    assert type(error).__name__ in record.getMessage()


@pytest.mark.django_db
def test_every_query_failing_gives_the_503_page(client, site_tree, monkeypatch):
    """As in a real outage: the page tree cannot even be looked up."""

    def refused(self, sql, params=None):
        raise OperationalError(REFUSED)

    monkeypatch.setattr(CursorWrapper, "execute", refused)
    for path in ("/", "/questions/", "/no/such/page/", "/search/?q=sciatica", "/feed/"):
        assert_styled_503(client.get(path))


@pytest.mark.django_db
def test_other_errors_are_still_the_500_page(client, site_tree, monkeypatch):
    def broken_serve(self, request, *args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(HomePage, "serve", broken_serve)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "problem with the service" in response.content.decode()


class FailingMiddleware:
    """Stands for any middleware that reaches the database before the view does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError(REFUSED)


@pytest.mark.django_db
def test_a_database_error_in_a_middleware_is_a_503_too(client, site_tree, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "discsite.tests.test_outage.FailingMiddleware"]
    client.raise_request_exception = False
    assert_styled_503(client.get("/"))


def test_handler500_tells_database_errors_from_others():
    request = RequestFactory().get("/")
    try:
        raise OperationalError(REFUSED)
    except OperationalError:
        assert server_error(request).status_code == 503
    try:
        raise ValueError("not the database")
    except ValueError:
        assert server_error(request).status_code == 500


@override_settings(DISCSITE_RETRY_AFTER=5)
def test_retry_after_is_a_setting():
    request = RequestFactory().get("/")
    try:
        raise OperationalError(REFUSED)
    except OperationalError:
        assert server_error(request)["Retry-After"] == "5"


@pytest.mark.django_db
def test_a_save_that_fails_at_its_last_write_leaves_the_page_as_it_was(client, roles, monkeypatch):
    """The database goes away after the page row and the revision are written, before the log entry:
    the editor gets the 503 page and the transaction leaves no trace of the save."""
    page = draft_question(roles["editor"], title="Before the outage")
    revisions = list(page.revisions.values_list("pk", flat=True))
    before = QuestionPage.objects.filter(pk=page.pk).values().get()
    client.force_login(roles["editor"])
    data = edit_form_data(page, title="Saved during the outage", summary="Half a save?")

    real_execute = CursorWrapper.execute
    writes = []

    def execute(self, sql, params=None):
        write = re.match(r'(?:INSERT INTO|UPDATE) "?(\w+)"?', sql)
        if write:
            writes.append(write[1])
            if write[1] == "wagtailcore_pagelogentry":
                raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    monkeypatch.undo()

    assert_styled_503(response)
    # The save got as far as the page row and the revision before the failure...
    assert {"wagtailcore_page", "wagtailcore_revision", "wagtailcore_pagelogentry"} <= set(writes)
    # ...and none of it is there.
    assert list(page.revisions.values_list("pk", flat=True)) == revisions
    assert QuestionPage.objects.filter(pk=page.pk).values().get() == before
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().title == "Before the outage"

    # Once the database is back the same save goes through whole.
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302
    saved = QuestionPage.objects.get(pk=page.pk)
    assert saved.revisions.count() == len(revisions) + 1
    assert (saved.title, saved.summary) == ("Saved during the outage", "Half a save?")
