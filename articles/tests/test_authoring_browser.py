"""A new editor's first expert answer, in a real browser with the demo logins.

The editor types the question, the short answer and a paragraph, chooses the answering expert
(on the Content tab, where they start) and saves once: the page is created, its slug made from
the question as it was typed. And when a save does fail, the error is shown at its field and
the tab holding it is marked. Screenshots at 1280 and 390 px go to test-artifacts/.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import QuestionIndexPage, QuestionPage
from articles.tests.test_review_in_browser import add_block, log_in

pytestmark = pytest.mark.browser

QUESTION = "Can I drive with a slipped disc?"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo_site(seeded_live_server):
    call_command("create_demo_users", verbosity=0)
    return seeded_live_server


def start_an_answer(editor, server):
    index = QuestionIndexPage.objects.get()
    editor.goto(f"{server.url}/admin/pages/add/articles/questionpage/{index.pk}/")
    expect(editor.locator("#tab-label-content")).to_have_attribute("aria-selected", "true")


def type_the_answer(editor, question, expert=None):
    editor.locator("#id_title").press_sequentially(question)  # typed, key by key, as the sync listens for
    editor.locator("#id_summary").fill("Usually yes, once you can turn your head and brake without pain.")
    body = add_block(editor, "Paragraph")
    body.locator("[contenteditable=true]").last.click()
    editor.keyboard.type("Check with your doctor if painkillers make you drowsy.")
    # Draftail stores what was typed in the form's hidden input a moment later (its save interval);
    # a person takes longer than that to reach the Save button, the test waits for it.
    expect(editor.locator('input[name="body-0-value"]')).to_have_value(re.compile("drowsy"))
    if expert:
        content = editor.locator("#tab-content")
        content.get_by_text("Choose a page (Expert)").click()
        chooser = editor.locator(".modal-dialog")
        chooser.get_by_role("link", name=expert, exact=True).click()
        chooser.wait_for(state="hidden")
        expect(content.locator("#panel-child-content-author-section")).to_contain_text(expert)


def at_the_top(editor):
    """Scrolled back to the tabs and the question, for a screenshot."""
    editor.locator("#tab-label-content").scroll_into_view_if_needed()
    editor.evaluate("window.scrollTo(0, 0)")
    return editor


def save_draft(editor):
    editor.locator("footer").get_by_role("button", name="Save draft", exact=True).click()


def test_a_new_editor_saves_an_expert_answer_the_first_time(demo_site, chromium, screenshot):
    server = demo_site
    editor = log_in(chromium, server, "editor")
    start_an_answer(editor, server)

    type_the_answer(editor, QUESTION, expert="Wang Fei")

    expect(editor.locator("#id_slug")).to_have_value("can-i-drive-with-a-slipped-disc")  # on the Promote tab
    screenshot(at_the_top(editor), "01-answer-typed-1280")
    editor.set_viewport_size(PHONE)
    screenshot(at_the_top(editor), "02-answer-typed-390")
    save_draft(editor)  # once

    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.locator(".messages")).to_contain_text("created")
    assert not editor.locator(".error-message").count()
    page = QuestionPage.objects.get(title=QUESTION)
    assert page.slug == "can-i-drive-with-a-slipped-disc"
    assert page.author.title == "Wang Fei"
    assert not page.live
    draft = page.get_latest_revision_as_object()
    assert [block.block_type for block in draft.body] == ["paragraph"]
    assert "Check with your doctor if painkillers make you drowsy." in draft.body[0].value.source
    screenshot(at_the_top(editor), "03-answer-saved-390")
    editor.set_viewport_size({"width": 1280, "height": 900})
    screenshot(at_the_top(editor), "04-answer-saved-1280")


def test_a_failed_save_marks_the_tab_and_the_field_of_each_error(demo_site, chromium, screenshot):
    """A question already answered (its slug is taken) and no expert chosen: two errors, each at its
    field, and each tab holding one says how many."""
    server = demo_site
    taken = QuestionPage.objects.order_by("pk").first()
    editor = log_in(chromium, server, "editor")
    start_an_answer(editor, server)

    type_the_answer(editor, taken.title)
    save_draft(editor)

    expect(editor.locator(".messages")).to_contain_text("could not be created due to validation errors")
    expect(editor.locator("#tab-label-content [data-w-count-target=total]")).to_have_text("1")
    expect(editor.locator("#tab-label-promote [data-w-count-target=total]")).to_have_text("1")
    expect(editor.locator("#panel-child-content-author-section .error-message")).to_have_text(
        "This field is required."
    )
    screenshot(at_the_top(editor), "01-errors-on-content-tab-1280")
    editor.click("#tab-label-promote")
    slug_error = editor.locator("#tab-promote .error-message")
    expect(slug_error).to_contain_text(f"The slug '{taken.slug}' is already in use")
    expect(editor.locator("#tab-promote .w-field--error", has=editor.locator("#id_slug"))).to_be_visible()
    screenshot(editor, "02-slug-error-on-promote-tab-1280")
    editor.set_viewport_size(PHONE)
    editor.click("#tab-label-content")
    screenshot(at_the_top(editor), "03-errors-on-content-tab-390")
    assert not QuestionPage.objects.filter(title=taken.title).exclude(pk=taken.pk).exists()
