"""Accessibility and presentation, proven in Chromium.

- axe-core (vendored in vendor/axe-core, never downloaded at test time) finds no WCAG 2.2 AA
  violation on any public page type, at phone and desktop widths;
- the layout holds from 320px to desktop;
- the keyboard reaches everything in a sensible order, with a focus indicator you can see;
- the urgent-care card is on every health page, near the top on a phone, and never hidden;
- the print stylesheet gives a clean handout.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageChops

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

ANSWER = "/questions/relieve-lower-back-stiffness/"  # the main question, with "Other voices"
REVIEWED_ANSWER = "/questions/massage-therapy-for-lumbar-disc-herniation/"
OVERDUE_ANSWER = "/questions/can-a-herniated-lumbar-disc-cause-leg-pain/"
ARTICLE = "/articles/herniated-discs-and-back-muscle-spasms/"  # sponsored section, references, editors' note
PAGES = {
    "home": "/",
    "answers": "/questions/",
    "articles": "/articles/",
    "topics": "/topics/",
    "experts": "/experts/",
    "answer": ANSWER,
    "reviewed-answer": REVIEWED_ANSWER,
    "overdue-answer": OVERDUE_ANSWER,
    "article": ARTICLE,
    "expert": "/experts/wang-fei/",
    "topic": "/topics/symptoms/",
    "search-results": "/search/?q=disc",
    "search-no-results": "/search/?q=zzqxv",
    "not-found": "/no-such-page/",
}
HEALTH_PAGES = [
    "/questions/is-a-herniated-lumbar-disc-serious/",
    "/questions/symptoms-of-lumbar-disc-herniation/",
    "/questions/lumbar-disc-herniation-symptoms/",
    "/questions/can-a-herniated-lumbar-disc-cause-leg-pain/",
    "/questions/lumbar-disc-herniation-symptom-diagram/",
    "/questions/relieve-lower-back-stiffness/",
    "/questions/massage-therapy-for-lumbar-disc-herniation/",
    "/articles/leg-pain-and-numbness-from-a-herniated-disc/",
    "/articles/lumbar-disc-herniation-and-leg-weakness/",
    "/articles/herniated-discs-and-back-muscle-spasms/",
]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    const summarise = (items) => items.map((rule) => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
    }));
    return {
        violations: summarise(results.violations),
        // Text whose contrast axe could not measure (over a gradient or an image) is not proven either.
        unmeasured_contrast: summarise(results.incomplete.filter((rule) => rule.id === "color-contrast")),
    };
}"""


def review(path, reviewed_on, next_due):
    """Give a seeded page a clinical review record, as a signed-off review would."""
    from articles.models import QuestionPage
    from experts.models import ExpertPage

    slug = path.strip("/").split("/")[-1]
    QuestionPage.objects.filter(slug=slug).update(
        last_reviewed_on=reviewed_on, reviewed_by=ExpertPage.objects.get(slug="su-zhen-bo"), next_review_due=next_due
    )


def readable(problems):
    lines = []
    for where, rule in problems:
        lines.append(f"{where}: {rule['id']} ({rule['impact']}): {rule['help']}")
        lines.extend(f"    {node['target']}\n        {' '.join(node['summary'].split())}" for node in rule["nodes"])
    return "\n".join(lines)


STICKING_OUT = """() => [...document.querySelectorAll("header *, main *, footer *")]
    .filter((el) => { const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1) && !el.closest(".visually-hidden, .table-wrap"); })
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`).slice(0, 5)"""


