"""What scripts/soak.py and scripts/fault.py share: the soak database, the production server, wrk and the logs.

Everything listens on 127.0.0.1 only, and every run is bounded in time. The server is the
production set-up: gunicorn with the repository's gunicorn.conf.py (2 sync workers), the production
settings (DEBUG off), persistent database connections (CONN_MAX_AGE=60, health-checked), on a
PostgreSQL database of its own (discsite_soak unless SOAK_DATABASE_URL says otherwise), created,
migrated and seeded here. Its logs (JSON lines) go to scripts/logs/.
"""

# A local tool that starts the server, wrk and manage.py on 127.0.0.1 URLs it builds itself:
# ruff: noqa: S603, S310
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
LOGS = SCRIPTS / "logs"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discsite_soak"
APPLICATION_NAME = "discsite-soak-web"  # how the server's connections show in pg_stat_activity
ADMIN_USERNAME = "soak-admin"
REQUEST_TIMEOUT = 30  # gunicorn's timeout and wrk's: a slower request is an error


def say(message=""):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def database_url():
    url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"SOAK_DATABASE_URL must be a PostgreSQL URL (got {url!r})")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the soak runs on this machine only; {parts.hostname} is not the loopback")
    return url


def admin_url(url):
    return urlunsplit(urlsplit(url)._replace(path="/postgres", query=""))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def with_application_name(url):
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, f"application_name={APPLICATION_NAME}"]))
    return urlunsplit(parts._replace(query=query))


class Site:
    """The site's environment: production settings, a throwaway key, the soak database."""

    def __init__(self, url):
        self.url = url
        self.admin_password = secrets.token_urlsafe(24)
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}
            },
            # The production settings unless SOAK_SETTINGS_MODULE names a module that adjusts them.
            "DJANGO_SETTINGS_MODULE": os.environ.get("SOAK_SETTINGS_MODULE", "discsite.settings.production"),
            "SECRET_KEY": "soak-local-only-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": url,
            "SOAK_ADMIN_PASSWORD": self.admin_password,
        }

    def manage(self, *args):
        LOGS.mkdir(exist_ok=True)
        with (LOGS / "manage.log").open("a") as log:
            log.write(f"$ manage.py {' '.join(args)}\n")
            log.flush()
            result = subprocess.run(
                [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, stdout=log, stderr=log, check=False
            )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed; see {LOGS / 'manage.log'}")

    def probe(self, *args):
        result = subprocess.run(
            [sys.executable, str(SCRIPTS / "ops_probe.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"scripts/ops_probe.py {' '.join(args)} failed:\n{result.stderr}")
        return json.loads(result.stdout)


def prepare(fresh=False):
    """The soak database created (or re-created with fresh=True), migrated and seeded; the static files
    collected; a superuser for the editor's saves. Returns the Site."""
    import psycopg

    url = database_url()
    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if fresh or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    site = Site(url)
    started = time.monotonic()
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed", "-v0")
    site.manage("collectstatic", "--noinput", "-v0")
    site.probe("ensure-admin", ADMIN_USERNAME)
    say(f"database {name}: migrated and seeded ({time.monotonic() - started:.0f} s)")
    return site


class Server:
    """gunicorn with gunicorn.conf.py and the production settings on a free loopback port; stopped by its own pid."""

    def __init__(self, site, name, workers=2):
        self.name = name
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        LOGS.mkdir(exist_ok=True)
        self.log_path = LOGS / f"{name}-server.log"
        self.access_log_path = LOGS / f"{name}-access.log"
        self.env = {
            **site.env,
            "DATABASE_URL": with_application_name(site.url),
            "CONN_MAX_AGE": "60",
            "BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_TIMEOUT": str(REQUEST_TIMEOUT),
            "ACCESS_LOG": str(self.access_log_path),
        }
        self.process = None

    def __enter__(self):
        self.access_log_path.unlink(missing_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.__exit__()
                raise SystemExit(f"the server did not start; see {self.log_path}")
            status, _headers, _body, _seconds = fetch(self.base + "/readyz", timeout=5)
            if status == 200:
                return self
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"the server was not ready within 60 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def fetch(url, timeout=REQUEST_TIMEOUT + 5, headers=None):
    """(status, headers, body, seconds) of one GET; status None when there was no answer."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.monotonic() - started
    except (OSError, http.client.HTTPException):
        return None, {}, b"", time.monotonic() - started


def check_urls(server, urls):
    """Every URL of the mix answers 200 (warming each worker on the way); SystemExit naming the first that does not."""
    for name, path in urls.items():
        for _ in range(4):
            status, _headers, _body, _seconds = fetch(server.base + path)
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status} before the load started; see {server.log_path}")


def start_wrk(server, paths, duration, connections, threads):
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        "-s",
        str(SCRIPTS / "load.lua"),
        server.base,
        "--",
        *paths,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_wrk(process, duration):
    stdout, stderr = process.communicate(timeout=duration + 120)
    line = next((line for line in stdout.splitlines() if line.startswith("LOAD_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
    data = json.loads(line.removeprefix("LOAD_JSON "))
    seconds = data["duration_us"] / 1e6
    statuses = {int(status): count for status, count in data["statuses"].items()}
    socket_errors = {name: count for name, count in data["errors"].items() if name != "status" and count}
    return {
        "requests": data["requests"],
        "seconds": round(seconds, 1),
        "requests_per_second": round(data["requests"] / seconds, 1),
        "statuses": dict(sorted(statuses.items())),
        "non_2xx_3xx": sum(count for status, count in statuses.items() if not 200 <= status < 400),
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "socket_errors": socket_errors,
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 1),
        "p90_ms": round(data["latency_us"]["p90"] / 1000, 1),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 1),
        "max_ms": round(data["latency_us"]["max"] / 1000, 1),
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
