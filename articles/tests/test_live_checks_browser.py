"""The checks as the editor types, in a real browser: a note appears beside the block concerned
as it is typed (the HTTP tests show the check itself saves nothing), and submitting flagged text asks for a reason the clinician then sees.
Screenshots at 1280 and 390 px go to test-artifacts/.
"""

import re

import pytest
from playwright.sync_api import expect

from articles.models import QuestionPage
from articles.tests.test_authoring_browser import (
    PHONE,
    demo_site,  # noqa: F401 (a fixture)
    start_an_answer,
    type_the_answer,
)
from articles.tests.test_review_in_browser import action_menu, add_block, log_in

pytestmark = pytest.mark.browser

QUESTION = "Will a back brace help my slipped disc?"
REASON = "SpineEase is the brace the trial used; no price or link is given."


def test_checks_update_as_the_editor_types_and_flagged_text_needs_a_reason(demo_site, chromium, screenshot, settings):  # noqa: F811
    # The steps save explicitly: an autosave landing between filling a field and a click on Submit
    # made the submitted form stale ("could not be saved") now and then.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL = 10 * 60 * 1000
    server = demo_site
    editor = log_in(chromium, server, "editor")
    start_an_answer(editor, server)
    type_the_answer(editor, QUESTION, expert="Wang Fei")
    reason_field = editor.locator("#panel-child-content-promotion_reason-section")
    expect(editor.locator("[data-health-checks-result]")).to_contain_text("No promotion found")
    expect(reason_field).to_be_hidden()  # nothing flagged, nothing to explain

    # A second paragraph that sells: the note appears beside that block, unsaved.
    body = add_block(editor, "Paragraph")
    expect(body.locator("[contenteditable=true]")).to_have_count(2)  # the new block's editor is ready
    body.locator("[contenteditable=true]").last.click()
    editor.keyboard.type("Get the SpineEase brace today for half price.")
    second_block = body.locator("[data-streamfield-child]").nth(1)
    note = second_block.locator(".discsite-check-note")
    expect(note).to_contain_text("A brand push (“Get the SpineEase”) reads like promotion.", timeout=10_000)
    expect(note).to_contain_text("A discount (“half price”) reads like promotion.")
    expect(body.locator("[data-streamfield-child]").first.locator(".discsite-check-note")).to_have_count(0)
    expect(editor.locator("[data-health-checks-result]")).to_contain_text(
        "A discount (“half price”) in block 2 (paragraph) reads like promotion."
    )
    expect(reason_field).to_be_visible()
    second_block.scroll_into_view_if_needed()
    screenshot(editor, "01-note-beside-the-block-1280")
    editor.set_viewport_size(PHONE)
    second_block.scroll_into_view_if_needed()
    screenshot(editor, "02-note-beside-the-block-390")
    editor.set_viewport_size({"width": 1280, "height": 900})

    # Saving a draft needs no reason; submitting does.
    editor.locator("footer").get_by_role("button", name="Save draft", exact=True).click()
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    page = QuestionPage.objects.get(title=QUESTION)
    expect(editor.locator('input[name="body-1-value"]')).to_have_value(re.compile("SpineEase"))
    action_menu(editor, "Submit to Clinical review")
    error = reason_field.locator(".error-message")
    expect(error).to_contain_text("Move it into a Sponsored block, or say here why it is not promotion")
    expect(editor.locator("#tab-label-content [data-w-count-target=total]")).to_have_text("1")  # just the reason
    assert not QuestionPage.objects.get(pk=page.pk).workflow_in_progress
    reason_field.scroll_into_view_if_needed()
    screenshot(editor, "03-submit-asks-for-a-reason-1280")

    reason_field.locator("textarea").fill(REASON)
    action_menu(editor, "Submit to Clinical review")
    expect(editor.locator(".messages")).to_contain_text("clinical review")
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.workflow_in_progress
    assert page.current_workflow_task_state.revision.as_object().promotion_reason == REASON

    # The clinician opening it sees what was flagged and why the editor kept it.
    clinician = log_in(chromium, server, "clinician")
    clinician.goto(f"{server.url}/admin/pages/{page.pk}/edit/")
    checks = clinician.locator("[data-health-checks-result]")
    expect(checks).to_contain_text("The editor's reason: " + REASON)
    checks.scroll_into_view_if_needed()
    screenshot(clinician, "04-clinician-sees-the-reason-1280")
