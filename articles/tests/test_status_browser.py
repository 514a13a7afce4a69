"""What editors see of a page's review, in a real browser with the demo logins: the explorer names
the stage ("Changes requested", "Awaiting sign-off"), each action says what comes next (in the editor
and from the dashboard's "Awaiting your review"), and the moderator's approval asks before it
publishes. At 390 px the explorer's titles stay readable. Screenshots at 1280 and 390 px go to
test-artifacts/.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.rich_text import RichText

from articles.factories import QuestionPageFactory
from articles.models import QuestionIndexPage, QuestionPage
from articles.tests.test_review_in_browser import action_menu, log_in, sign_off_in_the_dialog
from experts.models import ExpertPage

pytestmark = pytest.mark.browser

TITLE = "Can I lift things with a herniated disc?"
CHANGES = "Say how heavy is too heavy, and what to do if the leg pain returns."
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def draft_in_review(seeded_live_server):
    """A new answer by the demo editor, submitted to the Clinical review workflow."""
    call_command("create_demo_users", verbosity=0)
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="editor")
    page = QuestionPageFactory(
        parent=QuestionIndexPage.objects.get(),
        title=TITLE,
        slug="can-i-lift-things",
        author=ExpertPage.objects.get(title="Wang Fei"),
        live=False,
        first_published_at=None,
        last_published_at=None,
        owner=editor,
        # As the editor saves it: rich text with its block keys.
        body=[("paragraph", RichText('<p data-block-key="a1b2c">Lift with your knees, close to you.</p>'))],
    )
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    return page


def expect_listed_as(page, title, label):
    """The explorer row's status tag reads `label` (after its screen-reader prefix)."""
    tag = page.locator("tr", has_text=title).locator(".w-status")
    expect(tag).to_have_text(re.compile(rf"Current page status:\s*{re.escape(label)}\s*$"))


# How many lines an element's text takes on screen (the distinct baselines of its line boxes).
LINES_OF_TEXT = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const boxes = [...range.getClientRects()].filter(box => box.width > 0);
    return new Set(boxes.map(box => Math.round(box.bottom))).size;
}"""


def expect_readable_titles(page, title):
    """The explorer's titles read a few words a line at this width, not one word under another."""
    titles = page.locator("#listing-results td.title [id$=_title]").all()
    assert titles
    for element in titles:
        words, lines = len(element.inner_text().split()), element.evaluate(LINES_OF_TEXT)
        assert words / lines >= 2, f"{element.inner_text()!r}: {words} words on {lines} lines"
    ours = page.locator("#listing-results td.title [id$=_title]", has_text=title)
    assert ours.evaluate(LINES_OF_TEXT) <= 2


def both_widths(page, screenshot, name, listing_title=None):
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    if listing_title:
        expect_readable_titles(page, listing_title)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_the_explorer_and_the_editor_say_where_the_review_stands(
    seeded_live_server, draft_in_review, chromium, screenshot
):
    server, page = seeded_live_server, draft_in_review
    edit_url = f"{server.url}/admin/pages/{page.pk}/edit/"
    listing = re.compile(rf"/admin/pages/{page.get_parent().pk}/$")

    # 1. A clinician asks for changes; the explorer says so, and who has been told.
    clinician = log_in(chromium, server, "clinician")
    clinician.goto(edit_url)
    expect(clinician.locator("[data-review-status]")).to_contain_text("In clinical review")
    action_menu(clinician, "Request changes")
    modal = clinician.locator(".modal-dialog")
    modal.locator("textarea").fill(CHANGES)
    modal.get_by_role("button", name="Request changes").click()
    clinician.wait_for_url(listing)
    expect(clinician.locator(".messages")).to_contain_text("Changes requested; the author has been told.")
    expect_listed_as(clinician, TITLE, "Changes requested")
    both_widths(clinician, screenshot, "01-explorer-changes-requested", listing_title=TITLE)

    # 2. The editor sees the stage in the editor's header, makes the changes and resubmits.
    editor = log_in(chromium, server, "editor")
    editor.goto(edit_url)
    expect(editor.locator("[data-review-status]")).to_contain_text("Changes requested")
    both_widths(editor, screenshot, "02-editor-header-changes-requested")
    editor.set_viewport_size(PHONE)
    stage = editor.locator("[data-review-status]").bounding_box()
    assert stage["x"] >= 0, f"the stage is off the screen: {stage}"
    assert stage["x"] + stage["width"] <= PHONE["width"], f"the stage is off the screen: {stage}"
    assert stage["height"] < 30, "the stage wraps a word per line"
    editor.set_viewport_size(DESKTOP)
    editor.fill("#id_summary", "Yes, light things, close to your body; nothing that brings back the leg pain.")
    action_menu(editor, "Resubmit to Clinical review")
    editor.wait_for_url(listing)
    expect(editor.locator(".messages")).to_contain_text("Resubmitted. The page now waits for a clinical reviewer")
    expect_listed_as(editor, TITLE, "In clinical review")

    # 3. The clinician approves from the dashboard's "Awaiting your review" (a dialog, then back to the
    #    dashboard), which says so and what comes next; the page waits for a moderator.
    clinician.goto(f"{server.url}/admin/")
    row = clinician.locator("section", has_text="Awaiting your review").locator("tr", has_text=TITLE)
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve clinical review").click()
    modal = clinician.locator(".modal-dialog")
    modal.get_by_role("button", name="Approve clinical review").click()
    expect(clinician.locator(".messages")).to_contain_text(
        f"“{TITLE}”: Approved. The page now waits for a moderator's sign-off."
    )
    assert clinician.url == f"{server.url}/admin/"
    both_widths(clinician, screenshot, "03-dashboard-approved")
    clinician.goto(f"{server.url}/admin/pages/{page.get_parent().pk}/")
    expect_listed_as(clinician, TITLE, "Awaiting sign-off")
    both_widths(clinician, screenshot, "03-explorer-awaiting-sign-off", listing_title=TITLE)

    # 4. The moderator's approval opens a dialog saying it publishes now; nothing is live until they confirm.
    moderator = log_in(chromium, server, "moderator")
    sign_off_in_the_dialog(
        moderator,
        edit_url,
        page,
        listing,
        while_asking=lambda moderator: both_widths(moderator, screenshot, "04-moderator-confirms-publishing"),
    )
    assert QuestionPage.objects.get(pk=page.pk).live
    reviewed = f"Published · reviewed on {timezone.localdate():%-d %b %Y}"
    expect(moderator.locator(".messages")).to_contain_text(
        f"Approved and published: readers see it now, reviewed on {timezone.localdate():%-d %b %Y}."
    )
    expect_listed_as(moderator, TITLE, reviewed)
    both_widths(moderator, screenshot, "05-explorer-published-and-reviewed", listing_title=TITLE)
