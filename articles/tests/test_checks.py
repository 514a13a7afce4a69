"""Reading level and the sponsored-content guardrail: computed on save, shown to editors, reported."""

import csv
import io

import pytest
from wagtail.rich_text import RichText

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.guardrail import promotion_findings
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
    assert "An offer" in content
    assert "Clean article" not in content
