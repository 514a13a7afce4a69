"""`make bench`: every public page type against the framework's own ceiling, served the same way.

1. Builds a corpus of 10,000 generated pages on top of the seed (`manage.py seed`, then
   `bench/generate.py --pages 10000`) into bench/bench.sqlite3, reused when it already
   holds that corpus; and, when DATABASE_URL names PostgreSQL, into a database beside it called
   <its name>_bench (or exactly BENCH_DATABASE_URL), so a developer's own database is never filled
   with made-up pages.
2. Collects the static files with the production settings.
3. Creates the ceiling: a fresh `django-admin startproject` in a temporary folder, with one view
   returning a short HTML page, DEBUG off.
4. Serves both under gunicorn with the repository's gunicorn.conf.py (2 sync workers, access log
   off, DEBUG off), each on a free port of 127.0.0.1. Nothing listens beyond the loopback.
5. For each public page type: counts the SQL queries of one request (bench/probe.py, production
   settings, Django's test client), then loads it with wrk, interleaving the runs (ceiling, page
   uncached, page cached, ceiling, ...) so that drift in the machine's speed affects both; each
   page's ratio is to the mean of the ceiling runs just before and after it.
   "uncached" sends `Cookie: sessionid=bench`, as a logged-in reader would, which a page cache
   must not answer from its store; "cached" is a plain anonymous request. Until the site has a
   page cache the two measure the same work.
6. Prints one table per database and writes the same as JSON (bench/results.json, or --output).

Usage: .venv/bin/python bench/run.py [--pages 10000] [--duration 5] [--connections 16] [--rebuild] [--search-only]
"""

# A local tool that runs startproject, collectstatic and wrk with arguments it builds itself:
# ruff: noqa: S603, S607
import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import (
    BIN,
    HOST,
    REQUEST_TIMEOUT,
    ROOT,
    UNCACHED_COOKIE,
    Server,
    add_wrk_arguments,
    clean_env,
    create_postgres_database,
    fetch,
    finish_wrk,
    latencies_ms,
    postgres_database_exists,
    requests_per_second,
    run_json,
    run_logged,
    say,
    start_wrk,
)

BENCH = ROOT / "bench"
LOGS = BENCH / "logs"
CORPUS_SEED = 1

CEILING_URLS = '''"""The ceiling: one view returning a short page, nothing else."""

from django.http import HttpResponse
from django.urls import path

PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Ceiling</title></head>"
    "<body><h1>Hello</h1><p>One Django view, no database, no templates.</p></body></html>"
)


def hello(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", hello)]
'''


# ---------------------------------------------------------------- databases


@dataclass
class Target:
    """One database to benchmark: its label and the DATABASE_URL the site is given."""

    label: str
    url: str
    timings: dict = field(default_factory=dict)
    reused: bool = False

    def exists(self):
        if self.url.startswith("sqlite"):
            return Path(urlsplit(self.url).path).exists()
        return postgres_database_exists(self.url)

    def reset(self):
        if self.url.startswith("sqlite"):
            path = Path(urlsplit(self.url).path)
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        create_postgres_database(self.url, replace=True)


def targets_from_environment():
    targets = [Target("SQLite", f"sqlite:///{BENCH / 'bench.sqlite3'}")]
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        if not os.environ.get("BENCH_DATABASE_URL"):
            parts = urlsplit(url)
            url = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_bench"))
        targets.append(Target("PostgreSQL", url))
    return targets


def site_env(target, settings="discsite.settings.dev", **extra):
    return clean_env(DJANGO_SETTINGS_MODULE=settings, DATABASE_URL=target.url, **extra)


def setup(target, *command):
    """A script of the repository (manage.py, bench/generate.py) against the target, with the
    development settings; its output goes to bench/logs/corpus.log."""
    run_logged(command, site_env(target), LOGS / "corpus.log", target.label)


def probe(target, *args, env=None):
    return run_json(["bench/probe.py", *args], env or site_env(target))


def timed(target, name, function, *args):
    started = time.monotonic()
    function(*args)
    target.timings[name] = round(time.monotonic() - started, 1)
    say(f"  {name}: {target.timings[name]} s")


def build_corpus(target, pages, rebuild):
    """The seeded site plus `pages` generated pages, reused if the database already has exactly that."""
    say(f"[{target.label}] corpus of {pages} generated pages in {target.url}")
    if target.exists() and not rebuild:
        # Migrations added since the corpus was built apply to it; the pages stay.
        timed(target, "migrate", setup, target, "manage.py", "migrate", "--noinput", "-v0")
        status = probe(target, "status")
        if status["generated"] == pages:
            target.reused = True
            say(f"  reusing the corpus already there ({pages} generated pages)")
            return status["urls"]
    target.reset()
    timed(target, "migrate", setup, target, "manage.py", "migrate", "--noinput", "-v0")
    timed(target, "seed", setup, target, "manage.py", "seed", "-v0")
    timed(target, "generate", setup, target, "bench/generate.py", "--pages", str(pages), "--seed", str(CORPUS_SEED))
    return probe(target, "status")["urls"]


