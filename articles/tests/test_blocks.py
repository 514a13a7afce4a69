"""The body blocks answer for themselves: the words a reader sees, a callout's labels, a citation's schema.org."""

import pytest
import wagtail_factories
from bs4 import BeautifulSoup
from wagtail.rich_text import RichText

from articles.blocks import CALLOUT_KINDS, CalloutBlock, CitationBlock, block_text, body_texts, split_authors
from articles.factories import ArticlePageFactory
from articles.models import ArticlePage


def render_callout(kind, title=""):
    block = CalloutBlock()
    value = block.to_python({"kind": kind, "title": title, "text": "<p>Some text.</p>"})
    return BeautifulSoup(str(block.render(value)), "html.parser")


def test_the_callout_kinds_are_named_in_one_place():
    assert CalloutBlock().child_blocks["kind"].field.choices == [
        (name, kind.choice) for name, kind in CALLOUT_KINDS.items()
    ]
    assert set(CALLOUT_KINDS) == {"info", "warning", "urgent", "editors_note"}


@pytest.mark.parametrize("kind", sorted(CALLOUT_KINDS))
def test_a_callout_shows_its_kind_as_the_block_names_it(kind):
    untitled = render_callout(kind)
    assert untitled.find(class_="callout__heading-text").get_text() == CALLOUT_KINDS[kind].heading
    assert untitled.find(class_="callout__kind") is None
    assert f"icon--{CALLOUT_KINDS[kind].icon}" in untitled.find("svg")["class"]
    titled = render_callout(kind, title="Our own title")
    assert titled.find(class_="callout__kind").get_text() == f"{CALLOUT_KINDS[kind].label}: "
    assert titled.find(class_="callout__heading-text").get_text() == f"{CALLOUT_KINDS[kind].label}: Our own title"


def test_an_urgent_callout_says_so_before_its_own_title():
    soup = render_callout("urgent", title="Numb legs")
    assert soup.find(class_="callout__heading-text").get_text() == "Urgent: seek help now: Numb legs"
    assert render_callout("urgent").find(class_="callout__heading-text").get_text() == "Seek help now"


@pytest.mark.django_db
def test_body_texts_are_the_readers_words_block_by_block_without_sponsored_sections(
    site_tree, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    image = wagtail_factories.ImageFactory()
    page = ArticlePageFactory(
        body=[
            ("heading", {"text": "Don't panic", "level": "h2"}),
            ("image", {"image": image, "alt_text": "A disc", "caption": "", "credit": "Example & Co"}),
            ("paragraph", RichText("<p>One.</p>\n<p>Two &amp; three.</p>")),
            ("sponsored", {"sponsor": "Acme", "content": RichText("<p>Buy now</p>")}),
            ("urgent_care", None),
        ],
        is_sponsored=True,
        sponsor_disclosure="Acme paid for part of this page.",
    )
    page = ArticlePage.objects.get(pk=page.pk)
    with django_assert_num_queries(0):
        assert body_texts(page.body, prose_only=True) == ["Don't panic", "One. Two & three."]
    assert body_texts(page.body) == ["Don't panic", "A disc Example & Co", "One. Two & three."]
    assert [block_text(block) for block in page.body][3:] == ["", ""]


def test_a_citation_is_a_scholarly_article_with_its_links():
    node = CitationBlock().schema_node(
        {"authors": "Smith J; Lee K, et al.", "title": "A study", "journal": "A journal", "doi": "doi: 10.1/x"}
    )
    assert node["@type"] == "ScholarlyArticle"
    assert [author["name"] for author in node["author"]] == ["Smith J", "Lee K"]
    assert node["sameAs"] == ["https://doi.org/10.1/x"]
    assert CitationBlock().schema_node({"title": "A leaflet"})["@type"] == "CreativeWork"
    assert split_authors("et al.") == []
