"""Reading level and the sponsored-content guardrail: computed on save, shown to editors, reported."""

import csv
import io

import pytest
from wagtail.rich_text import RichText

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.guardrail import html_findings, promotion_findings
from articles.models import ArticlePage, QuestionPage
from articles.readability import page_text, reading_level

# 13 words, 2 sentences, 21 syllables (CMU dictionary: her-ni-a-tion, gen-tle, walk-ing, of-ten):
# Flesch-Kincaid grade = 0.39 x 13/2 + 11.8 x 21/13 - 15.59 = 6.0
KNOWN_TEXT = "Lumbar disc herniation is common. Rest and gentle walking often help the pain."


def test_reading_level_of_a_known_text():
    grade, _smog = reading_level(KNOWN_TEXT)
    assert grade == 6.0


def test_too_little_text_has_no_grade():
    assert reading_level("Rest helps.") == (None, None)


@pytest.mark.django_db
def test_reading_level_is_stored_when_a_page_is_saved(site_tree):
    page = QuestionPageFactory(
        title="Does rest help?", summary=KNOWN_TEXT, body=[("paragraph", RichText(f"<p>{KNOWN_TEXT}</p>"))]
    )
    assert KNOWN_TEXT in page_text(page)
    assert page.reading_grade == reading_level(page_text(page))[0]
    page.summary = (
        "Intervertebral disc degeneration precipitates extraordinarily complicated neurological "
        "manifestations necessitating multidisciplinary evaluation, comprehensive radiological "
        "investigation and individualised rehabilitation programmes."
    )
    page.save_revision()
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().reading_grade > 8


@pytest.mark.usefixtures("seeded")
class TestOnTheSeededSite:
    def test_seeded_pages_have_grades_and_the_sponsored_article_is_clean(self):
        for model in (QuestionPage, ArticlePage):
            for page in model.objects.all():
                assert page.reading_grade is not None, page.title
                assert page.promotion_flags == [], page.title

    def test_promotion_outside_the_sponsored_section_is_flagged(self):
        """Seed 004's device paragraph, moved out of its sponsored section, is caught."""
        page = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")
        sponsored = next(block for block in page.body if block.block_type == "sponsored")
        page.body.append(("paragraph", RichText(sponsored.value["content"].source)))
        findings = promotion_findings(page)
        assert any("www.barricaid.com" in finding for finding in findings)
        assert any("benefit/risk information" in finding for finding in findings)
        assert any("95 percent of Barricaid patients" in finding for finding in findings)

    def test_editor_sees_the_reading_level_and_checks(self, admin_client):
        page = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms")
        content = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
        assert "Reading level and checks" in content
        assert f"Reading grade {page.reading_grade}" in content
        assert "Patient information should read at grade 8 or below" in content
        assert "No promotion found outside sponsored sections." in content

    def test_reading_level_report_sorts_by_grade_and_flags_hard_pages(self, admin_client):
        response = admin_client.get("/admin/reports/reading-level/", {"export": "csv"})
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert len(rows) == 10
        grades = [float(row["Reading grade (Flesch-Kincaid)"]) for row in rows]
        assert grades == sorted(grades, reverse=True)
        assert all(row["Above target"] == "True" for row in rows)  # every seeded page is above grade 8
        content = admin_client.get("/admin/reports/reading-level/").content.decode()
        assert "(above target)" in content


@pytest.mark.django_db
def test_links_to_references_are_fine_and_links_to_shops_are_not(site_tree):
    clean = ArticlePageFactory(
        body=[
            (
                "paragraph",
                RichText(
                    '<p>See the <a href="https://www.nhs.uk/conditions/slipped-disc/">NHS page</a> and '
                    '<a href="https://pubmed.ncbi.nlm.nih.gov/17119140/">the trial</a>.</p>'
                ),
            )
        ]
    )
    assert clean.promotion_flags == []
    shop = ArticlePageFactory(
        body=[
            ("paragraph", RichText('<p>Try <a href="https://backbrace.example.com/buy">our brace</a>. Order now!</p>'))
        ]
    )
    assert any("backbrace.example.com" in flag for flag in shop.promotion_flags)
    assert any("Order now" in flag for flag in shop.promotion_flags)


