"""A day of editing, reviewing and signing off, in a real browser with the demo logins.

1. The demo editor writes an expert answer from scratch: the question, the short answer, a body
   with a heading, a paragraph, a list, a warning callout, the urgent-care card and an image
   uploaded through the image chooser with its alt text, tags, the answering expert and the
   recorded answer (each of those two found by typing in its chooser's search box). They preview
   it, save it once and submit it to the Clinical review workflow.
2. The demo clinician sees it on the dashboard ("Awaiting your review"), previews it, opens it from
   the e-mail that told them of it, looks at what there is to review (the status side panel's
   comparison: here the whole page, as nothing of it was ever approved) and approves it with a note.
3. The demo moderator signs it off through the dialog that says this publishes the page; readers
   see it "Medically reviewed by" the clinician.
4. The dashboard's search box, the admin search, the explorer's search and the image chooser's
   search find the new page and image as they are typed.

On another answer, reviewed before: the editor changes its short answer and submits it; the
clinician compares it with the approved version, leaves an inline comment on the field, saves it
and requests changes; the editor sees both, makes the change, resolves the comment, saves and
resubmits; the clinician approves it.

A clinician who saves an inline comment and then approves passes the page on to the moderators
(the comment changes nothing a reader sees, so the approval stands). A resolved comment survives
the next save (Wagtail's form no longer holds it; core.models keep_resolved_comments).

Each main step is saved as a screenshot at 1280 and at 390 px wide under test-artifacts/.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
import wagtail_factories
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from playwright.sync_api import expect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Comment, TaskState
from wagtail.rich_text import RichText

from articles.factories import QuestionPageFactory
from articles.models import QuestionIndexPage, QuestionPage
from articles.tests.test_review_in_browser import action_menu, sign_off_in_the_dialog
from articles.workflow import ClinicalReviewTaskState
from experts.models import ExpertPage

pytestmark = pytest.mark.browser

User = get_user_model()

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

QUESTION = "Can I sit at a desk all day with a herniated disc?"
SLUG = "can-i-sit-at-a-desk-all-day-with-a-herniated-disc"
SHORT_ANSWER = "Yes, if you stand up and walk around every half hour."
HEADING = "How often to stand up"
PARAGRAPH = "Stand up and walk for a few minutes every 30 minutes."
LIST_ITEM = "Keep both feet flat on the floor"
WARNING = "Stop and get checked if sitting makes your leg numb."
IMAGE_TITLE = "Desk posture diagram"
ALT_TEXT = "A person sitting upright at a desk, both feet flat on the floor"
RECORDING = "Qiu Xiang Zhong on desk work, recording"
CLINICIAN_EMAIL = "clinician@example.com"
EXPERT = "Qiu Xiang Zhong"  # the clinician (Dr Su Zhen Bo) is not its author, so may approve it

REVIEWED_SLUG = "is-a-herniated-lumbar-disc-serious"  # answered by Na Hong Wei
REVISED_SUMMARY = "Usually not: most bulging discs get better without surgery within a few weeks."
INLINE_COMMENT = "Say which symptoms mean it is serious after all."
CHANGES = "Name the red-flag symptoms in the short answer."
FIXED_SUMMARY = (
    "Usually not: most bulging discs get better without surgery. "
    "Numb buttocks or trouble passing urine mean it is an emergency."
)


# ---------------------------------------------------------------- set-up


@pytest.fixture
def demo_site(seeded_live_server, settings, tmp_path):
    """The seeded site with the demo logins, and a media library that already holds an older photo
    and two recordings (so that a search that lists everything is told from one that filters)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The test server answers each request in its own thread; on SQLite they share one connection,
    # so requests the editor's page sends by itself on a timer (autosave, "who else is editing"
    # pings) could overlap a step's own requests and break each other's transactions. So people
    # save with the Save button here, and the pings come only when a page opens and closes.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL = 10 * 60 * 1000
    call_command("create_demo_users", verbosity=0)
    root = Collection.get_first_root_node()
    wagtail_factories.ImageFactory(title="Knee brace photo", collection=root, file__width=20, file__height=20)
    Document = get_document_model()
    for title, name in [(RECORDING, "desk-work.mp3"), ("Wang Fei on massage, recording", "massage.mp3")]:
        Document.objects.create(title=title, collection=root, file=ContentFile(b"ID3\x03\x00", name=name))
    return seeded_live_server


