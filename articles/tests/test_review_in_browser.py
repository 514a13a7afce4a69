"""Helpers for the browser tests that sign in with the demo logins and use the page editor.

The clinical review flow itself, from a new answer's first draft to "Medically reviewed by" (with a
request for changes on the way), is driven in articles/tests/test_editor_day_browser.py.
"""

from playwright.sync_api import expect


def log_in(chromium, server, username):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "changeme")
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin/")
    return page


def action_menu(page, label):
    """Click an entry of the editor's footer action menu (opening the menu if it is folded)."""
    footer = page.locator("footer")
    button = footer.get_by_role("button", name=label, exact=True)
    if not button.is_visible():
        footer.get_by_role("button", name="More actions").click()
    button.click()


def add_block(page, block_name):
    body = page.locator("#panel-child-content-body-content")
    body.locator("button.c-sf-add-button").last.click()
    page.locator("[data-tippy-root]").get_by_text(block_name, exact=True).click()
    return body


def sign_off_in_the_dialog(moderator, edit_url, page, listing, while_asking):
    """The moderator's "Approve and publish…": the dialog says it publishes now, and nothing is live
    until they confirm. `while_asking(moderator)` runs with the dialog open (the screenshots)."""
    moderator.goto(edit_url)
    expect(moderator.locator("[data-review-status]")).to_contain_text("Awaiting sign-off")
    action_menu(moderator, "Approve and publish…")
    modal = moderator.locator(".modal-dialog")
    expect(modal.get_by_text("Approving publishes this page now")).to_be_visible()
    while_asking(moderator)
    assert not type(page).objects.get(pk=page.pk).live
    modal.get_by_role("button", name="Approve and publish…").click()
    moderator.wait_for_url(listing)