@pytest.mark.django_db
def test_sponsored_check_report_lists_flagged_pages(admin_client, site_tree):
    ArticlePageFactory(title="Clean article")
    ArticlePageFactory(
        title="Promotional article", body=[("paragraph", RichText("<p>Use code SAVE10 for a discount.</p>"))]
    )
    content = admin_client.get("/admin/reports/sponsored-check/").content.decode()
    assert "Promotional article" in content
    assert "A discount (“Use code”)" in content
    assert "Clean article" not in content


# The promotion vocabulary, both ways: what a seller writes is caught wherever it sits outside a
# sponsored section; what a clinician writes is left alone.
PROMOTIONAL = {
    "Buy our device now.": "a call to buy",
    "Get the SpineEase brace today for half price.": "a discount",
    "Order now while stocks last!": "a call to buy",
    "Shop online at our store.": "a call to buy",
    "Purchase it from any pharmacy.": "a call to buy",
    "Add to basket.": "a call to buy",
    "Only £29.99 a month.": "a price",
    "It costs $49.": "a price",
    "Get 30% off this week.": "a discount",
    "Use code SAVE10 at checkout.": "a discount",
    "The cheapest brace you will find.": "a discount",
    "Save 20 with our special offer.": "an offer",
    "Start your free trial.": "an offer",
    "Limited-time offer: two for one.": "an offer",
    "Try the FlexiCore belt.": "a brand push",
    "Ask for the Lumbacare pillow by name.": "a brand push",
    "Our products are made in the UK.": "a brand push",
    "Spinalign® helps.": "a trademark sign",
    "The best-selling back brace.": "a marketing claim",
    "The number one choice of physiotherapists.": "a marketing claim",
    "A miracle cure for sciatica.": "a marketing claim",
}
EVERYDAY = [
    "Call 999 now if you cannot control your bladder or bowels.",
    "Get medical help today if the numbness spreads.",
    "Your GP may order an MRI scan if the pain does not settle.",
    "In order to protect your back, bend your knees.",
    "You do not need to buy a special mattress.",
    "About 90% of people get better within 6 weeks.",
    "Try the exercises in this leaflet.",
    "Try the Cat-Cow stretch each morning.",
    "Try the McKenzie exercises your physiotherapist shows you.",
    "Ask for an NHS physiotherapy referral.",
    "Ask your GP for advice today.",
    "Seek help now.",
    "Keep active: get up and walk around every hour.",
    "Shop around for a chair that supports your lower back.",
    "The order of the exercises does not matter.",
]


@pytest.mark.parametrize(("sentence", "kind"), PROMOTIONAL.items())
def test_promotional_wording_is_caught(sentence, kind):
    found = [what for what, _verdict in html_findings(f"<p>{sentence}</p>")]
    assert any(what.lower().startswith(kind) for what in found), (sentence, found)


@pytest.mark.parametrize("sentence", EVERYDAY)
def test_everyday_clinical_wording_is_not_promotion(sentence):
    assert html_findings(f"<p>{sentence}</p>") == []


def test_the_two_examples_from_the_issue_are_both_caught_with_what_they_are():
    page = QuestionPage(
        summary="Get the SpineEase brace today for half price.",
        body=[("paragraph", RichText("<p>Buy our device now.</p>"))],
    )
    assert promotion_findings(page) == [
        "A discount (“half price”) in the short answer reads like promotion.",
        "A brand push (“Get the SpineEase”) in the short answer reads like promotion.",
        "A call to buy (“Buy our device now”) in block 1 (paragraph) reads like promotion.",
        "A brand push (“our device”) in block 1 (paragraph) reads like promotion.",
    ]


def test_captions_transcripts_and_quotes_are_checked_too():
    page = ArticlePage(
        summary="",
        body=[
            ("quote", {"quote": "Order now and feel better.", "attribution": ""}),
            ("sponsored", {"sponsor": "Acme", "content": RichText("<p>Buy our brace now for £20.</p>")}),
        ],
    )
    assert promotion_findings(page) == ["A call to buy (“Order now”) in block 1 (quote) reads like promotion."]
