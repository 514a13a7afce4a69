"""What scripts/soak.py and scripts/fault.py share: the soak database, the production server, wrk and the logs.

Everything listens on 127.0.0.1 only, and every run is bounded in time. The server is the
production set-up: gunicorn with the repository's gunicorn.conf.py (2 sync workers), the production
settings (DEBUG off), persistent database connections (CONN_MAX_AGE=60, health-checked), on a
PostgreSQL database of its own (discsite_soak unless SOAK_DATABASE_URL says otherwise), created,
migrated and seeded here. Its logs (JSON lines) go to scripts/logs/.

How a server is started and stopped, a request made, wrk run and a database created is
bench/serving.py's, shared with the benchmark (bench/run.py); this module says what the soak wants
of them.
"""

import json
import os
import secrets
import sys
import time
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

# What soak.py and fault.py take from here.
__all__ = [
    "ADMIN_USERNAME",
    "APPLICATION_NAME",
    "LOGS",
    "Server",
    "add_load_arguments",
    "admin_url",
    "check_urls",
    "database_name",
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


def database_url():
    url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"SOAK_DATABASE_URL must be a PostgreSQL URL (got {url!r})")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the soak runs on this machine only; {parts.hostname} is not the loopback")
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


def prepare(fresh=False):
    """The soak database created (or re-created with fresh=True), migrated and seeded; the static files
    collected; a superuser for the editor's saves. Returns the Site."""
    url = database_url()
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
    persistent connections (CONN_MAX_AGE=60) named APPLICATION_NAME, the access log in scripts/logs/."""

    def __init__(self, site, name, workers=2):
        super().__init__(
            name,
            {**site.env, "DATABASE_URL": with_application_name(site.url), "CONN_MAX_AGE": "60"},
            log_path=LOGS / f"{name}-server.log",
            workers=workers,
            access_log=LOGS / f"{name}-access.log",
            ready_path="/readyz",
            ready_status=200,
        )


def add_load_arguments(parser):
    """--duration, --connections and --threads, with the soak's defaults (60 s at 32 connections)."""
    add_wrk_arguments(parser, duration=60, connections=32)


def check_urls(server, urls):
    """Every URL of the mix answers 200 (warming each worker on the way); SystemExit naming the first that does not."""
    for name, path in urls.items():
        for _ in range(4):
            status, _headers, _body, _seconds = fetch(server.base + path)
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status} before the load started; see {server.log_path}")


def start_wrk(server, paths, duration, connections, threads):
    """wrk over `paths` in turn (scripts/load.lua), started; finish_wrk waits for it."""
    return serving.start_wrk(
        server.base,
        duration=duration,
        connections=connections,
        threads=threads,
        script=SCRIPTS / "load.lua",
        script_args=paths,
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
