"""What a reader meets first on a health page, and how often.

- One urgent-care card per page: the page's own, near the top. An editor's urgent-care block in the body
  links to it instead of repeating it (templates/blocks/urgent_care.html), so the warning is never moved
  down the page or hidden, and never shown twice.
- The page's title comes first: its h1 is the first heading; a sponsored page's notice follows the title and
  comes before the body and its sponsored section, and listing cards still disclose it.
"""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page

from articles.integrity import publishing_unreviewed_source_material
from articles.models import HEALTH_PAGE_MODELS, QuestionPage

pytestmark = pytest.mark.usefixtures("seeded")

SPONSORED = "/articles/herniated-discs-and-back-muscle-spasms/"
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def health_page_urls():
    return [page.url for page in Page.objects.live().type(*HEALTH_PAGE_MODELS)]


def with_urgent_care_block(slug):
    """A seeded answer whose editor also put the urgent-care block in its body, mid-text."""
    page = QuestionPage.objects.get(slug=slug)
    page.body = [
        {"type": "paragraph", "value": "<p>Most back pain settles with time.</p>"},
        {"type": "urgent_care", "value": None},
        {"type": "paragraph", "value": "<p>Keep moving as much as you can.</p>"},
    ]
    with publishing_unreviewed_source_material("a test: an editor's urgent-care block"):
        page.save_revision().publish()
    return page


def assert_one_card(soup, url):
    cards = soup.select(".urgent-care")
    assert len(cards) == 1, f"{len(cards)} urgent-care cards on {url}"
    card = cards[0]
    assert card.name == "section", url
    assert card["aria-labelledby"] == "urgent-care-heading", url
    assert not card.find_parent(class_="health-layout__main"), f"the card is not the page's own on {url}"
    return card


def test_every_health_page_shows_one_urgent_care_card(client):
    urls = health_page_urls()
    assert len(urls) == 10
    for url in urls:
        assert_one_card(soup_of(client, url), url)


def test_an_urgent_care_block_in_the_body_links_to_the_one_card(client):
    page = with_urgent_care_block("symptoms-of-lumbar-disc-herniation")
    soup = soup_of(client, page.url)
    card = assert_one_card(soup, page.url)

    main = soup.find(class_="health-layout__main")
    [pointer] = main.select(".urgent-care-link")
    link = pointer.find("a")
    assert link["href"] == "#urgent-care-heading"
    assert soup.find(id="urgent-care-heading") in card.descendants
    assert " ".join(pointer.get_text(" ").split()).replace(" ,", ",") == (
        "Urgent advice: the symptoms that need medical help immediately, and what to do, are at the top of this page."
    )
    # Where the editor put it, between the paragraphs around it.
    text = " ".join(main.get_text(" ").split())
    assert text.index("settles with time") < text.index("Urgent advice:") < text.index("Keep moving")
    # The card itself keeps the whole warning, before the body.
    whole = " ".join(soup.main.get_text(" ").split())
    assert whole.index("Get medical help immediately") < whole.index("settles with time")


def test_the_seeded_article_with_the_block_shows_one_card(client):
    soup = soup_of(client, SPONSORED)
    assert_one_card(soup, SPONSORED)
    for pointer in soup.select(".urgent-care-link a"):
        assert pointer["href"] == "#urgent-care-heading"


def test_the_title_is_the_first_heading_of_every_health_page(client):
    for url in health_page_urls():
        soup = soup_of(client, url)
        first = soup.find(HEADINGS)
        assert first.name == "h1", f"<{first.name}> '{first.get_text(strip=True)}' before the title on {url}"
        assert first.find_parent("header", class_="health-layout__header"), url


def test_the_sponsored_notice_follows_the_title_and_precedes_the_body(client):
    soup = soup_of(client, SPONSORED)
    notice = soup.find("aside", class_="sponsored-notice")
    label = soup.find(id=notice["aria-labelledby"])
    assert label.get_text(" ", strip=True) == "This page contains sponsored content"
    assert label.name == "h2"
    assert notice.find_parent("header") is not None  # with the title, the byline and the review status

    order = list(soup.main.find_all(True))
    h1 = soup.find("h1")
    body = soup.find(class_="health-layout__main")
    sponsored_section = soup.find(id=notice.find("a")["href"].lstrip("#"))
    assert order.index(h1) < order.index(notice) < order.index(body) < order.index(sponsored_section)


def test_cards_still_disclose_sponsored_content(client):
    soup = soup_of(client, "/articles/")
    link = soup.find("a", href=SPONSORED)
    card = link.find_parent("article")
    assert "Contains sponsored content" in card.get_text(" ")
