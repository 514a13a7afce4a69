"""The security headers in a real browser: the public site and Wagtail's admin work under them.

With the Content-Security-Policy and Permissions-Policy switched on (as in production), Chromium
reports no violation on the public pages, for a signed-in editor's userbar, in the page editor,
or in its live preview panel; and the sign-in lockout is a styled page. Screenshots go to
test-artifacts/.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import ArticlePage, QuestionPage

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
VIOLATION = re.compile(r"Content.Security.Policy|Permissions.Policy|Refused to", re.IGNORECASE)
PUBLIC_PATHS = [
    "/",
    "/questions/",
    "/questions/relieve-lower-back-stiffness/",
    "/articles/herniated-discs-and-back-muscle-spasms/",
    "/topics/symptoms/",
    "/experts/wang-fei/",
    "/search/?q=disc+pain",
    "/no-such-page/",
]


@pytest.fixture
def secure_site(seeded_live_server, settings):
    """The seeded live server with the production headers on (settings are shared with its thread)."""
    settings.DISCSITE_CSP_ENABLED = True
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    return seeded_live_server


def watch(page):
    """Every console message and page error about a policy, and every securitypolicyviolation event."""
    problems = []
    page.on("console", lambda message: VIOLATION.search(message.text) and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (event) => {
            console.error(`Refused by Content-Security-Policy ${event.violatedDirective}: ${event.blockedURI}`);
        });"""
    )
    return problems


def sign_in(page, server):
    page.goto(server.url + "/admin/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin/")


def test_public_pages_work_under_the_policy(secure_site, browser_page, screenshot):
    problems = watch(browser_page)
    for path in PUBLIC_PATHS:
        response = browser_page.goto(secure_site.url + path)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert "camera=()" in response.headers["permissions-policy"], path
        browser_page.wait_for_load_state("networkidle")
    screenshot(browser_page, "search")
    # The stylesheet applied (a blocked one would leave the header unstyled).
    header_color = browser_page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_color not in ("rgba(0, 0, 0, 0)", "transparent")
    assert not problems, problems


def test_the_editor_its_preview_panel_and_the_userbar_work_under_the_policy(secure_site, browser_page, screenshot):
    problems = watch(browser_page)
    page = browser_page
    sign_in(page, secure_site)

    question = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    response = page.goto(f"{secure_site.url}/admin/pages/{question.pk}/edit/")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")

    # The live preview panel: a same-origin iframe, allowed by frame-ancestors 'self'.
    page.locator("[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.locator("h1")).to_contain_text(question.title, timeout=20_000)
    screenshot(page, "preview-panel")

    # The StreamField editor, choosers and the other side panels.
    article = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")
    page.goto(f"{secure_site.url}/admin/pages/{article.pk}/edit/")
    page.wait_for_load_state("networkidle")
    page.locator("[data-side-panel-toggle='checks']").click()
    page.wait_for_timeout(1000)
    for path in ("/admin/", "/admin/pages/", "/admin/images/", "/admin/documents/", "/admin/users/"):
        page.goto(secure_site.url + path)
        page.wait_for_load_state("networkidle")

    # The userbar on a public page, for the signed-in editor.
    page.goto(secure_site.url + "/questions/relieve-lower-back-stiffness/")
    page.locator("[data-wagtail-userbar-trigger]").click()
    page.wait_for_timeout(500)
    screenshot(page, "userbar")
    assert not problems, problems


def test_the_sign_in_lockout_is_a_styled_page(secure_site, browser_page, screenshot, settings):
    settings.AXES_ENABLED = True
    problems = watch(browser_page)
    page = browser_page
    for attempt in range(6):
        page.goto(secure_site.url + "/admin/login/")
        page.fill("input[name=username]", "boss")
        page.fill("input[name=password]", PASSWORD if attempt == 5 else f"wrong {attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
    alert = page.locator("#account-locked")
    expect(alert).to_contain_text("Too many failed sign-in attempts")
    expect(alert).to_contain_text("ask an administrator to unlock your account")
    expect(page.locator("form.login-form")).to_be_visible()
    assert page.url == secure_site.url + "/admin/login/", "not signed in"
    screenshot(page, "lockout")
    assert not problems, problems
