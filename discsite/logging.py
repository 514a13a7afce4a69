"""Structured logs: every record as one line of JSON, for the supervisor or container runtime to collect.

`JsonFormatter` is the formatter of the LOGGING setting (discsite/settings/base.py) and, through
`GunicornLogger` (gunicorn.conf.py's `logger_class`), of gunicorn's error and access logs:

    {"time": "2025-01-23T10:00:00.123Z", "level": "ERROR", "logger": "django.request", "pid": 4242,
     "message": "Service Unavailable: /questions/", "method": "GET", "path": "/questions/", "status": 503}

What a request contributes is a whitelist: its method, its path (never the query string) and the
response status, plus the client address, size, duration and user agent in the access log. Headers,
cookies, query strings and request bodies are never written. Other attributes passed with `extra=`
appear when their value is a plain scalar and their name does not look like a secret.

This module must not import Django: gunicorn's master loads it before any settings exist.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from gunicorn.glogging import Logger as _GunicornBaseLogger

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Set by Django (django.request, django.security.*) and rendered from the whitelist instead.
_HANDLED_EXTRAS = frozenset({"request", "status_code", "server_time"})
_SECRET_NAME = re.compile(
    r"cookie|session|passw|secret|token|authoriz|api_?key|private_?key|csrf|signature|credential", re.IGNORECASE
)


def _timestamp(created):
    moment = datetime.fromtimestamp(created, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _request_fields(request):
    """Method and path of a Django request (or nothing, for the socket runserver passes)."""
    fields = {}
    method = getattr(request, "method", None)
    path = getattr(request, "path", None)
    if isinstance(method, str):
        fields["method"] = method
    if isinstance(path, str):
        fields["path"] = path
    return fields


def _access_fields(atoms):
    """gunicorn's access-log atoms (a dict of one request's values), whitelisted."""

    def atom(name):
        value = dict.get(atoms, name)
        return None if value in (None, "-") else value

    fields = {
        "remote": atom("h"),
        "method": atom("m"),
        "path": atom("U"),
        "status": int(atom("s")) if str(atom("s") or "").isdigit() else atom("s"),
        "bytes": atom("B"),
        "duration_ms": atom("M"),
        "user_agent": atom("a"),
    }
    return {name: value for name, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in messages and tracebacks are escaped)."""

    def format(self, record):
        data = {
            "time": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            fields = _access_fields(record.args)
            # Not gunicorn's own line: that one carries the query string.
            data["message"] = " ".join(str(fields.get(key, "-")) for key in ("method", "path", "status"))
            data.update(fields)
        else:
            data["message"] = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None:
            data.update(_request_fields(request))
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            data["status"] = status
        for name, value in vars(record).items():
            if name in _STANDARD_ATTRIBUTES or name in _HANDLED_EXTRAS or name in data or name.startswith("_"):
                continue
            if _SECRET_NAME.search(name):
                continue
            if value is None or isinstance(value, str | int | float | bool):
                data[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            error = record.exc_info[1]
            data["error"] = f"{type(error).__name__}: {error}".rstrip(": ")
            data["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["traceback"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class GunicornLogger(_GunicornBaseLogger):
    """gunicorn's logger with its error and access logs in JSON (gunicorn.conf.py: `logger_class`).

    gunicorn still decides where they go (`errorlog`, `accesslog`) and whether the access log is on;
    only the format changes.
    """

    def _set_handler(self, log, output, fmt, stream=None):
        # gunicorn opens "/dev/stderr" as a new file: where stderr is a regular file, that file
        # description starts at offset 0 and overwrites the error log's lines. Write to the
        # process's own stderr instead, which is the same destination.
        if output == "/dev/stderr":
            output, stream = "-", sys.stderr
        super()._set_handler(log, output, fmt, stream=stream)

    def setup(self, cfg):
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