# ---------------------------------------------------------------- servers


def make_ceiling(folder):
    """A fresh `django-admin startproject` with one view and DEBUG off."""
    subprocess.run([str(BIN / "django-admin"), "startproject", "ceiling", str(folder)], check=True)
    settings_path = folder / "ceiling" / "settings.py"
    text = settings_path.read_text()
    for old, new in (("DEBUG = True", "DEBUG = False"), ("ALLOWED_HOSTS = []", f'ALLOWED_HOSTS = ["{HOST}"]')):
        if old not in text:
            raise SystemExit(f"startproject's settings no longer contain {old!r}; update bench/run.py")
        text = text.replace(old, new)
    settings_path.write_text(text)
    (folder / "ceiling" / "urls.py").write_text(CEILING_URLS)


def get(url, cookie=None, timeout=REQUEST_TIMEOUT + 5):
    """(status, body size, seconds) of one GET; status None if there was no answer."""
    status, _headers, body, seconds = fetch(url, timeout=timeout, headers={"Cookie": cookie} if cookie else None)
    return status, len(body), seconds


def drain(server):
    """Wait until the server has worked through requests still queued when wrk stopped.

    wrk closes its connections at the end of a run, but requests already accepted or waiting in
    the listen backlog are still processed; a slow page would otherwise eat into the next run.
    /robots.txt is cheap and queues behind them.
    """
    get(server.base + "/robots.txt", timeout=REQUEST_TIMEOUT * 20)


# ---------------------------------------------------------------- load


def wrk(url, args, cookie=None):
    process = start_wrk(
        url,
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
        script=BENCH / "report.lua",
        headers={"Cookie": cookie} if cookie else None,
    )
    data = finish_wrk(process, args.duration, "BENCH_JSON ")
    return {
        "requests": data["requests"],
        "requests_per_second": requests_per_second(data),
        **latencies_ms(data, "p50", "p90", "p99"),
        "errors": data["errors"],
    }


def warm(url, cookie=None, times=4, budget=2.0):
    """A few requests first, so each worker has loaded what the page needs; at most `budget` seconds."""
    spent = 0.0
    for _ in range(times):
        status, _size, seconds = get(url, cookie)
        spent += seconds
        if status is None or spent > budget:
            return


def measure(target, urls, ceiling, site, args):
    """Query counts, then the interleaved load runs. Returns the rows and the notes for skipped pages."""
    modes = (("uncached", UNCACHED_COOKIE), ("cached", None))
    checks, notes = [], []
    for name, path in urls.items():
        status, size, seconds = get(site.base + path)
        if status is None:
            notes.append(
                f"{name} ({path}): no answer within gunicorn's {REQUEST_TIMEOUT} s timeout ({seconds:.0f} s), skipped"
            )
            drain(site)
            continue
        if status == 404:
            notes.append(f"{name} ({path}): 404, skipped")
            continue
        if status != 200:
            notes.append(f"{name} ({path}): HTTP {status}, skipped (see {site.log_path.relative_to(ROOT)})")
            continue
        checks.append((name, path, size))

    requests_file = LOGS / f"{target.label.lower()}-requests.json"
    requests_file.write_text(
        json.dumps([{"url": path, "cookie": cookie} for _, path, _ in checks for _, cookie in modes])
    )
    counted = probe(
        target,
        "queries",
        str(requests_file),
        env=site_env(
            target,
            settings="discsite.settings.production",
            SECRET_KEY=site.env["SECRET_KEY"],
            ALLOWED_HOSTS=site.env["ALLOWED_HOSTS"],
        ),
    )
    query_counts = {(item["url"], item["cookie"]): item for item in counted}

    rows, ceiling_runs = [], []
    warm(ceiling.base + "/", times=10)
    ceiling_runs.append(wrk(ceiling.base + "/", args))
    for name, path, size in checks:
        pair = []
        for mode, cookie in modes:
            warm(site.base + path, cookie)
            result = wrk(site.base + path, args, cookie)
            drain(site)
            counts = query_counts.get((path, cookie), {})
            pair.append(
                {
                    "page": name,
                    "url": path,
                    "mode": mode,
                    "queries": counts.get("queries"),
                    "queries_first_request": counts.get("first_queries"),
                    "bytes": size,
                    **result,
                }
            )
            say(
                f"  {name:<16} {mode:<8} {result['requests_per_second']:>8.1f} req/s  "
                f"p50 {result['p50_ms']:>7.1f} ms  p99 {result['p99_ms']:>7.1f} ms"
            )
        ceiling_runs.append(wrk(ceiling.base + "/", args))
        reference = statistics.mean(run["requests_per_second"] for run in ceiling_runs[-2:])
        for row in pair:
            row["ceiling_requests_per_second"] = round(reference, 1)
            row["ratio"] = round(row["requests_per_second"] / reference, 4) if reference else None
        rows += pair
    return rows, ceiling_runs, notes


