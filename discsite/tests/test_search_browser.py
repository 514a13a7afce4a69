"""The search page in Chromium, in every state a reader can reach: axe finds no WCAG 2.2 AA
violation, nothing scrolls sideways, marks are readable, the filters work by keyboard."""

import pytest

from discsite.tests.test_accessibility import AXE, RUN_AXE, WCAG_22_AA, readable

pytestmark = pytest.mark.browser

STATES = {
    "results-promoted": "/search/?q=slipped+disc",
    "results-filtered": "/search/?q=slipped+disc&type=article",
    "results-page-2": "/search/?q=disc&page=2",
    "experts": "/search/?q=orthopedics&type=expert",
    "none-in-type": "/search/?q=wang+fei&type=topic",
    "no-results": "/search/?q=zzqxv",
    "nothing-searchable": "/search/?q=%2A%2A%2A+-",
    "too-long": "/search/?q=" + "disc+" * 60,
    "empty": "/search/",
}


@pytest.fixture
def promoted(seeded_live_server):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    from articles.models import ArticlePage

    article = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")
    query = Query.objects.create(query_string="slipped disc")
    SearchPromotion.objects.create(query=query, page=article, sort_order=0, description="Start with this article.")
    return seeded_live_server


def test_every_search_state_meets_wcag_2_2_aa(promoted, browser_page, screenshot):
    page = browser_page
    problems = []
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in STATES.items():
            response = page.goto(promoted.url + path)
            assert response.status == 200, path
            assert page.locator("h1").count() == 1, path
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(RUN_AXE, WCAG_22_AA)
            problems += [(f"{name} at {width}px", rule) for rule in result["violations"]]
            problems += [
                (f"{name} at {width}px (contrast not measurable)", rule) for rule in result["unmeasured_contrast"]
            ]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
            screenshot(page, f"search-{name}-{width}")
    assert not problems, f"{len(problems)} WCAG 2.2 AA violations:\n{readable(problems)}"


def test_a_reader_searches_filters_and_pages_with_the_keyboard(promoted, browser_page):
    page = browser_page
    page.goto(promoted.url + "/search/")
    page.get_by_label("Search our expert answers, articles, experts and topics").fill("slipped disc")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=slipped+disc")
    assert page.get_by_role("status").get_by_text("results for").is_visible()
    assert page.get_by_role("heading", name="Recommended").is_visible()
    assert page.locator(".search-result mark").first.is_visible()

    filters = page.get_by_role("navigation", name="Filter results by type")
    filters.get_by_role("link", name="Articles").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**type=article")
    assert filters.get_by_role("link", name="Articles").get_attribute("aria-current") == "page"
    assert page.locator(".search-result.card--article").count() == 3
    assert page.locator(".search-result:not(.card--article)").count() == 0