@pytest.fixture
def diagram(tmp_path):
    """A small PNG on the editor's disk, to upload."""
    path = tmp_path / "desk-posture.png"
    PILImage.new("RGB", (120, 80), (40, 110, 160)).save(path)
    return path


# ---------------------------------------------------------------- helpers


def both_widths(page, screenshot, name):
    """Screenshots of the page as it stands at 1280 px, then at 390 px (a phone); back to 1280 after."""
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def at_the_top(page):
    page.evaluate("window.scrollTo(0, 0)")
    return page


def body_field(page):
    return page.locator("#panel-child-content-body-content")


def add_block(page, label):
    """Append a block of the body through the last "Insert a block" button; returns its form index."""
    inserts = body_field(page).locator("[data-streamfield-stream-container] > div > button.c-sf-add-button")
    count = inserts.count()
    inserts.last.click()
    page.locator("[data-tippy-root]:not([hidden])").get_by_text(label, exact=True).click()
    expect(inserts).to_have_count(count + 1)  # the block and the insert button after it are in place
    return count - 1


def type_rich_text(page, name, text):
    """Type into the rich text editor whose value is kept in the hidden input `name`, and wait until
    the editor has stored it there (it does so a moment after typing)."""
    page.locator(f"xpath=//input[@name='{name}']/..").locator("[contenteditable=true]").click()
    page.keyboard.type(text)
    expect(page.locator(f"input[name='{name}']")).to_have_value(re.compile(re.escape(text)))


def open_chooser(page, button):
    """Click a chooser's button and wait until its dialog has opened, i.e. taken the focus (which it
    does once it has faded in, from whatever had it); returns the dialog."""
    button.click()
    expect(page.locator("div.modal.in")).to_be_focused()
    return page.locator(".modal-dialog")


def search_in(chooser, text):
    """Type into the chooser's search box, key by key, as its search listens for."""
    chooser.locator("#id_q").press_sequentially(text)


def open_side_panel(page, name):
    toggle = page.locator(f"[data-side-panel-toggle='{name}']")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def save_draft(page, server, page_object):
    """Click Save draft and wait until the editor has reloaded, saying so."""
    page.locator("footer").get_by_role("button", name="Save draft", exact=True).click()
    page.wait_for_url(edit_url(server, page_object))
    expect(page.locator(".messages")).to_contain_text(f"Page '{page_object.title}' has been updated.")


def comment_on(page, field, text):
    """Leave an inline comment on a field of the Content tab: the comment button beside it, the
    text, Comment. (It is kept once the page is saved.)"""
    open_side_panel(page, "comments")
    page.locator(f"#panel-child-content-{field}-section button[data-comment-add]").click()
    new_comment = page.locator("#comments li.comment--mode-creating")
    new_comment.locator("textarea").fill(text)
    new_comment.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments li.comment", has_text=text)).to_be_visible()


def resolve(page, text):
    """Resolve the inline comment that reads `text`, from its menu. (Kept once the page is saved.)"""
    open_side_panel(page, "comments")
    thread = page.locator("#comments li.comment", has_text=text)
    thread.click()
    # The menu is a <details>. The thread, once it has focus, slides beside its field and re-renders; a
    # click on its summary meanwhile can leave the menu shut (it did once in CI, with both cores busy),
    # so the summary is clicked again until the menu is open.
    summary, menu = thread.locator("details summary"), thread.locator("details[open]")
    for _attempt in range(3):
        summary.click()
        try:
            expect(menu).to_have_count(1, timeout=3_000)
            break
        except AssertionError:
            continue
    menu.get_by_role("menuitem", name="Resolve").click()
    expect(page.locator("#comments li.comment", has_text=text)).to_have_count(0)


def edit_url(server, page):
    return f"{server.url}/admin/pages/{page.pk}/edit/"


def listing_url(page):
    return re.compile(rf"/admin/pages/{page.get_parent().pk}/$")


# ---------------------------------------------------------------- 1-4: a new answer


