"""The seeded site in a real browser: every page type at phone and desktop widths."""

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "answers": "/questions/",
    "answer": "/questions/relieve-lower-back-stiffness/",
    "article": "/articles/herniated-discs-and-back-muscle-spasms/",
    "experts": "/experts/",
    "expert": "/experts/wang-fei/",
    "topics": "/topics/",
    "topic": "/topics/symptoms/",
    "search": "/search/?q=disc",
    "not-found": "/no-such-page/",
}


def test_every_page_type_fits_a_phone_and_a_desktop(seeded_live_server, browser_page, screenshot):
    page = browser_page
    external_requests = []
    page.on(
        "request",
        lambda request: (
            external_requests.append(request.url) if not request.url.startswith(seeded_live_server.url) else None
        ),
    )
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in PAGES.items():
            response = page.goto(seeded_live_server.url + path)
            assert response.status == (404 if name == "not-found" else 200), path
            assert page.locator("h1").count() == 1, path
            assert page.locator("h1").is_visible(), path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
            stylesheet_loaded = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "Times" not in stylesheet_loaded, f"the stylesheet did not load on {path}"
            screenshot(page, f"{name}-{width}")
    assert external_requests == []


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(seeded_live_server, browser_page):
    page = browser_page
    page.goto(seeded_live_server.url + "/questions/relieve-lower-back-stiffness/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main-content"
    assert page.locator("a[href='#main-content']").is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    box_shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or box_shadow != "none", "focus must be visible"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_urgent_care_card_is_visible_on_a_phone(seeded_live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/questions/relieve-lower-back-stiffness/", "/articles/herniated-discs-and-back-muscle-spasms/"):
        page.goto(seeded_live_server.url + path)
        card = page.get_by_text("Get medical help immediately if you have").first
        assert card.is_visible(), path
