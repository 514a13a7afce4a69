"""Every public page type costs a fixed, small number of queries, whatever the size of the site.

Measured with the page and fragment caches off, so the count is what rendering the
page really costs (the caches only ever lower it). Two states:

- warm: the site-wide values every page needs (the site, its settings, view
  restrictions, the section pages) are already kept for the current content
  version, as they are for every request but the first after a change;
- cold: nothing is kept yet (the first request after a publish, once per process).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.usefixtures("seeded")

BUDGET = 12
# What a cold request fills, once per content version and server process: the site and its
# home page (2), the section page under home (2), the site's root paths, the view restrictions,
# the settings and the clinically reviewed safety-net texts (1 each), and the content types
# Django keeps per process (1 more, at most).
COLD_EXTRA = 9

URLS = {
    "home": "/",
    "answers index": "/questions/",
    "articles index": "/articles/",
    "topics index": "/topics/",
    "experts index": "/experts/",
    "answer": "/questions/relieve-lower-back-stiffness/",
    "answer (other voices by tag)": "/questions/is-a-herniated-lumbar-disc-serious/",
    "article": "/articles/herniated-discs-and-back-muscle-spasms/",
    "expert": None,  # one who has written and reviewed pages: chosen once the content exists
    "topic": "/topics/treatment/",
    "topic, page 2": "/topics/treatment/?page=2",
    "search": "/search/?q=disc",
    "search, one type": "/search/?q=leg+pain&type=article",
    "feed": "/feed/",
    "sitemap": "/sitemap.xml",
    "sitemap section": "/sitemap-pages.xml",
    "API listing": "/api/v2/pages/?type=articles.QuestionPage&fields=summary,author,reviewed_by,tags",
}


def count(url, cold):
    """Queries for one request with a session cookie: the page cache passes it by, as it would an editor."""
    client = Client()
    client.cookies["sessionid"] = "no-such-session"
    if cold:
        cache.clear()
    else:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def measure(settings, urls):
    settings.DISCSITE_FRAGMENT_CACHE = False
    return {name: (count(url, cold=False), count(url, cold=True)) for name, url in urls.items()}


def busy_expert_url():
    from articles.models import QuestionPage
    from experts.models import ExpertPage

    reviewers = QuestionPage.objects.live().values("reviewed_by")
    return ExpertPage.objects.filter(pk__in=reviewers, answers__live=True).order_by("pk").first().url


def test_query_counts_are_small_and_do_not_grow_with_the_site(settings):
    """A small site (the seed and 40 made-up pages, so every list has something in it), then a larger one."""
    from bench.corpus import ContentGenerator

    ContentGenerator(40, seed=7).generate()
    urls = {**URLS, "expert": busy_expert_url()}
    small = measure(settings, urls)
    ContentGenerator(400, seed=8).generate()
    large = measure(settings, urls)
    report = "\n".join(
        f"{name:32} warm {small[name][0]:2} / {large[name][0]:2}   cold {small[name][1]:2} / {large[name][1]:2}"
        for name in urls
    )
    for name in urls:
        warm_small, cold_small = small[name]
        warm_large, cold_large = large[name]
        assert warm_large == warm_small, f"{name} grows with the site:\n{report}"
        assert cold_large == cold_small, f"{name} grows with the site (cold):\n{report}"
        assert warm_small <= BUDGET, f"{name} is over budget:\n{report}"
        assert cold_small <= warm_small + COLD_EXTRA, f"{name} costs too much cold:\n{report}"
    print(report)