# Everyday searches, one word and several, synonyms ("slipped disc") and a word in few pages.
SEARCH_QUERIES = [
    "sciatica",
    "leg pain",
    "slipped disc",
    "massage",
    "surgery",
    "numbness in the foot",
    "herniated disc symptoms",
    "physiotherapy exercises",
    "bladder",
    "back stiffness",
]


def search_latency(site, rounds=10, afresh=False):
    """How long one search takes with nobody else waiting: the latency a reader sees, without the
    queueing that wrk's 16 connections add. Uncached (session cookie), after one warm-up round.

    A query's ranked outcome is kept per content version (discsite.search), so after the warm-up the
    rounds measure a kept search. With `afresh`, every request ranks again: each round asks for the
    first page of results written its own way (page=1, page=01, page=001, ...), which the kept outcome
    keys apart and the paginator reads as page 1 (the results are the same)."""
    timings = []
    for round_number in range(rounds + 1):
        for query in SEARCH_QUERIES:
            parameters = {"q": query, **({"page": "0" * round_number + "1"} if afresh else {})}
            status, _size, seconds = get(f"{site.base}/search/?{urlencode(parameters)}", UNCACHED_COOKIE)
            if status != 200:
                return {"error": f"HTTP {status} for {query!r}"}
            if round_number:
                timings.append(seconds * 1000)
    timings.sort()
    quantiles = statistics.quantiles(timings, n=100)
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(quantiles[94], 1),
        "max_ms": round(timings[-1], 1),
    }


# ---------------------------------------------------------------- report