def write_the_answer(editor, server, screenshot, diagram):
    """Journey 1: the editor writes the answer, searching the choosers by typing, and previews it."""
    index = QuestionIndexPage.objects.get()
    editor.goto(f"{server.url}/admin/pages/add/articles/questionpage/{index.pk}/")
    editor.locator("#id_title").press_sequentially(QUESTION)

    # The answering expert: typing narrows the page chooser to the expert, who is then picked.
    content = editor.locator("#tab-content")
    chooser = open_chooser(editor, content.get_by_text("Choose a page (Expert)"))
    expect(chooser.get_by_role("link", name="Wang Fei", exact=True)).to_be_visible()  # every expert, at first
    search_in(chooser, "Qiu")
    expect(chooser.get_by_role("link", name="Wang Fei", exact=True)).to_have_count(0)
    expect(chooser.get_by_role("link", name=EXPERT, exact=True)).to_be_visible()
    both_widths(editor, screenshot, "01-expert-chooser-search")
    chooser.get_by_role("link", name=EXPERT, exact=True).click()
    expect(chooser).to_be_hidden()
    expect(content.locator("#panel-child-content-author-section")).to_contain_text(EXPERT)

    editor.fill("#id_summary", SHORT_ANSWER)

    # The body, block by block.
    block = add_block(editor, "Heading")
    editor.fill(f"[name='body-{block}-value-text']", HEADING)
    block = add_block(editor, "Paragraph")
    type_rich_text(editor, f"body-{block}-value", PARAGRAPH)
    block = add_block(editor, "List")
    type_rich_text(editor, f"body-{block}-value-items-0-value", LIST_ITEM)
    block = add_block(editor, "Callout")
    editor.select_option(f"[name='body-{block}-value-kind']", "warning")
    type_rich_text(editor, f"body-{block}-value-text", WARNING)
    add_block(editor, "Urgent-care card")

    # The image: not in the library yet (the search says so), so uploaded from the chooser, with alt text.
    block = add_block(editor, "Image")
    chooser = open_chooser(editor, body_field(editor).get_by_role("button", name="Choose an image"))
    expect(chooser.locator("#search-results")).to_contain_text("Knee brace photo")  # the library as it is
    search_in(chooser, "desk posture")
    expect(chooser.locator("#search-results")).to_contain_text('Sorry, there are no matches for "desk posture"')
    chooser.get_by_role("tab", name="Upload").click()
    chooser.locator("#id_image-chooser-upload-file").set_input_files(diagram)
    chooser.locator("#id_image-chooser-upload-title").fill(IMAGE_TITLE)
    chooser.locator("#id_image-chooser-upload-description").fill(ALT_TEXT)
    both_widths(editor, screenshot, "02-image-upload")
    chooser.get_by_role("button", name="Upload").click()
    expect(chooser).to_be_hidden()
    expect(editor.locator(f"#body-{block}-value-image")).to_have_value(re.compile(r"^\d+$"))
    expect(body_field(editor)).to_contain_text(IMAGE_TITLE)
    editor.fill(f"[name='body-{block}-value-alt_text']", ALT_TEXT)
    editor.fill(f"[name='body-{block}-value-caption']", "Sit upright, screen at eye level.")

    tags = editor.locator("#panel-child-content-tags-content .tagit-new input")
    for tag in ["Treatment", "Posture"]:
        tags.fill(tag)
        tags.press("Enter")

    # The recorded answer, on the provenance tab: typing narrows the document chooser to it.
    editor.click("#tab-label-author_source_sponsorship")
    provenance = editor.locator("#tab-author_source_sponsorship")
    chooser = open_chooser(editor, provenance.get_by_role("button", name="Choose a document"))
    expect(chooser.get_by_role("link", name="Wang Fei on massage, recording")).to_be_visible()
    search_in(chooser, "desk")
    expect(chooser.get_by_role("link", name="Wang Fei on massage, recording")).to_have_count(0)
    both_widths(editor, screenshot, "03-document-chooser-search")
    chooser.get_by_role("link", name=RECORDING).click()
    expect(chooser).to_be_hidden()
    expect(provenance).to_contain_text(RECORDING)
    editor.fill("#id_audio_duration", "1min 10sec")
    editor.click("#tab-label-content")

    # The preview side panel shows the page as readers will see it.
    open_side_panel(editor, "preview")
    preview = editor.frame_locator("#w-preview-iframe")
    expect(preview.locator("h1")).to_have_text(QUESTION)
    expect(preview.get_by_text(WARNING)).to_be_visible()
    expect(preview.get_by_role("img", name=ALT_TEXT)).to_be_visible()
    both_widths(at_the_top(editor), screenshot, "04-editor-previews")
    editor.locator("[data-side-panel-toggle='preview']").click()


