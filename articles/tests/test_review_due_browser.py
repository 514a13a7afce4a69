"""Clinical review due, as a clinician uses it in a real browser: open the report, start a review of
an overdue page from it, open that review; at desktop and phone widths. Screenshots go to
test-artifacts/."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import QuestionPage
from discsite.core.system import system_user

pytestmark = pytest.mark.browser

REPORT = "/admin/reports/clinical-review-due/"


@pytest.fixture
def demo_site(seeded_live_server):
    call_command("create_demo_users", verbosity=0)
    return seeded_live_server


def log_in(page, server, username):
    page.goto(server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "changeme")
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin/")


def make_overdue(page):
    """Give a seeded page a review record whose next review date has passed. Reviewed once, it is no
    longer in the first review the seed started for it."""
    page.current_workflow_state.cancel(user=None)
    today = timezone.localdate()
    QuestionPage.objects.filter(pk=page.pk).update(
        last_reviewed_on=today - datetime.timedelta(days=400),
        next_review_due=today - datetime.timedelta(days=35),
    )
    return today - datetime.timedelta(days=35)


def assert_last_column_reachable(page, table, last_heading, width):
    """A sideways swipe over the table brings its last column into view: the table scrolls inside
    its container, while the page itself (Wagtail clips it sideways) stays where it is."""
    header = table.locator("th").last
    expect(header).to_contain_text(last_heading)
    table.locator("tbody tr").first.hover()
    page.mouse.wheel(3000, 0)
    # The swipe scrolls smoothly: wait for the heading's right edge to come into view rather than
    # for a fixed time (300 ms was not always enough on a loaded CI machine).
    page.wait_for_function(
        "([el, width]) => el.getBoundingClientRect().right <= width + 1",
        arg=[header.element_handle(), width],
    )
    box = header.bounding_box()
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= width + 1, box
    assert page.evaluate("document.getElementById('main').scrollLeft") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_clinician_starts_and_opens_a_review_from_the_report(demo_site, browser_page, screenshot):
    server, page = demo_site, browser_page
    overdue = QuestionPage.objects.live().order_by("title").first()
    due = make_overdue(overdue)

    log_in(page, server, "clinician")
    page.goto(server.url + REPORT)
    row = page.locator("table.listing tbody tr").first
    expect(row).to_contain_text(overdue.title)
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text(f"{due.day} {due:%b %Y}")
    expect(page.locator("table.listing")).not_to_contain_text(" ago")
    expect(row.get_by_role("link", name=overdue.title)).to_have_attribute("href", overdue.url)
    screenshot(page, "1-report-1280")

    row.get_by_role("button", name="Start review").click()
    expect(page.locator(".messages")).to_contain_text(f"Clinical review started: “{overdue.title}”")
    row = page.locator("table.listing tbody tr").first
    expect(row).to_contain_text("In review")
    expect(row.get_by_role("button", name="Start review")).to_have_count(0)
    screenshot(page, "2-review-started-1280")
    fresh = QuestionPage.objects.get(pk=overdue.pk)
    assert fresh.live
    assert fresh.current_workflow_state.requested_by == system_user()

    row.get_by_role("link", name="Open review").click()
    page.wait_for_url(f"{server.url}/admin/pages/{overdue.pk}/edit/")
    expect(page.locator("body")).not_to_contain_text("Sorry, you do not have permission")
    expect(page.locator("#id_title")).to_have_value(overdue.title)
    screenshot(page, "3-review-opened-1280")

    # The status panel offers what to review: here nothing changed since the (last) approval,
    # so the whole page as it stands in review.
    page.locator("[data-side-panel-toggle='status']").click()
    page.locator("[data-review-changes]").click()
    revision = fresh.current_workflow_task_state.revision_id
    page.wait_for_url(f"{server.url}/admin/pages/{overdue.pk}/revisions/{revision}/view/")
    expect(page.locator("h1")).to_contain_text(overdue.title)
    screenshot(page, "3b-whole-page-under-review-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + REPORT)
    expect(page.locator("table.listing tbody tr").first).to_contain_text("In review")
    screenshot(page, "4-report-390")
    assert_last_column_reachable(page, page.locator("table.listing"), "Type", 390)
    screenshot(page, "5-report-390-scrolled")

    page.goto(server.url + "/admin/")
    panel = page.locator("#clinical-review-due-section")
    expect(panel).to_contain_text("Open review")
    panel.scroll_into_view_if_needed()
    screenshot(page, "6-dashboard-390")
    assert_last_column_reachable(page, panel.locator("table.listing"), "Next review due", 390)
    screenshot(page, "7-dashboard-390-scrolled")
