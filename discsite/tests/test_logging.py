"""Structured logs: each record is one line of JSON, with a request's method, path and status and none of its secrets."""

import json
import logging
import runpy
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory

from discsite.logging import GunicornLogger, JsonFormatter

PROJECT_DIR = Path(__file__).resolve().parents[2]


def render(record):
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def make_record(name="discsite", level=logging.INFO, message="hello %s", args=("world",), exc_info=None, **extra):
    record = logging.getLogger(name).makeRecord(name, level, __file__, 1, message, args, exc_info, extra=extra)
    return record


def test_a_record_is_one_line_of_json():
    data = render(make_record(message="two\nlines and ünïcode %s", args=("<b>",)))
    assert data["message"] == "two\nlines and ünïcode <b>"
    assert data["level"] == "INFO"
    assert data["logger"] == "discsite"
    assert data["time"].endswith("Z")
    assert isinstance(data["pid"], int)


def test_an_exception_is_in_the_same_line():
    try:
        raise ValueError("bad value")
    except ValueError:
        record = make_record(level=logging.ERROR, exc_info=sys.exc_info())
    data = render(record)
    assert data["error"] == "ValueError: bad value"
    assert "Traceback (most recent call last)" in data["traceback"]


def test_a_request_error_has_method_path_and_status_but_no_secrets():
    request = RequestFactory().post(
        "/admin/pages/3/edit/?token=abc123",
        {"password": "hunter2"},
        HTTP_COOKIE="sessionid=s3cr3t; csrftoken=t0k3n",
        HTTP_AUTHORIZATION="Bearer b34r3r",
    )
    record = make_record(
        name="django.request",
        level=logging.ERROR,
        message="Service Unavailable: %s",
        args=(request.path,),
        request=request,
        status_code=503,
        session_key="s3cr3t",
        page_id=3,
    )
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert (data["method"], data["path"], data["status"]) == ("POST", "/admin/pages/3/edit/", 503)
    assert data["page_id"] == 3  # a plain extra
    for secret in ("s3cr3t", "t0k3n", "b34r3r", "hunter2", "abc123", "session_key"):
        assert secret not in line


def test_gunicorn_access_lines_are_json_without_query_or_headers():
    atoms = {
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/search/",
        "q": "q=back+pain&token=abc123",
        "r": "GET /search/?q=back+pain&token=abc123 HTTP/1.1",
        "s": "200",
        "B": 1234,
        "M": 12,
        "a": "curl/8",
        "{cookie}i": "sessionid=s3cr3t",
    }
    record = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (atoms,), None
    )
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["message"] == "GET /search/ 200"
    assert (data["method"], data["path"], data["status"], data["bytes"], data["duration_ms"]) == (
        "GET",
        "/search/",
        200,
        1234,
        12,
    )
    assert "abc123" not in line
    assert "s3cr3t" not in line


def test_gunicorn_uses_the_json_format():
    """gunicorn.conf.py names the logger class; its handlers write JSON lines."""
    config = runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))
    assert config["logger_class"] == "discsite.logging.GunicornLogger"

    class Config:
        errorlog = "-"
        accesslog = "/dev/stderr"  # gunicorn.conf.py's default
        loglevel = "info"
        capture_output = False
        syslog = False
        logconfig = logconfig_json = None
        logconfig_dict = {}
        disable_redirect_access_to_syslog = False

    logger = GunicornLogger(Config())
    try:
        for log in (logger.error_log, logger.access_log):
            assert log.handlers
            assert all(isinstance(handler.formatter, JsonFormatter) for handler in log.handlers)
        # The process's own stderr, not /dev/stderr opened again (which would write over the error log
        # from offset 0 when stderr is a regular file).
        [access] = logger.access_log.handlers
        assert not isinstance(access, logging.FileHandler)
        assert access.stream is sys.stderr
    finally:
        for log in (logger.error_log, logger.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)


def test_the_production_settings_log_json_lines_to_stderr(tmp_path):
    """A real process with the production settings: its log records, and a request that fails, on stderr.

    The database is an empty SQLite file, so serving "/" fails with "no such table", an OperationalError:
    the 503 page, logged once on django.request.
    """
    script = """
import django, logging, warnings
# WhiteNoise warns when collectstatic has not run (a fresh clone): not a log record.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# No collectstatic here: the hashed-name manifest is not what this test is about.
storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
override_settings(STORAGES=storages).enable()
logging.getLogger("discsite.check").info("one %s", "line")
logging.getLogger("wagtail").warning("wagtail too")
response = Client(raise_request_exception=False).get("/?token=abc123", HTTP_COOKIE="sessionid=s3cr3t")
assert response.status_code == 503, response.status_code
"""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "discsite.settings.production",
            "SECRET_KEY": "test-only-not-secret",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert [(record["logger"], record["level"]) for record in records] == [
        ("discsite.check", "INFO"),
        ("wagtail", "WARNING"),
        ("django.request", "ERROR"),
    ]
    assert records[0]["message"] == "one line"
    request = records[2]
    assert (request["method"], request["path"], request["status"]) == ("GET", "/", 503)
    assert "OperationalError" in request["message"]
    assert "s3cr3t" not in result.stderr
    assert "abc123" not in result.stderr