def test_an_answer_from_first_draft_to_medically_reviewed(demo_site, chromium, sign_in, screenshot, diagram):
    server = demo_site

    # 1. The editor writes the answer, previews it, saves it once and submits it.
    editor = sign_in("editor")
    write_the_answer(editor, server, screenshot, diagram)
    editor.locator("footer").get_by_role("button", name="Save draft", exact=True).click()
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.locator(".messages")).to_contain_text(f"Page '{QUESTION}' created.")  # the first save
    expect(editor.locator(".error-message")).to_have_count(0)
    page = QuestionPage.objects.get(title=QUESTION)  # exactly one
    assert page.slug == SLUG
    assert not page.live
    draft = page.get_latest_revision_as_object()
    assert [block.block_type for block in draft.body] == [
        "heading",
        "paragraph",
        "list",
        "callout",
        "urgent_care",
        "image",
    ]
    heading, paragraph, bullets, callout, _urgent, image = (block.value for block in draft.body)
    assert heading["text"] == HEADING
    assert PARAGRAPH in paragraph.source
    assert LIST_ITEM in bullets["items"][0].source
    assert callout["kind"] == "warning"
    assert WARNING in callout["text"].source
    uploaded = get_image_model().objects.get(title=IMAGE_TITLE)
    assert uploaded.description == ALT_TEXT
    assert (image["image"], image["alt_text"]) == (uploaded, ALT_TEXT)
    assert sorted(tag.name for tag in draft.tags.all()) == ["Posture", "Treatment"]
    assert draft.author.title == EXPERT
    assert draft.audio.title == RECORDING
    both_widths(at_the_top(editor), screenshot, "05-editor-saved")

    action_menu(editor, "Submit to Clinical review")
    editor.wait_for_url(listing_url(page))
    expect(editor.locator(".messages")).to_contain_text(
        "Submitted for review. The page now waits for a clinical reviewer"
    )
    page.refresh_from_db()
    assert page.workflow_in_progress
    both_widths(editor, screenshot, "06-editor-submitted")

    # 2. The clinician finds it on the dashboard, previews it, opens what there is to review, approves.
    clinician = sign_in("clinician")
    waiting = clinician.locator("section", has_text="Awaiting your review")
    expect(waiting.get_by_text(QUESTION)).to_be_visible()
    both_widths(clinician, screenshot, "07-clinician-dashboard")
    # (The seeded pages wait there too, for their first review: this answer's own row.)
    row = waiting.locator("tr", has_text=QUESTION)
    clinician.goto(server.url + row.locator("a", has_text="Preview").get_attribute("href"))
    expect(clinician.locator("h1")).to_have_text(QUESTION)
    expect(clinician.get_by_text(WARNING)).to_be_visible()

    # The clinician opens the editor from the e-mail that told them of the review.
    told = [m for m in mail.outbox if m.subject == f"Clinical review needed: {QUESTION}" and m.to == [CLINICIAN_EMAIL]]
    assert len(told) == 1
    editor_link = re.search(r"Open it in the editor to approve it or request changes: (\S+)", told[0].body)[1]
    assert urlsplit(editor_link).path == f"/admin/pages/{page.pk}/edit/"
    clinician.goto(server.url + urlsplit(editor_link).path)
    expect(clinician.locator("[data-review-status]")).to_contain_text("In clinical review")
    open_side_panel(clinician, "status")
    clinician.locator("[data-review-changes]").click()
    # Nothing of this page was ever approved: the comparison is the whole page under review.
    revision = page.current_workflow_task_state.revision_id
    clinician.wait_for_url(f"{server.url}/admin/pages/{page.pk}/revisions/{revision}/view/")
    expect(clinician.locator("h1")).to_contain_text(QUESTION)
    expect(clinician.get_by_text(WARNING)).to_be_visible()
    both_widths(clinician, screenshot, "08-clinician-reviews-whole-page")

    clinician.goto(edit_url(server, page))
    action_menu(clinician, "Approve clinical review")
    modal = clinician.locator(".modal-dialog")
    modal.locator("textarea").fill("Accurate and safe. The red flags are right.")
    both_widths(clinician, screenshot, "09-clinician-approves")
    modal.get_by_role("button", name="Approve clinical review").click()
    clinician.wait_for_url(listing_url(page))
    expect(clinician.locator(".messages")).to_contain_text("Approved. The page now waits for a moderator's sign-off.")
    approval = ClinicalReviewTaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_APPROVED
    )
    assert approval.reviewer.slug == "su-zhen-bo"
    assert approval.comment == "Accurate and safe. The red flags are right."
    assert not QuestionPage.objects.get(pk=page.pk).live

    # 3. The moderator signs off after the dialog that says it publishes; readers see the review.
    moderator = sign_in("moderator")
    sign_off_in_the_dialog(
        moderator,
        edit_url(server, page),
        page,
        listing_url(page),
        while_asking=lambda moderator: both_widths(moderator, screenshot, "10-moderator-confirms"),
    )
    page.refresh_from_db()
    assert page.live
    assert page.reviewed_by.slug == "su-zhen-bo"
    assert page.last_reviewed_on == timezone.localdate()

    reader = chromium.new_context(viewport=DESKTOP).new_page()  # not signed in
    try:
        reader.goto(f"{server.url}/questions/{SLUG}/")
        review = reader.locator(".review-record")
        expect(review).to_contain_text(
            re.compile(
                rf"Medically reviewed by Dr Su Zhen Bo, .*Orthopedics · Last reviewed "
                rf"{timezone.localdate():%-d %b %Y} · Next review due"
            )
        )
        expect(reader.get_by_role("img", name=ALT_TEXT)).to_be_visible()
        expect(reader.get_by_text(WARNING)).to_be_visible()
        expect(reader.get_by_role("heading", name=HEADING)).to_be_visible()
        both_widths(reader, screenshot, "11-reader-sees-medically-reviewed")
        review.get_by_role("link", name=re.compile("Dr Su Zhen Bo")).click()
        reader.wait_for_url(f"{server.url}/experts/su-zhen-bo/")
        expect(reader.get_by_role("link", name=QUESTION).first).to_be_visible()
    finally:
        reader.context.close()

    # 4. The searches find the new page and image as they are typed.
    other = "Is a herniated lumbar disc serious?"
    editor.goto(server.url + "/admin/")
    dashboard_search = editor.get_by_placeholder("Search all pages…")
    dashboard_search.press_sequentially("desk all day")
    dashboard_search.press("Enter")
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/\?q=desk"))
    expect(editor.locator("main").get_by_role("link", name=QUESTION)).to_be_visible()
    expect(editor.locator("main").get_by_role("link", name=other)).to_have_count(0)
    both_widths(editor, screenshot, "12-dashboard-search")

    editor.goto(server.url + "/admin/")
    sidebar_toggle = editor.get_by_role("button", name="Toggle sidebar")
    if sidebar_toggle.get_attribute("aria-expanded") != "true":  # folded away at phone width before
        sidebar_toggle.click()
    sidebar_search = editor.locator("#menu-search-q")
    expect(sidebar_search).to_be_visible()
    sidebar_search.press_sequentially("sit at a desk")
    sidebar_search.press("Enter")
    editor.wait_for_url(re.compile(r"/admin/pages/search/\?q=sit"))
    expect(editor.locator("main").get_by_role("link", name=QUESTION)).to_be_visible()
    expect(editor.locator("main").get_by_role("link", name=other)).to_have_count(0)
    both_widths(editor, screenshot, "13-admin-search")

    editor.goto(f"{server.url}/admin/pages/{page.get_parent().pk}/")
    listing = editor.locator("main table")
    expect(listing.get_by_role("link", name=other)).to_be_visible()
    editor.locator("#id_q").press_sequentially("desk")
    expect(listing.get_by_role("link", name=other)).to_have_count(0)
    expect(listing.get_by_role("link", name=QUESTION)).to_be_visible()
    both_widths(editor, screenshot, "14-explorer-search")

    # The next answer: yesterday's diagram is found by typing in the image chooser.
    editor.goto(f"{server.url}/admin/pages/add/articles/questionpage/{page.get_parent().pk}/")
    add_block(editor, "Image")
    chooser = open_chooser(editor, body_field(editor).get_by_role("button", name="Choose an image"))
    expect(chooser.locator("#search-results")).to_contain_text("Knee brace photo")
    search_in(chooser, "posture")
    expect(chooser.locator("#search-results")).not_to_contain_text("Knee brace photo")
    expect(chooser.locator("#search-results").get_by_text(IMAGE_TITLE)).to_be_visible()
    both_widths(editor, screenshot, "15-image-chooser-search")