def table(result):
    ceiling = [run["requests_per_second"] for run in result["ceiling_runs"]]
    lines = [
        f"**{result['database']}**, {result['pages']} generated pages "
        f"({'reused' if result['corpus_reused'] else 'built'}): ceiling (minimal Django view) "
        f"{statistics.mean(ceiling):.0f} req/s (runs {min(ceiling):.0f} to {max(ceiling):.0f})",
        "",
        "| page | mode | queries | bytes | req/s | p50 ms | p99 ms | ratio to ceiling |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        errors = sum(row["errors"].values())
        lines.append(
            f"| {row['page']} | {row['mode']} | {row['queries']} | {row['bytes']:,} | "
            f"{row['requests_per_second']:,.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['ratio']:.{3 if row['ratio'] >= 0.01 else 4}f}{f' ({errors} errors)' if errors else ''} |"
        )
    for name, how in (("search_latency", "kept outcome"), ("search_ranking_latency", "each ranked afresh")):
        search = result.get(name)
        if search and "error" in search:
            lines.append(f"- search, one reader at a time, {how}: not measured ({search['error']})")
        elif search:
            lines.append(
                f"- search, one reader at a time, {how} ({search['requests']} uncached searches, "
                f"{len(SEARCH_QUERIES)} queries in turn): p50 {search['p50_ms']:.1f} ms, "
                f"p95 {search['p95_ms']:.1f} ms, max {search['max_ms']:.1f} ms"
            )
    imports = result.get("import_seconds")
    if imports:
        slowest = max(imports, key=lambda name: max(imports[name]))
        median = statistics.median([seconds for runs in imports.values() for seconds in runs])
        lines.append(
            f"- importing one source document ({len(imports)} files of fixtures/sources/, 3 times each, rolled "
            f"back): median {median * 1000:.0f} ms, slowest {max(imports[slowest]) * 1000:.0f} ms ({slowest})"
        )
    burst = result.get("publishing_burst")
    if burst:
        lines.append(
            f"- publishing burst ({burst['publishes']} answers and articles published one after another, "
            f"{burst['reader_requests']} reader requests between them over {burst['sample_urls']} URLs, in one "
            f"process): page cache hit rate {burst['page_cache_hit_rate']:.0%}, fragment hit rate "
            f"{burst['fragment_hit_rate']:.0%} of {burst['fragment_lookups']:,} lookups; a request the page cache "
            f"did not answer: median {burst['miss_median_ms']} ms, p95 {burst['miss_p95_ms']} ms; stale after a "
            f"publish: {len(burst['stale_after_publish'])}"
        )
    lines += [f"- {note}" for note in result["notes"]]
    return "\n".join(lines)


def versions():
    def version(package):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(package)
        except PackageNotFoundError:
            return None

    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return {
        "python": platform.python_version(),
        "django": version("Django"),
        "wagtail": version("wagtail"),
        "gunicorn": version("gunicorn"),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("\n")[0].strip(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="generated pages in the corpus (default 10000)")
    add_wrk_arguments(parser, duration=5, connections=16, duration_help="seconds of load per run")
    parser.add_argument("--rebuild", action="store_true", help="build the corpus again even if it is there")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even if DATABASE_URL is set")
    parser.add_argument("--output", type=Path, default=BENCH / "results.json", help="where to write the JSON")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only search, one reader at a time (kept and ranked afresh), on the corpus as it is; no JSON",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")

    started = time.monotonic()
    load_at_start = os.getloadavg()
    targets = targets_from_environment()[:1] if args.sqlite_only else targets_from_environment()
    say(
        f"Benchmark: {', '.join(target.label for target in targets)}; {args.pages} pages; wrk {args.duration} s x "
        f"{args.connections} connections per run; {os.cpu_count()} cores; load average "
        f"{', '.join(f'{value:.1f}' for value in os.getloadavg())}"
    )
    secret = secrets.token_urlsafe(50)
    production = {"SECRET_KEY": secret, "ALLOWED_HOSTS": f"{HOST},localhost"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=site_env(targets[0], settings="discsite.settings.production", **production),
        check=True,
    )

    if args.search_only:
        for target in targets:
            build_corpus(target, args.pages, args.rebuild)
            env = site_env(target, settings="discsite.settings.production", **production)
            with Server(f"discsite-{target.label.lower()}", env, log_path=LOGS / "search-only.log") as site:
                for afresh in (False, True):
                    found = search_latency(site, afresh=afresh)
                    how = "ranked afresh" if afresh else "kept"
                    say(f"[{target.label}] {args.pages} pages, search {how}: {found}")
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="discsite-ceiling-") as folder:
        make_ceiling(Path(folder))
        ceiling_env = clean_env()
        # The same gunicorn.conf.py for both, and it names the site's log formatter: importable from here.
        ceiling_env["PYTHONPATH"] = str(ROOT)
        for target in targets:
            urls = build_corpus(target, args.pages, args.rebuild)
            site_name = f"discsite-{target.label.lower()}"
            site_server = Server(
                site_name,
                site_env(target, settings="discsite.settings.production", **production),
                log_path=LOGS / f"{site_name}.log",
            )
            ceiling_server = Server(
                "ceiling",
                ceiling_env,
                log_path=LOGS / "ceiling.log",
                app_args=["ceiling.wsgi:application"],
                cwd=folder,
            )
            with site_server as site, ceiling_server as ceiling:
                say(f"[{target.label}] site on {site.base}, ceiling on {ceiling.base}")
                rows, ceiling_runs, notes = measure(target, urls, ceiling, site, args)
                latency = search_latency(site)
                ranking = search_latency(site, afresh=True)
            # Importing a source document (issue 13: under 2 s each), with the servers stopped.
            imports = probe(
                target, "imports", env=site_env(target, settings="discsite.settings.production", **production)
            )
            # A publishing burst among readers (bench/probe.py burst), every publication rolled back.
            burst = probe(target, "burst", env=site_env(target, settings="discsite.settings.production", **production))
            result = {
                "database": target.label,
                "pages": args.pages,
                "corpus_reused": target.reused,
                "corpus_timings_seconds": target.timings,
                "ceiling_runs": ceiling_runs,
                "rows": rows,
                "notes": notes,
                "search_latency": latency,
                "search_ranking_latency": ranking,
                "import_seconds": imports,
                "publishing_burst": burst,
            }
            results.append(result)
            say("")
            say(table(result))
            say("")

    total = round(time.monotonic() - started, 1)
    report = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "machine": {
            "cores": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            **versions(),
        },
        "config": {
            "pages": args.pages,
            "duration_seconds": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "gunicorn": "gunicorn.conf.py, 2 sync workers, access log off",
            "uncached": f"Cookie: {UNCACHED_COOKIE}",
            "cached": "plain anonymous GET",
        },
        "results": results,
        "total_seconds": total,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    say(f"Wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}.")
    load = f"load average at the start {load_at_start[0]:.1f}, at the end {os.getloadavg()[0]:.1f}"
    say(f"{load.capitalize()} ({os.cpu_count()} cores).")
    say(f"Total time: {total} s")


if __name__ == "__main__":
    main()
