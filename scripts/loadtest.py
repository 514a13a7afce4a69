"""What scripts/soak.py, fault.py and two_nodes.py share: the database, the production server, wrk, the
readers and the editor they send, and the logs.

Everything listens on 127.0.0.1 only, and every run is bounded in time. The server is the
production set-up: gunicorn with the repository's gunicorn.conf.py (2 sync workers), the production
settings (DEBUG off), persistent database connections (CONN_MAX_AGE=60, health-checked), on a
PostgreSQL database of its own (discsite_soak unless SOAK_DATABASE_URL says otherwise), created,
migrated and seeded here. Its logs (JSON lines) go to scripts/logs/.

How a server is started and stopped, a request made, wrk run and a database created is
bench/serving.py's, shared with the benchmark (bench/run.py); this module says what the soak wants
of them.
"""

# A local tool that talks to its own servers on 127.0.0.1:
# ruff: noqa: S310
import http.cookiejar
import itertools
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import serving
from bench.serving import (
    HOST,
    ROOT,
    add_wrk_arguments,
    admin_url,
    clean_env,
    create_postgres_database,
    database_name,
    fetch,
    latencies_ms,
    requests_per_second,
    run_json,
    run_logged,
    say,
)

# What soak.py, fault.py and two_nodes.py take from here.
__all__ = [
    "ADMIN_USERNAME",
    "APPLICATION_NAME",
    "HOST",
    "LOGS",
    "Editor",
    "Samplers",
    "Server",
    "add_load_arguments",
    "admin_url",
    "check_urls",
    "classify",
    "database_name",
    "database_url",
    "fetch",
    "finish_wrk",
    "format_statuses",
    "prepare",
    "read_json_lines",
    "record_time",
    "run_wrk",
    "say",
    "start_wrk",
]

SCRIPTS = ROOT / "scripts"
LOGS = SCRIPTS / "logs"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discsite_soak"
APPLICATION_NAME = "discsite-soak-web"  # how the server's connections show in pg_stat_activity
ADMIN_USERNAME = "soak-admin"


def database_url(variable="SOAK_DATABASE_URL", default=DEFAULT_DATABASE_URL):
    """The PostgreSQL database `variable` names in the environment, else `default`; on the loopback only."""
    url = os.environ.get(variable, default)
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"{variable} must be a PostgreSQL URL (got {url!r})")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the load tools run on this machine only; {parts.hostname} is not the loopback")
    return url


def with_application_name(url):
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, f"application_name={APPLICATION_NAME}"]))
    return urlunsplit(parts._replace(query=query))


class Site:
    """The site's environment: production settings, a throwaway key, the soak database."""

    def __init__(self, url):
        self.url = url
        self.admin_password = secrets.token_urlsafe(24)
        self.env = clean_env(
            # The production settings unless SOAK_SETTINGS_MODULE names a module that adjusts them.
            DJANGO_SETTINGS_MODULE=os.environ.get("SOAK_SETTINGS_MODULE", "discsite.settings.production"),
            SECRET_KEY="soak-local-only-not-secret-" + secrets.token_urlsafe(40),
            ALLOWED_HOSTS=f"{HOST},localhost",
            DATABASE_URL=url,
            SOAK_ADMIN_PASSWORD=self.admin_password,
        )

    def manage(self, *args):
        run_logged(["manage.py", *args], self.env, LOGS / "manage.log")

    def probe(self, *args):
        return run_json(["scripts/ops_probe.py", *args], self.env)


def prepare(fresh=False, url=None):
    """The soak database (or the one `url` names) created (or re-created with fresh=True), migrated and
    seeded; the static files collected; a superuser for the editor's saves. Returns the Site."""
    url = url or database_url()
    name = database_name(url)
    create_postgres_database(url, replace=fresh)
    site = Site(url)
    started = time.monotonic()
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed", "-v0")
    site.manage("collectstatic", "--noinput", "-v0")
    site.probe("ensure-admin", ADMIN_USERNAME)
    say(f"database {name}: migrated and seeded ({time.monotonic() - started:.0f} s)")
    return site


class Server(serving.Server):
    """The site as in production on a free loopback port: gunicorn.conf.py, the production settings,
    persistent connections (CONN_MAX_AGE=60) named APPLICATION_NAME, the access log in scripts/logs/.
    On `port` if given (a tool's own), else on a free one."""

    def __init__(self, site, name, workers=2, port=None):
        super().__init__(
            name,
            {**site.env, "DATABASE_URL": with_application_name(site.url), "CONN_MAX_AGE": "60"},
            log_path=LOGS / f"{name}-server.log",
            workers=workers,
            access_log=LOGS / f"{name}-access.log",
            ready_path="/readyz",
            ready_status=200,
        )
        if port is not None:
            self.port, self.base = port, f"http://{HOST}:{port}"
            self.env["BIND"] = f"{HOST}:{port}"


def add_load_arguments(parser):
    """--duration, --connections and --threads, with the soak's defaults (60 s at 32 connections)."""
    add_wrk_arguments(parser, duration=60, connections=32)


def check_urls(server, urls, headers=None):
    """Every URL of the mix answers 200 (warming each worker on the way); SystemExit naming the first that does not."""
    for name, path in urls.items():
        for _ in range(4):
            status, _headers, _body, _seconds = fetch(server.base + path, headers=headers)
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status} before the load started; see {server.log_path}")