# ---------------------------------------------------------------- changes requested on a reviewed answer


@pytest.fixture
def reviewed_answer(demo_site):
    """A live answer that a clinician approved 200 days ago (its review record set as approval sets it):
    reviewed, it is no longer in the first review the seed started for it."""
    QuestionPage.objects.get(slug=REVIEWED_SLUG).current_workflow_state.cancel(user=None)
    today = timezone.localdate()
    reviewer = ExpertPage.objects.get(slug="chen-jian")
    QuestionPage.objects.filter(slug=REVIEWED_SLUG).update(
        last_reviewed_on=today - datetime.timedelta(days=200),
        reviewed_by=reviewer,
        reviewer_credit=reviewer.display_name,
        next_review_due=today + datetime.timedelta(days=165),
    )
    return QuestionPage.objects.get(slug=REVIEWED_SLUG)


def test_a_reviewed_answer_goes_back_for_changes_then_is_approved(demo_site, reviewed_answer, sign_in, screenshot):
    server, page = demo_site, reviewed_answer
    title = page.title

    # The editor rewrites the short answer and submits it.
    editor = sign_in("editor")
    editor.goto(edit_url(server, page))
    editor.fill("#id_summary", REVISED_SUMMARY)
    action_menu(editor, "Submit to Clinical review")
    editor.wait_for_url(listing_url(page))
    expect(editor.locator(".messages")).to_contain_text("Submitted for review.")

    # The clinician compares it with the approved (live) version: the short answer changed.
    clinician = sign_in("clinician")
    clinician.goto(edit_url(server, page))
    open_side_panel(clinician, "status")
    clinician.locator("[data-review-changes]").click()
    page.refresh_from_db()
    compare = reverse(
        "wagtailadmin_pages:revisions_compare",
        args=[page.pk, page.live_revision_id, page.current_workflow_task_state.revision_id],
    )
    clinician.wait_for_url(server.url + compare)
    expect(clinician.locator(".addition", has_text="within a few weeks")).to_be_visible()
    expect(clinician.locator(".deletion").first).to_be_visible()
    both_widths(clinician, screenshot, "01-compare-with-approved")

    # An inline comment on the short answer, saved with the draft.
    clinician.goto(edit_url(server, page))
    comment_on(clinician, "summary", INLINE_COMMENT)
    both_widths(clinician, screenshot, "02-clinician-comments-inline")
    save_draft(clinician, server, page)
    comment = Comment.objects.get(page=page)
    assert (comment.text, comment.contentpath, comment.user.username) == (INLINE_COMMENT, "summary", "clinician")
    assert comment.resolved_at is None

    # Changes requested: a request without a word is refused, then sent with one.
    action_menu(clinician, "Request changes")
    modal = clinician.locator(".modal-dialog")
    modal.get_by_role("button", name="Request changes").click()
    expect(modal.get_by_text("Say what needs to change, so that the author can put it right.")).to_be_visible()
    modal.locator("textarea").fill(CHANGES)
    both_widths(clinician, screenshot, "03-clinician-requests-changes")
    modal.get_by_role("button", name="Request changes").click()
    clinician.wait_for_url(listing_url(page))
    expect(clinician.locator(".messages")).to_contain_text("Changes requested; the author has been told.")
    told = [message for message in mail.outbox if message.subject == f"Changes requested: {title}"]
    assert told
    assert CHANGES in told[0].body

    # The editor sees the request and the inline comment, makes the change, resolves the comment,
    # saves and resubmits.
    editor.goto(edit_url(server, page))
    expect(editor.locator("[data-review-status]")).to_contain_text("Changes requested")
    expect(editor.get_by_text(f"requested changes at the Clinical review step: “{CHANGES}”")).to_be_visible()
    open_side_panel(editor, "comments")
    thread = editor.locator("#comments li.comment", has_text=INLINE_COMMENT)
    expect(thread).to_be_visible()
    both_widths(at_the_top(editor), screenshot, "04-editor-sees-request-and-comment")
    editor.fill("#id_summary", FIXED_SUMMARY)
    resolve(editor, INLINE_COMMENT)
    save_draft(editor, server, page)
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    assert comment.resolved_by.username == "editor"
    action_menu(editor, "Resubmit to Clinical review")
    editor.wait_for_url(listing_url(page))
    expect(editor.locator(".messages")).to_contain_text("Resubmitted.")
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().summary == FIXED_SUMMARY

    # The clinician approves the fixed answer; it waits for a moderator.
    clinician.goto(edit_url(server, page))
    action_menu(clinician, "Approve clinical review")
    clinician.locator(".modal-dialog").get_by_role("button", name="Approve clinical review").click()
    clinician.wait_for_url(listing_url(page))
    expect(clinician.locator(".messages")).to_contain_text("Approved. The page now waits for a moderator's sign-off.")
    both_widths(clinician, screenshot, "05-approved-awaiting-sign-off")
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.live
    assert page.summary != FIXED_SUMMARY  # readers still see the approved version until sign-off


