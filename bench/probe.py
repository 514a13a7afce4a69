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
    python bench/probe.py burst [PUBLISHES] a publishing burst among readers: PUBLISHES answers and
                                            articles published one after another (default 20), readers'
                                            requests between them; the page cache's and the fragments'
                                            hit rates, and that each published page is fresh at once
                                            (JSON; every publication rolled back afterwards)

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
    are sent on commit). The process starts as a server's worker does (discsite/wsgi.py: the pronouncing
    dictionary read), and the first round of each file also warms it, as a server's first requests would."""
    from django.conf import settings
    from django.db import transaction

    from articles.readability import load_pronunciations
    from discsite.importing.pipeline import import_file

    load_pronunciations()

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


BURST_READS = 40  # reader requests after each publication


def _reader_urls(rng):
    """What readers request during the burst: every index, the home page, search, feed and sitemap,
    and a sample of answers, articles, experts and topics (fixed by `rng`)."""
    from articles.models import ArticlePage, QuestionPage, TopicPage
    from experts.models import ExpertPage

    def sample(model, count):
        pks = list(model.objects.live().values_list("pk", flat=True))
        return [page.url for page in model.objects.filter(pk__in=rng.sample(pks, min(count, len(pks))))]

    return [
        "/",
        *INDEX_URLS.values(),
        f"/search/?q={SEARCH_QUERY}",
        "/feed/",
        "/sitemap.xml",
        *sample(QuestionPage, 60),
        *sample(ArticlePage, 30),
        *sample(ExpertPage, 10),
        *sample(TopicPage, 5),
    ]


class FragmentLookups:
    """Counts the rendered fragments found in and missing from the cache (the keys `discsite:own:`,
    `discsite:card:` and `discsite:fragment:`, read by discsite_tags), by wrapping this process's
    cache backend's reads: a benchmark's instrument, not the site's."""

    PREFIXES = ("discsite:own:", "discsite:card:", "discsite:fragment:")

    def __init__(self):
        from django.core.cache import caches

        self.backend = caches["default"]
        self.hits = self.misses = 0
        get, get_many = self.backend.get, self.backend.get_many

        def counted_get(key, *args, **kwargs):
            value = get(key, *args, **kwargs)
            self.count([key], {key: value} if value is not None else {})
            return value

        def counted_get_many(keys, *args, **kwargs):
            found = get_many(keys, *args, **kwargs)
            self.count(keys, found)
            return found

        self.backend.get, self.backend.get_many = counted_get, counted_get_many

    def count(self, keys, found):
        for key in keys:
            if any(prefix in key for prefix in self.PREFIXES):
                if key in found:
                    self.hits += 1
                else:
                    self.misses += 1

    def reset(self):
        self.hits = self.misses = 0


def burst(publishes=20, seed=1):
    """A publishing burst among readers, in this process (the page cache and fragments in its local
    memory), every publication rolled back at the end.

    Readers first request every URL of the sample once (the caches are then warm). Then, `publishes`
    times: an answer or an article is published with a new title (as the seed publishes: the system),
    its page is requested at once and must show the new title, and BURST_READS reader requests follow
    (URLs drawn from the sample). Reported: the share of reader requests the page cache answered, the
    share of fragment lookups (a page's own content, cards, listings) found, and the time of a reader
    request the page cache did not answer."""
    import random

    from django.db import transaction

    from articles.integrity import publishing_unreviewed_source_material
    from articles.models import ArticlePage, QuestionPage

    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    client = Client(HTTP_HOST="127.0.0.1")
    urls = _reader_urls(rng)
    lookups = FragmentLookups()
    reads = {"hit": 0, "miss": 0}
    miss_ms, stale = [], []
    with transaction.atomic():
        for url in urls:
            client.get(url)
        lookups.reset()
        candidates = [*QuestionPage.objects.live().values_list("pk", flat=True)[:2000]]
        candidates += ArticlePage.objects.live().values_list("pk", flat=True)[:1000]
        for number in range(publishes):
            pk = rng.choice(candidates)
            page = QuestionPage.objects.filter(pk=pk).first() or ArticlePage.objects.get(pk=pk)
            page.title = f"{page.title} (revised {number + 1})"
            with publishing_unreviewed_source_material("a benchmark's publishing burst"):
                page.save_revision().publish()
            if page.title not in client.get(page.url).content.decode():
                stale.append(page.url)
            for url in rng.choices(urls, k=BURST_READS):
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
                outcome = response.get("X-Page-Cache", "miss")
                reads[outcome if outcome in reads else "miss"] += 1
                if outcome != "hit":
                    miss_ms.append(elapsed * 1000)
        transaction.set_rollback(True)
    total = reads["hit"] + reads["miss"]
    fragments = lookups.hits + lookups.misses
    return {
        "publishes": publishes,
        "reader_requests": total,
        "sample_urls": len(urls),
        "page_cache_hit_rate": round(reads["hit"] / total, 3) if total else None,
        "fragment_lookups": fragments,
        "fragment_hit_rate": round(lookups.hits / fragments, 3) if fragments else None,
        "miss_median_ms": round(statistics.median(miss_ms), 1) if miss_ms else None,
        "miss_p95_ms": round(statistics.quantiles(miss_ms, n=20)[18], 1) if len(miss_ms) > 1 else None,
        "stale_after_publish": stale,
    }


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
    elif argv[:1] == ["burst"] and len(argv) <= 2:
        json.dump(burst(int(argv[1]) if len(argv) == 2 else 20), sys.stdout, indent=1)
    elif argv[:1] == ["profile"] and len(argv) == 2:
        sys.stdout.write(profile(argv[1]))
    elif argv[:1] == ["queries"] and len(argv) == 2:
        json.dump(queries(json.loads(Path(argv[1]).read_text())), sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
