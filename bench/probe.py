"""The Django side of `make bench`, run by bench/run.py against the benchmark database.

    python bench/probe.py status            how many generated pages the database holds, and a
                                            sample URL of each public page type (JSON)
    python bench/probe.py queries REQUESTS  the SQL queries of one request to each URL, counted
                                            with Django's test client (JSON in, JSON out)
    python bench/probe.py imports           the time to import each source document in
                                            fixtures/sources/ into the corpus, rolled back (JSON)
    python bench/probe.py timings [ROUNDS]  each sample URL of `status` requested uncached, one at a
                                            time, ROUNDS times (default 5): the median time, its
                                            queries and their SQL time (JSON), to find where a page
                                            type's time goes before `make bench` measures it
    python bench/probe.py profile URL       where one uncached request to URL spends its time
                                            (cProfile, the 30 most costly functions by own time)

It uses whatever DJANGO_SETTINGS_MODULE and DATABASE_URL it is given: run.py gives it
the production settings, so the count is that of the code path gunicorn serves.
"""

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.production")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.utils import DatabaseError  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.serving import INDEX_URLS, UNCACHED_COOKIE  # noqa: E402

SEARCH_QUERY = "sciatica"


def _middle(queryset):
    """A page from the middle of the corpus, the same one on every run."""
    count = queryset.count()
    return queryset.order_by("pk")[count // 2] if count else None


def status():
    from articles.models import ArticlePage, QuestionPage, TopicPage
    from bench.corpus import GENERATED_PREFIX
    from experts.models import ExpertPage

    try:
        generated = (
            QuestionPage.objects.filter(slug__startswith=GENERATED_PREFIX).count()
            + ArticlePage.objects.filter(slug__startswith=GENERATED_PREFIX).count()
        )
    except DatabaseError:  # not migrated yet
        return {"generated": 0, "urls": {}}
    samples = {
        "Q&A page": _middle(QuestionPage.objects.live().filter(slug__startswith=GENERATED_PREFIX)),
        "article": _middle(ArticlePage.objects.live().filter(slug__startswith=GENERATED_PREFIX)),
        "expert": _middle(ExpertPage.objects.live().filter(slug__startswith=GENERATED_PREFIX)),
        "topic": _middle(TopicPage.objects.live().filter(slug__startswith=GENERATED_PREFIX)),
    }
    urls = {
        **INDEX_URLS,
        **{name: page.url for name, page in samples.items() if page is not None},
        "search": f"/search/?q={SEARCH_QUERY}",
        "feed": "/feed/",
        "sitemap": "/sitemap.xml",
        "sitemap section": "/sitemap-pages.xml",
        "API list": "/api/v2/pages/",
    }
    return {"generated": generated, "urls": urls}


def queries(requests):
    """[{"url", "cookie"}] -> [{"url", "cookie", "status", "bytes", "queries", "first_queries"}].

    The first request warms Wagtail's caches (site root paths, settings) in this process, as a
    running server's first request does; the count reported is that of the second one.
    """
    client = Client(HTTP_HOST="127.0.0.1")
    results = []
    for request in requests:
        extra = {"HTTP_COOKIE": request["cookie"]} if request.get("cookie") else {}
        counts = []
        response = None
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(request["url"], **extra)
            counts.append(len(captured))
        results.append(
            {
                **request,
                "status": response.status_code,
                "bytes": len(response.content),
                "queries": counts[1],
                "first_queries": counts[0],
            }
        )
    return results


def imports(rounds=3):
    """{file: [seconds, ...]}: `import_file` of each raw source, `rounds` times, each in a transaction
    rolled back afterwards, so the corpus is left as it was (and no review email goes out: those
    are sent on commit). The first round of each file also warms the process, as a server's would."""
    from django.conf import settings
    from django.db import transaction

    from discsite.importing.pipeline import import_file

    timings = {}
    for path in sorted((Path(settings.BASE_DIR) / "fixtures" / "sources").iterdir()):
        data = path.read_bytes()
        for _ in range(rounds):
            with transaction.atomic():
                started = time.perf_counter()
                report = import_file(path.name, data)
                elapsed = time.perf_counter() - started
                transaction.set_rollback(True)
            if report.status != "new":
                raise SystemExit(f"importing {path.name} in the benchmark: {report.message}")
            timings.setdefault(path.name, []).append(round(elapsed, 4))
    return timings


def timings(rounds=5):
    """{name: {"url", "status", "median_ms", "queries", "sql_ms"}} for each sample URL, uncached."""
    client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=UNCACHED_COOKIE)
    results = {}
    for name, url in status()["urls"].items():
        client.get(url)  # warms the process and the fragment caches, as a running server's are
        seconds = []
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                seconds.append(time.perf_counter() - started)
        results[name] = {
            "url": url,
            "status": response.status_code,
            "median_ms": round(statistics.median(seconds) * 1000, 1),
            "queries": len(captured),
            "sql_ms": round(sum(float(query["time"]) for query in captured.captured_queries) * 1000, 1),
        }
    return results


def profile(url):
    """cProfile's report of one uncached request to `url`, after one to warm the process."""
    client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=UNCACHED_COOKIE)
    client.get(url)
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(30)
    return report.getvalue()


def main(argv):
    if argv[:1] == ["status"]:
        json.dump(status(), sys.stdout)
    elif argv[:1] == ["imports"]:
        json.dump(imports(), sys.stdout)
    elif argv[:1] == ["timings"] and len(argv) <= 2:
        json.dump(timings(int(argv[1]) if len(argv) == 2 else 5), sys.stdout, indent=1)
    elif argv[:1] == ["profile"] and len(argv) == 2:
        sys.stdout.write(profile(argv[1]))
    elif argv[:1] == ["queries"] and len(argv) == 2:
        json.dump(queries(json.loads(Path(argv[1]).read_text())), sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