def assert_fits(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
    # Nothing sticks out either (content cut off by a parent's overflow would not show in scrollWidth).
    sticking_out = page.evaluate(STICKING_OUT)
    assert sticking_out == [], f"{where}: {sticking_out} stick out of the screen"


def test_every_page_type_meets_wcag_2_2_aa_and_fits_from_320px_to_desktop(
    seeded_live_server, browser_page, screenshot
):
    today = timezone.localdate()
    review(REVIEWED_ANSWER, today, today + datetime.timedelta(days=365))
    review(OVERDUE_ANSWER, today - datetime.timedelta(days=400), today - datetime.timedelta(days=35))
    page = browser_page
    problems, checked = [], 0
    for width in (320, 375, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in PAGES.items():
            where = f"{path} at {width}px"
            response = page.goto(seeded_live_server.url + path)
            assert response.status == (404 if name == "not-found" else 200), path
            assert_fits(page, where)
            if width not in (375, 1280):
                continue
            if name == "reviewed-answer":
                assert page.get_by_text("Medically reviewed by").is_visible()
            if name == "overdue-answer":
                assert page.get_by_text("due for its next clinical review").is_visible()
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(RUN_AXE, WCAG_22_AA)
            problems += [(where, rule) for rule in result["violations"]]
            problems += [(f"{where} (contrast not measurable)", rule) for rule in result["unmeasured_contrast"]]
            screenshot(page, f"{name}-{width}")
            checked += 1
    assert checked == 2 * len(PAGES)
    print(f"axe {page.evaluate('axe.version')}: {checked} pages checked, {len(problems)} violations")
    assert not problems, f"{len(problems)} WCAG 2.2 AA violations:\n{readable(problems)}"


# ---------------------------------------------------------------- keyboard

FOCUS_STATE = """async () => {
    // The focus styles apply on the next frames after the key press.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const region = el.closest(".skip-link") ? "skip link"
        : el.closest(".site-header form[role=search]") ? "header search"
        : el.closest(".site-nav") ? "navigation"
        : el.closest(".site-header") ? "header"
        : el.closest(".breadcrumbs") ? "breadcrumbs"
        : el.closest("main") ? "main"
        : el.closest("footer") ? "footer" : "elsewhere";
    const drawn = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2
            && !/rgba\\(.*, 0\\)$/.test(s.outlineColor) && s.outlineColor !== "transparent")
        || s.boxShadow !== "none";
    // A card's title link is the card's only link, and the whole card takes the focus ring.
    const card = el.closest(".card, .expert-card, .topic-card");
    return {
        label: `${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute("aria-label") || el.id || "").trim().slice(0, 40)}"`,
        region,
        indicator: drawn(style) || (card !== null && drawn(getComputedStyle(card))),
        box: {x: rect.x - 8, y: rect.y - 8, width: rect.width + 16, height: rect.height + 16},
        inView: rect.width > 0 && rect.height > 0 && rect.top >= 0 && rect.bottom <= innerHeight
            && rect.left >= 0 && rect.right <= innerWidth,
        scroll: [scrollX, scrollY],
    };
}"""
REGION_ORDER = ["skip link", "header", "header search", "navigation", "breadcrumbs", "main", "footer"]


def clip(box, viewport):
    x, y = max(0, box["x"]), max(0, box["y"])
    return {
        "x": x,
        "y": y,
        "width": min(box["width"], viewport["width"] - x),
        "height": min(box["height"], viewport["height"] - y),
    }


def changed_pixels(before, after):
    red, green, blue = ImageChops.difference(
        Image.open(before).convert("RGB"), Image.open(after).convert("RGB")
    ).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return largest.point(lambda value: 255 if value > 48 else 0).histogram()[255]


def tab_walk(page, stops, folder):
    """Tab through the first stops; for each, its state and how many pixels its focus changed."""
    visited = []
    for number in range(stops):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        state["focused"] = folder / f"{number:02}-focused.png"
        page.screenshot(path=str(state["focused"]), clip=clip(state["box"], page.viewport_size))
        visited.append(state)
    page.evaluate("document.activeElement.blur()")
    for number, state in enumerate(visited):
        page.evaluate("([x, y]) => window.scrollTo(x, y)", state["scroll"])
        unfocused = folder / f"{number:02}-unfocused.png"
        page.screenshot(path=str(unfocused), clip=clip(state["box"], page.viewport_size))
        state["changed"] = changed_pixels(state["focused"], unfocused)
    return visited


def test_keyboard_reaches_everything_in_order_with_a_visible_focus(seeded_live_server, chromium, screenshot, tmp_path):
    for path, width in [(ANSWER, 375), (ANSWER, 1280), ("/", 1280)]:
        context = chromium.new_context(viewport={"width": width, "height": 800}, reduced_motion="reduce")
        page = context.new_page()
        try:
            page.goto(seeded_live_server.url + path)
            folder = tmp_path / f"{width}{path.replace('/', '-')}"
            folder.mkdir()
            visited = tab_walk(page, 15, folder)
            walk = f"Tab stops on {path} at {width}px:\n" + "\n".join(
                f"{s['region']:>13}: {s['label']} ({s['changed']} px changed)" for s in visited
            )
            assert visited[0]["region"] == "skip link", walk
            regions = [state["region"] for state in visited]
            assert [REGION_ORDER.index(r) for r in regions] == sorted(REGION_ORDER.index(r) for r in regions), walk
            for region in ("header", "header search", "navigation", "main"):
                assert region in regions, f"the first 15 stops never reach the {region}:\n{walk}"
            for state in visited:
                assert state["inView"], f"{state['label']} is focused but not on screen:\n{walk}"
                assert state["indicator"], f"{state['label']} has no focus outline or ring:\n{walk}"
                assert state["changed"] >= 100, f"focusing {state['label']} barely changes the screen:\n{walk}"

            # The skip link takes keyboard users past the header: the next stop is in the main content.
            page.goto(seeded_live_server.url + path)
            page.keyboard.press("Tab")
            page.evaluate(FOCUS_STATE)
            screenshot(page, f"skip-link{path.replace('/', '-')}{width}")
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "main-content"
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('main') !== null")
        finally:
            context.close()


# ---------------------------------------------------------------- urgent care

CARD_STATE = """(card) => {
    const rect = card.getBoundingClientRect();
    let hiddenBy = null;
    for (let el = card; el; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.display === "none" || style.visibility !== "visible" || parseFloat(style.opacity) < 1
                || el.getAttribute("aria-hidden") === "true" || el.inert || el.hidden) {
            hiddenBy = el.tagName + "." + el.className;
        }
    }
    const main = document.querySelector(".health-layout__main, .home-columns__main");
    return {
        top: rect.top + scrollY, left: rect.left, right: rect.right, height: rect.height, hiddenBy,
        mainTop: main ? main.getBoundingClientRect().top + scrollY : null,
        mainEnd: document.querySelector("main").getBoundingClientRect().bottom + scrollY,
        heading: card.querySelector("h2") ? card.querySelector("h2").textContent.trim().replace(/\\s+/g, " ") : null,
        symptoms: [...card.querySelectorAll("ul > li")].map((li) => li.innerText),
        action: card.querySelector(".urgent-care__action") ? card.querySelector(".urgent-care__action").innerText : null,
    };
}"""


def test_the_urgent_care_card_is_on_every_health_page_near_the_top_and_never_hidden(
    seeded_live_server, browser_page, screenshot
):
    from articles.integrity import publishing_unreviewed_source_material
    from discsite.core.models import SafetyNetText

    settings = SafetyNetText.objects.get()
    settings.urgent_care_symptoms += "\nsudden severe pain with a fever"
    with publishing_unreviewed_source_material("a test of the card's layout"):
        settings.save_revision().publish()
    symptoms = settings.urgent_care_symptom_list
    assert len(symptoms) == 4

    page = browser_page
    phone = {"width": 375, "height": 812}
    for path in HEALTH_PAGES:
        for width in (320, 375, 1024):
            page.set_viewport_size({"width": width, "height": 812})
            page.goto(seeded_live_server.url + path)
            cards = page.locator(".urgent-care")
            assert cards.count() >= 1, f"no urgent-care card on {path}"
            for index in range(cards.count()):
                state = cards.nth(index).evaluate(CARD_STATE)
                where = f"card {index + 1} on {path} at {width}px"
                assert state["hiddenBy"] is None, f"{where} is hidden by {state['hiddenBy']}"
                assert state["height"] > 100, where
                assert 0 <= state["left"] < state["right"] <= width, f"{where} is cut off"
                assert state["heading"].startswith("Urgent advice:"), where
                assert state["symptoms"] == symptoms, where
                assert state["action"] == settings.urgent_care_action, where
            first = cards.first.evaluate(CARD_STATE)
            # Before the answer itself, so it is never at the end of a long page.
            assert first["top"] < first["mainTop"] < first["mainEnd"], f"the card comes late on {path} at {width}px"
            if page.viewport_size == phone:
                assert first["top"] < 2 * phone["height"], f"on a phone the card is {first['top']}px down {path}"
            # One landmark, named by its heading, that screen-reader users can jump to.
            region = page.get_by_role("region", name="Urgent advice: Get medical help immediately if you have")
            assert region.count() == 1, path

    # The editor's block in the body (seed 004 has one) does not repeat the card: one card per page. It
    # links to the card at this point of the text, and the link leads to it.
    page.set_viewport_size(phone)
    page.goto(seeded_live_server.url + ARTICLE)
    assert page.locator(".urgent-care").count() == 1
    pointer = page.locator(".health-layout__main .urgent-care-link a")
    pointer.scroll_into_view_if_needed()
    assert pointer.is_visible()
    screenshot(page, "article-with-the-card-link-375")
    pointer.click()
    assert page.locator("#urgent-care-heading").evaluate("(el) => el.getBoundingClientRect().top") < 50

    # The home page shows it too.
    page.goto(seeded_live_server.url + "/")
    assert page.locator(".urgent-care").evaluate(CARD_STATE)["hiddenBy"] is None


# ---------------------------------------------------------------- print


def test_the_print_stylesheet_gives_a_clean_handout(seeded_live_server, browser_page, screenshot):
    from articles.models import ArticlePage

    today = timezone.localdate()
    review(REVIEWED_ANSWER, today, today + datetime.timedelta(days=365))
    article = ArticlePage.objects.get(slug=ARTICLE.strip("/").split("/")[-1])
    article.references.append(
        (
            "citation",
            {
                "authors": "Example A",
                "title": "A study with a link",
                "journal": "Spine",
                "year": 2020,
                "doi": "10.1000/example.1",
                "url": "https://example.org/study",
            },
        )
    )
    article.save()

    page = browser_page
    page.set_viewport_size({"width": 800, "height": 1100})
    page.emulate_media(media="print")
    display = "(el) => getComputedStyle(el).display"

    for path in (ARTICLE, REVIEWED_ANSWER):
        page.goto(seeded_live_server.url + path)
        for furniture in (
            ".skip-link",
            ".site-nav",
            ".header-search",
            ".breadcrumbs",
            ".site-footer__nav",
        ):
            assert page.locator(furniture).evaluate(display) == "none", f"{furniture} prints on {path}"
        for card in page.locator(".urgent-care").all():
            assert card.evaluate(display) != "none", f"the urgent-care card does not print on {path}"
            assert card.evaluate("(el) => el.getBoundingClientRect().height") > 100
        assert page.locator(".review-record").evaluate(display) != "none", path

    page.goto(seeded_live_server.url + REVIEWED_ANSWER)
    assert "Medically reviewed by" in page.locator(".review-record").inner_text()
    # Links within the site print no address.
    reviewer = page.locator(".review-record a")
    assert reviewer.evaluate("(el) => getComputedStyle(el, '::after').content") == "none"
    screenshot(page, "print-reviewed-answer")

    page.goto(seeded_live_server.url + ARTICLE)
    assert page.locator(".contents").evaluate(display) == "none"
    assert page.locator(".sponsored__label").evaluate(display) != "none"
    assert "Sponsored" in page.locator(".sponsored__label").text_content()
    assert page.locator(".sponsored-notice").evaluate(display) != "none"
    doi = page.locator(".references a.citation__link", has_text="doi:10.1000/example.1")
    printed = json.loads(doi.evaluate("(el) => getComputedStyle(el, '::after').content"))
    assert "https://doi.org/10.1000/example.1" in printed
    # A link whose text already is its address does not print it twice.
    url = page.locator(".references a.citation__link--url")
    assert url.evaluate("(el) => getComputedStyle(el, '::after').content") == "none"
    pdf = screenshot(page, "print-article").with_suffix(".pdf")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.stat().st_size > 10_000
