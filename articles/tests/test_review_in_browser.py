"""The clinical review flow, as people do it, in a real browser with the demo logins.

An editor writes a Q&A page with blocks and tags and submits it; a clinician
previews it and requests changes; the editor sees the comment, edits and
resubmits; the clinician approves; a moderator signs off; a reader sees
"Medically reviewed by". Screenshots of each step go to test-artifacts/.
"""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import QuestionPage

pytestmark = pytest.mark.browser

SLUG = "is-walking-good-for-a-herniated-disc"
TITLE = "Is walking good for a herniated disc?"
CHANGES = "Say how long to walk for, and when walking should stop."


@pytest.fixture
def demo_site(seeded_live_server):
    call_command("create_demo_users", verbosity=0)
    return seeded_live_server


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


def test_a_page_goes_from_draft_to_medically_reviewed(demo_site, chromium, screenshot):
    server = demo_site
    index_id = QuestionPage.objects.first().get_parent().pk

    # 1. The editor writes a new answer with two kinds of block and a tag, and submits it.
    editor = log_in(chromium, server, "editor")
    editor.goto(f"{server.url}/admin/pages/add/articles/questionpage/{index_id}/")
    editor.fill("#id_title", TITLE)
    editor.fill("#id_summary", "Yes. Gentle walking keeps the back moving.")
    body = add_block(editor, "Paragraph")
    body.locator("[contenteditable=true]").last.click()
    editor.keyboard.type("Walking is one of the best things you can do for back pain.")
    body = add_block(editor, "Callout")
    body.locator("select").last.select_option("warning")
    body.locator("[contenteditable=true]").last.click()
    editor.keyboard.type("Stop and get checked if walking makes leg weakness worse.")
    tag_input = editor.locator("#panel-child-content-tags-content .tagit-new input")
    tag_input.fill("Treatment")
    tag_input.press("Enter")
    editor.get_by_text("Choose a page (Expert)").click()  # the answering expert, on the Content tab
    chooser = editor.locator(".modal-dialog")
    chooser.get_by_role("link", name="Wang Fei", exact=True).click()
    chooser.wait_for(state="hidden")
    editor.click("#tab-label-promote")
    editor.fill("#id_slug", SLUG)
    editor.click("#tab-label-content")
    screenshot(editor, "01-editor-writes")
    action_menu(editor, "Submit to Clinical review")
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page = QuestionPage.objects.get(slug=SLUG)
    assert page.workflow_in_progress
    assert not page.live
    assert [block.block_type for block in page.get_latest_revision_as_object().body] == ["paragraph", "callout"]
    assert [tag.name for tag in page.get_latest_revision_as_object().tags.all()] == ["Treatment"]
    screenshot(editor, "02-editor-submitted")

    # 2. The clinician finds it on the dashboard, previews it and requests changes.
    clinician = log_in(chromium, server, "clinician")
    waiting = clinician.locator("section", has_text="Awaiting your review")
    expect(waiting.get_by_text(TITLE)).to_be_visible()
    screenshot(clinician, "03-clinician-dashboard")
    clinician.goto(server.url + waiting.locator("a", has_text="Preview").get_attribute("href"))
    expect(clinician.locator("h1")).to_have_text(TITLE)
    expect(clinician.get_by_text("Stop and get checked if walking makes leg weakness worse.")).to_be_visible()
    screenshot(clinician, "04-clinician-preview")
    clinician.goto(f"{server.url}/admin/pages/{page.pk}/edit/")
    action_menu(clinician, "Request changes")
    modal = clinician.locator(".modal-dialog")
    modal.get_by_role("button", name="Request changes").click()  # without a comment: refused by the server
    expect(modal.get_by_text("Say what needs to change, so that the author can put it right.")).to_be_visible()
    modal.locator("textarea").fill(CHANGES)
    screenshot(clinician, "05-clinician-requests-changes")
    modal.get_by_role("button", name="Request changes").click()
    clinician.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    changes_mail = [m for m in mail.outbox if m.subject == f"Changes requested: {TITLE}"]
    assert changes_mail
    assert CHANGES in changes_mail[0].body

    # 3. The editor sees the comment, edits and resubmits.
    editor.goto(f"{server.url}/admin/pages/{page.pk}/edit/")
    expect(editor.get_by_text(f"requested changes at the Clinical review step: “{CHANGES}”")).to_be_visible()
    screenshot(editor, "06-editor-sees-comment")
    editor.fill("#id_summary", "Yes. Walk gently for 10 to 30 minutes a day; stop if leg weakness gets worse.")
    action_menu(editor, "Resubmit to Clinical review")
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    # 4. The clinician approves, with a comment.
    clinician.goto(f"{server.url}/admin/pages/{page.pk}/edit/")
    action_menu(clinician, "Approve clinical review")
    modal = clinician.locator(".modal-dialog")
    modal.locator("textarea").fill("Accurate and safe.")
    screenshot(clinician, "07-clinician-approves")
    modal.get_by_role("button", name="Approve clinical review").click()
    clinician.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.refresh_from_db()
    assert not page.live

    # 5. The moderator signs off, which publishes the page (after a dialog saying so).
    moderator = log_in(chromium, server, "moderator")
    moderator.goto(f"{server.url}/admin/pages/{page.pk}/edit/")
    screenshot(moderator, "08-moderator-signs-off")
    action_menu(moderator, "Approve and publish…")
    modal = moderator.locator(".modal-dialog")
    expect(modal.get_by_text("Approving publishes this page now")).to_be_visible()
    modal.get_by_role("button", name="Approve and publish…").click()
    moderator.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.refresh_from_db()
    assert page.live
    assert page.reviewed_by.slug == "su-zhen-bo"

    # 6. A reader sees the page, reviewed.
    reader = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(f"{server.url}/questions/{SLUG}/")
    review = reader.locator(".review-record")
    assert re.search(
        r"Medically reviewed by Dr Su Zhen Bo, Orthopedics · Last reviewed .+ · Next review due", review.inner_text()
    )
    reader.get_by_role("link", name="Dr Su Zhen Bo").first.click()
    reader.wait_for_url(f"{server.url}/experts/su-zhen-bo/")
    expect(reader.get_by_role("link", name=TITLE).first).to_be_visible()
    reader.goto(f"{server.url}/questions/{SLUG}/")
    screenshot(reader, "09-reader-sees-medically-reviewed")