def start_wrk(server, paths, duration, connections, threads, headers=None):
    """wrk over `paths` in turn (scripts/load.lua), with `headers` on every request, started; finish_wrk
    waits for it."""
    return serving.start_wrk(
        server.base,
        duration=duration,
        connections=connections,
        threads=threads,
        script=SCRIPTS / "load.lua",
        script_args=paths,
        headers=headers,
    )


def finish_wrk(process, duration):
    data = serving.finish_wrk(process, duration, "LOAD_JSON ")
    statuses = {int(status): count for status, count in data["statuses"].items()}
    socket_errors = {name: count for name, count in data["errors"].items() if name != "status" and count}
    return {
        "requests": data["requests"],
        "seconds": round(data["duration_us"] / 1e6, 1),
        "requests_per_second": requests_per_second(data),
        "statuses": dict(sorted(statuses.items())),
        "non_2xx_3xx": sum(count for status, count in statuses.items() if not 200 <= status < 400),
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "socket_errors": socket_errors,
        **latencies_ms(data, "p50", "p90", "p99", "max"),
    }


def run_wrk(server, paths, duration, connections, threads):
    return finish_wrk(start_wrk(server, paths, duration, connections, threads), duration)


def verdict(failures, result_path):
    """The report's last lines (PASS or every failure, and where the details are) and the exit status."""
    say(f"  verdict         {'PASS' if not failures else 'FAIL: ' + '; '.join(failures)}")
    say(f"  details         {result_path.relative_to(LOGS.parent.parent)}")
    return 0 if not failures else 1


def read_json_lines(path):
    """The server's log lines that are JSON (all of them should be), and the count of those that are not."""
    records, other = [], 0
    if not Path(path).exists():
        return records, other
    for line in Path(path).read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            other += 1
    return records, other


def record_time(record):
    """A log record's time as seconds since the epoch (the JSON formatter writes UTC with milliseconds)."""
    return datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def format_statuses(statuses):
    return ", ".join(f"{status}: {count:,}" for status, count in statuses.items()) or "none"


# ---------------------------------------------------------------- readers and an editor

STYLED_503_MARKER = b"Sorry, the service is unavailable for a moment"


def classify(status, headers, body):
    """How a reader's response looks: ok, styled-503 or a description of what is wrong with it."""
    if status is not None and 200 <= status < 400:
        return "ok"
    if status == 503:
        problems = []
        if STYLED_503_MARKER not in body:
            problems.append("not the styled 503 page")
        if b'rel="stylesheet"' not in body:
            problems.append("no stylesheet")
        if b"Traceback" in body or b"OperationalError" in body:
            problems.append("a traceback or the error's text")
        if not {key.lower() for key in headers} >= {"retry-after"}:
            problems.append("no Retry-After")
        return "styled-503" if not problems else "503 with " + ", ".join(problems)
    return f"status {status}" if status is not None else "no answer"


class Samplers:
    """Threads reading `paths` in turn from `base`; every response recorded: when, which path, its status,
    how it looks (`classify`) and whether the page cache answered (X-Page-Cache).

    `unique`: a query parameter given a new value on every request (e.g. "_probe"), to tell requests
    apart. `inspect(path, body)`: more to record about a response, as a dict. `headers`: sent with each.
    """

    def __init__(self, base, paths, count, unique=None, inspect=None, headers=None):
        self.base, self.paths, self.count = base, paths, count
        self.unique, self.inspect, self.headers = unique, inspect, headers
        self.records = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counter = itertools.count()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(count)]

    def run(self):
        while not self.stop.is_set():
            n = next(self.counter)
            path = self.paths[n % len(self.paths)]
            url = f"{self.base}{path}"
            if self.unique:
                url += f"{'&' if '?' in path else '?'}{self.unique}={n}"
            started = time.time()
            status, headers, body, _seconds = fetch(url, timeout=15, headers=self.headers)
            record = {"start": started, "end": time.time(), "path": path, "status": status}
            record["class"] = classify(status, headers, body)
            record["cache"] = headers.get("X-Page-Cache")
            if self.inspect:
                record.update(self.inspect(path, body))
            with self.lock:
                self.records.append(record)
            if status is None:
                time.sleep(0.05)  # a server that is gone refuses at once: no need to spin

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we want to see


class Editor:
    """A browser-like admin session: cookies, the CSRF token, form posts, no redirects followed."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())
        self.saves = []
        self.lock = threading.Lock()

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)

    def request(self, path, data=None, timeout=40):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError as error:
            return None, {}, str(error).encode()

    def post(self, path, data, timeout=40):
        """A form posted as the browser posts it, with the CSRF token: (status, headers, body)."""
        return self.request(path, {**data, "csrfmiddlewaretoken": self.cookie("csrftoken")}, timeout)

    def login(self, username, password):
        self.request("/admin/login/")
        status, _headers, _body = self.post(
            "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
        )
        if status != 302 or not self.cookie("sessionid"):
            raise SystemExit(f"{username} could not log in to the admin at {self.base} (HTTP {status})")

    def save(self, page_id, marker, data, kind):
        """The edit form's "Save draft" with `data`, recorded under `marker` (unique to the save) and `kind`."""
        started = time.time()
        status, headers, body = self.post(f"/admin/pages/{page_id}/edit/", data)
        saved = status == 302 and headers.get("Location", "").endswith(f"/admin/pages/{page_id}/edit/")
        record = {
            "marker": marker,
            "kind": kind,
            "start": started,
            "end": time.time(),
            "status": status,
            "response": "saved" if saved else classify(status, headers, body),
        }
        with self.lock:
            self.saves.append(record)
        return record