# ---------------------------------------------------------------- an inline comment, then approval


def draft_answer(editor, title, slug, summary):
    """A draft answer by `editor`, never published, with one paragraph."""
    return QuestionPageFactory(
        parent=QuestionIndexPage.objects.get(),
        title=title,
        slug=slug,
        summary=summary,
        author=ExpertPage.objects.get(slug="wang-fei"),
        live=False,
        first_published_at=None,
        last_published_at=None,
        owner=editor,
        body=[("paragraph", RichText('<p data-block-key="s1w2m">Start with short, easy sessions.</p>'))],
    )


@pytest.fixture
def answer_in_review(demo_site):
    """A new answer by the demo editor, submitted to the Clinical review workflow."""
    editor = User.objects.get(username="editor")
    page = draft_answer(
        editor, "Can I swim with a herniated disc?", "can-i-swim", "Yes: swimming is gentle on the back."
    )
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    return page


def test_a_clinician_who_comments_inline_then_approves_passes_the_page_to_the_moderators(
    demo_site, answer_in_review, sign_in, screenshot
):
    server, page = demo_site, answer_in_review
    clinician = sign_in("clinician")
    clinician.goto(edit_url(server, page))
    comment_on(clinician, "summary", "Good. Maybe say how long a first swim should be.")
    save_draft(clinician, server, page)
    assert Comment.objects.filter(page=page, user__username="clinician").exists()

    action_menu(clinician, "Approve clinical review")
    clinician.locator(".modal-dialog").get_by_role("button", name="Approve clinical review").click()
    clinician.wait_for_url(listing_url(page))
    both_widths(clinician, screenshot, "01-after-approving")
    expect(clinician.locator(".messages")).to_contain_text("Approved. The page now waits for a moderator's sign-off.")


