"""What the load tools share: bench/run.py (`make bench`) and scripts/loadtest.py (`make soak`, `make fault`).

One helper for each job: the project's commands run against a database (`run_logged`,
`run_json`), a PostgreSQL database created or replaced (`create_postgres_database`), the site or
any WSGI application served under gunicorn with the repository's gunicorn.conf.py (`Server`),
one request (`fetch`) and wrk's runs (`start_wrk`, `finish_wrk`). Everything listens on
127.0.0.1 only and every wait is bounded. No Django here: the tools drive the site from outside.
"""

# A local tool that starts servers, wrk and the project's scripts, on 127.0.0.1 URLs it builds itself:
# ruff: noqa: S603, S310
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30  # gunicorn's (GUNICORN_TIMEOUT) and wrk's: a slower request counts as an error
# The site's fixed public pages that every tool loads: the home page and the four section indexes.
# What "uncached" sends: a session cookie, as a signed-in reader's request carries, which the page
# cache never answers (the fragment caches still do, as for every miss).
UNCACHED_COOKIE = "sessionid=bench"
INDEX_URLS = {
    "home": "/",
    "questions index": "/questions/",
    "articles index": "/articles/",
    "experts index": "/experts/",
    "topics index": "/topics/",
}
# The project's switches, which each tool sets itself rather than inherit from the shell.
PROJECT_SWITCHES = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}


def say(message=""):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_env(**extra):
    """This process's environment without the project's switches, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if key not in PROJECT_SWITCHES}
    env.update(extra)
    return env


def shown(path):
    path = Path(path)
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


# ---------------------------------------------------------------- the project's commands


def run_logged(command, env, log_path, label=None):
    """`python <command>` (a script of the repository and its arguments) in the repository, its output
    appended to `log_path`; SystemExit pointing at the log if it fails."""
    log_path = Path(log_path)
    log_path.parent.mkdir(exist_ok=True)
    where = f" on {label}" if label else ""
    with log_path.open("a") as log:
        log.write(f"$ {' '.join(command)}{f'  ({label})' if label else ''}\n")
        log.flush()
        result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=log, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed{where}; see {shown(log_path)}")


def run_json(command, env):
    """What `python <command>` (a probe script of the repository) prints, as JSON; SystemExit with its
    errors if it fails."""
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return json.loads(result.stdout)


# ---------------------------------------------------------------- PostgreSQL databases


def admin_url(url):
    """The same server's maintenance database, from which databases are created and dropped."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres", query=""))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def postgres_database_exists(url):
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)).fetchone())


def create_postgres_database(url, replace=False):
    """Create the database `url` names, empty; if it is already there, keep it (False) or, with
    `replace`, drop it first, cutting its sessions. Returns whether it was created."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not replace:
            return False
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


# ---------------------------------------------------------------- servers and requests


def fetch(url, timeout=REQUEST_TIMEOUT + 5, headers=None):
    """(status, headers, body, seconds) of one GET; status None when there was no answer."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.monotonic() - started
    except (OSError, http.client.HTTPException):  # refused, reset, timed out, or the worker was killed
        return None, {}, b"", time.monotonic() - started


class Server:
    """gunicorn with the repository's gunicorn.conf.py on a free loopback port; stopped by its own process id.

    `env` is the application's environment (settings, database, keys); the server's own settings
    are added to it. It is ready when `ready_path` answers `ready_status` (any answer if None).
    `access_log` is a path for the access log (JSON lines), or None for none.
    """

    def __init__(
        self,
        name,
        env,
        *,
        log_path,
        app_args=(),
        cwd=ROOT,
        workers=2,
        access_log=None,
        ready_path="/",
        ready_status=None,
    ):
        self.name = name
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = Path(log_path)
        self.access_log_path = Path(access_log) if access_log else None
        self.env = {
            **env,
            "BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_TIMEOUT": str(REQUEST_TIMEOUT),
            "ACCESS_LOG": str(self.access_log_path or ""),
        }
        self.args = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), *app_args]
        self.cwd = cwd
        self.ready_path, self.ready_status = ready_path, ready_status
        self.process = None
        self.log = None

    def __enter__(self):
        self.log_path.parent.mkdir(exist_ok=True)
        if self.access_log_path:
            self.access_log_path.unlink(missing_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.args, cwd=self.cwd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            return self._wait_until_ready()
        except BaseException:
            self.__exit__()
            raise

    def _wait_until_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} did not start; see {self.log_path}")
            status, _headers, _body, _seconds = fetch(self.base + self.ready_path, timeout=5)
            if status is not None and self.ready_status in (None, status):
                return self
            time.sleep(0.3)
        raise SystemExit(f"{self.name} was not ready on {self.base} within 60 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()


# ---------------------------------------------------------------- wrk


def add_wrk_arguments(parser, *, duration, connections, threads=2, duration_help="seconds of load"):
    """A tool's command-line options for its wrk runs: --duration, --connections and --threads."""
    parser.add_argument("--duration", type=int, default=duration, help=f"{duration_help} (default {duration})")
    parser.add_argument(
        "--connections", type=int, default=connections, help=f"wrk connections (default {connections})"
    )
    parser.add_argument("--threads", type=int, default=threads, help=f"wrk threads (default {threads})")


def start_wrk(url, *, duration, connections, threads, script, script_args=(), headers=None):
    """wrk against `url` with a Lua `script` (and its arguments after "--"), started; see finish_wrk."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        "-s",
        str(script),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_wrk(process, duration, marker):
    """The JSON the Lua script printed after `marker` once wrk has finished; SystemExit if it failed."""
    stdout, stderr = process.communicate(timeout=duration + 120)
    line = next((line for line in stdout.splitlines() if line.startswith(marker)), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
    return json.loads(line.removeprefix(marker))


def requests_per_second(data):
    return round(data["requests"] / (data["duration_us"] / 1e6), 1)


def latencies_ms(data, *names):
    """{"p50_ms": ..., ...}: the run's latencies called `names` ("p50", "max", ...) in milliseconds."""
    return {f"{name}_ms": round(data["latency_us"][name] / 1000, 1) for name in names}
