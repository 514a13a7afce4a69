"""The admin's "Import documents" in a real browser, with the demo logins, on the seeded site.

1. The demo editor opens Import documents from the admin menu and uploads two of the raw sources
   (000, a doctor's Q&A with five other voices; 004, an untitled article with a sponsored ending)
   and an empty text file.
2. The preview shows the six answers of 000 with their authors, 004's article with a proposed
   title and a sponsored block, every piece each file leaves out (in a list to open) and the empty
   file's message; nothing is saved yet.
3. The editor imports: the results link the seven drafts, each in Clinical review.
4. The demo clinician finds them on the dashboard ("Awaiting your review"), opens one and reads where
   it came from (the provenance panel of the "Author, source & sponsorship" tab).

Screenshots of the preview, the results and the clinician's queue, at 1280 and at 390 px wide,
are saved under test-artifacts/.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import ArticlePage, QuestionPage
from discsite.models import PendingImport
from discsite.tests.test_accessibility import AXE, WCAG_22_AA

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
DOCTOR_QA = next(SOURCES.glob("000_*.txt"))
UNTITLED_ARTICLE = next(SOURCES.glob("004_*.txt"))
AUTHORS_OF_000 = ["Wang Fei", "Na Hong Wei", "Wang Cheng Lin", "Qiu Xiang Zhong", "Su Zhen Bo", "Lv Yao"]


@pytest.fixture
def demo_site(seeded_live_server, settings):
    # As in the editor's day: on SQLite the live server's threads share one connection, so the
    # editor's timed pings must not overlap the steps' own requests.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL = 10 * 60 * 1000
    call_command("create_demo_users", verbosity=0)
    return seeded_live_server


TO_THE_TOP = "() => document.querySelectorAll('*').forEach((el) => { if (el.scrollTop) el.scrollTop = 0; })"
CONTENT_HEIGHT = "() => Math.max(...[...document.querySelectorAll('body, body *')].map((el) => el.scrollHeight))"


def whole_page(page, screenshot, name, size):
    """A screenshot of the whole screen at `size`'s width: the admin scrolls inside its own panes,
    so the window is made as tall as their content (up to 9000 px) for the picture."""
    page.set_viewport_size(size)
    height = min(max(page.evaluate(CONTENT_HEIGHT), size["height"]), 9000)
    page.set_viewport_size({"width": size["width"], "height": height})
    page.evaluate(TO_THE_TOP)
    screenshot(page, name)
    page.set_viewport_size(size)


def both_widths(page, screenshot, name):
    """Whole-screen screenshots at 1280 px, then at 390 px (where nothing may stick out sideways)."""
    whole_page(page, screenshot, f"{name}-1280", DESKTOP)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 390 px"
    whole_page(page, screenshot, f"{name}-390", PHONE)
    page.set_viewport_size(DESKTOP)


# axe-core over the screen's own content (Wagtail's menus and header are Wagtail's to answer for).
RUN_AXE_ON_IMPORT = """async (tags) => {
    const results = await axe.run(".discsite-import", {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return results.violations.map((rule) => `${rule.id}: ${rule.help} (${rule.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}"""


def assert_accessible(page, where):
    """No WCAG 2.2 AA violation in the import screen's content, with every <details> open."""
    page.evaluate("document.querySelectorAll('.discsite-import details').forEach((d) => { d.open = true; })")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE_ON_IMPORT, WCAG_22_AA)
    assert violations == [], f"{where}: " + "; ".join(violations)


def health_pages():
    return [*QuestionPage.objects.order_by("pk"), *ArticlePage.objects.order_by("pk")]


def test_an_editor_imports_documents_and_the_clinician_finds_them_to_review(demo_site, sign_in, screenshot, tmp_path):
    server = demo_site
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    before = {page.pk for page in health_pages()}

    # 1. The editor opens the screen from the menu and uploads three files.
    editor = sign_in("editor")
    editor.get_by_role("link", name="Import documents").click()
    editor.wait_for_url(f"{server.url}/admin/import-documents/")
    expect(editor.get_by_text("Up to 20 files at a time, each at most 5 MB")).to_be_visible()
    editor.get_by_role("button", name="Upload and preview").click()  # no file chosen yet
    expect(editor.locator("[data-error-summary]")).to_contain_text("Choose at least one file to import.")
    assert_accessible(editor, "the upload form with its error")
    both_widths(editor, screenshot, "00-upload-error")
    editor.get_by_label("Files to import").set_input_files([DOCTOR_QA, UNTITLED_ARTICLE, empty])
    editor.get_by_role("button", name="Upload and preview").click()
    editor.wait_for_url(f"{server.url}/admin/import-documents/preview/")

    # 2. The preview: nothing saved, each file's pages, what each leaves out, the empty file's message.
    expect(editor.locator("[data-import-summary]")).to_contain_text("Nothing has been saved yet.")
    expect(editor.locator("[data-import-summary]")).to_contain_text("2 ready to import, 7 draft pages; 1 refused")
    doctor_qa = editor.locator("section", has=editor.get_by_role("heading", name=DOCTOR_QA.name))
    expect(doctor_qa.locator("[data-draft-page]")).to_have_count(6)
    for author in AUTHORS_OF_000:
        expect(doctor_qa.locator("[data-draft-page]", has_text=author).first).to_be_visible()
    expect(doctor_qa.get_by_text("Expert answer (Q&A)").first).to_be_visible()
    article = editor.locator("section", has=editor.get_by_role("heading", name=UNTITLED_ARTICLE.name))
    expect(article.locator("[data-draft-page]")).to_have_count(1)
    expect(article.locator("[data-proposed-title]")).to_have_text("Proposed title")
    expect(article.locator("[data-sponsored]")).to_contain_text("Yes")
    expect(article.get_by_text(re.compile(r"\bsponsored block\b"))).to_be_visible()
    dropped = doctor_qa.locator("[data-dropped]")
    dropped.locator("summary").click()
    expect(dropped.get_by_text("doctor image").first).to_be_visible()
    refused = editor.locator("section", has=editor.get_by_role("heading", name="empty.txt"))
    expect(refused.get_by_text("Refused", exact=True)).to_be_visible()
    expect(refused).to_contain_text("empty.txt is empty: there is nothing to import.")
    expect(refused.locator("input[name=pending]")).to_have_count(0)
    assert PendingImport.objects.count() == 3
    assert {page.pk for page in health_pages()} == before
    both_widths(editor, screenshot, "01-preview")
    assert_accessible(editor, "the preview")
    article_title = article.locator("[data-draft-page] h3").inner_text().replace("Proposed title", "").strip()

    # 3. Import: seven drafts, each linked, each in Clinical review; nothing live.
    editor.get_by_role("button", name="Import", exact=True).click()
    editor.wait_for_url(f"{server.url}/admin/import-documents/import/")
    expect(editor.locator("[data-import-summary]")).to_contain_text("7 draft pages imported.")
    expect(editor.locator("[data-import-summary]")).to_contain_text("Awaiting your review")
    expect(editor.locator("[data-imported-page]")).to_have_count(7)
    expect(editor.get_by_text("Draft, in Clinical review")).to_have_count(7)
    both_widths(editor, screenshot, "02-imported")
    assert_accessible(editor, "the results")
    pages = [page for page in health_pages() if page.pk not in before]
    assert len(pages) == 7
    assert not any(page.live for page in pages)
    assert all(page.current_workflow_task.name == "Clinical review" for page in pages)
    assert not PendingImport.objects.exists()
    [imported_article] = [page for page in pages if isinstance(page, ArticlePage)]
    assert imported_article.title == article_title

    # 4. The clinician's queue on the dashboard, and the provenance of the article.
    clinician = sign_in("clinician")
    waiting = clinician.locator("section", has_text="Awaiting your review")
    for page in pages:
        expect(waiting.locator(f"a[href='/admin/pages/{page.pk}/edit/']").first).to_be_visible()
    both_widths(clinician, screenshot, "03-clinician-queue")
    waiting.locator(f"a[href='/admin/pages/{imported_article.pk}/edit/']").first.click()
    clinician.wait_for_url(f"{server.url}/admin/pages/{imported_article.pk}/edit/")
    expect(clinician.locator("[data-review-status]")).to_contain_text("In clinical review")
    clinician.get_by_role("tab", name="Author, source & sponsorship").click()
    record = clinician.locator("[data-import-record]")
    expect(record).to_be_visible()
    expect(record).to_contain_text(UNTITLED_ARTICLE.name)
    expect(record).to_contain_text("editor")
    both_widths(clinician, screenshot, "04-clinician-provenance")