# ---------------------------------------------------------------- a resolved comment, then another save


@pytest.fixture
def draft_with_a_comment(demo_site):
    """A draft answer by the demo editor, with the demo clinician's inline comment on its short answer."""
    editor = User.objects.get(username="editor")
    page = draft_answer(
        editor, "Can I ride a bike with a herniated disc?", "can-i-ride-a-bike", "Often yes, on an upright bike."
    )
    revision = page.save_revision(user=editor)
    Comment.objects.create(
        page=page,
        user=User.objects.get(username="clinician"),
        text=INLINE_COMMENT,
        contentpath="summary",
        revision_created=revision,
    )
    return page


def test_a_resolved_comment_is_kept_when_the_page_is_saved_again(demo_site, draft_with_a_comment, sign_in):
    server, page = demo_site, draft_with_a_comment
    comment = Comment.objects.get(page=page)
    editor = sign_in("editor")
    editor.goto(edit_url(server, page))
    resolve(editor, INLINE_COMMENT)
    save_draft(editor, server, page)
    comment.refresh_from_db()
    assert comment.resolved_at is not None

    editor.fill("#id_summary", "Often yes, on an upright bike; stop if the leg pain comes back.")
    save_draft(editor, server, page)
    assert Comment.objects.filter(pk=comment.pk, resolved_at__isnull=False).exists(), "the resolved comment is gone"
