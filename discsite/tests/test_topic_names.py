"""One name per topic everywhere: a topic's tag is named as its title, on pages, topic cards, in the feed
and in the API; and a re-seed of a site seeded under an older name renames the tag rather than adding one.
(An editor renaming a topic: test_topic_renaming.)"""

import io
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from taggit.models import Tag
from wagtail.models import Page

from articles.models import HEALTH_PAGE_MODELS, TopicPage
from discsite.seed_files import load_seed

ATOM = "{http://www.w3.org/2005/Atom}"


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def topic_titles_by_url():
    return {topic.url: topic.title for topic in TopicPage.objects.live()}


def test_the_seed_files_name_each_topic_once():
    seed = load_seed()
    assert len(seed.topics) == 8
    for topic in seed.topics:
        assert topic.tag == topic.title, f"topics.yaml: '{topic.slug}' is titled '{topic.title}', tagged '{topic.tag}'"
        # taggit and Wagtail's tag field end a tag at a comma, and so does the API's ?tags=a,b.
        assert "," not in topic.tag, topic.tag
    titles = {topic.title for topic in seed.topics}
    for page in (*seed.questions, *seed.articles):
        assert set(page.tags) <= titles, page.path


@pytest.mark.usefixtures("seeded")
def test_every_tag_is_named_as_its_topic():
    topics = TopicPage.objects.live().select_related("tag")
    assert {topic.tag.name for topic in topics} == {topic.title for topic in topics}
    for topic in topics:
        assert topic.tag.name == topic.title
    used = Tag.objects.filter(articles_healthpagetag_items__isnull=False).distinct()
    assert set(used.values_list("name", flat=True)) <= {topic.title for topic in topics}
    assert not Tag.objects.filter(topic_page__isnull=True).exists(), "a tag left over with no topic"


@pytest.mark.usefixtures("seeded")
def test_pages_show_each_topic_by_its_title(client):
    titles = topic_titles_by_url()
    for page in Page.objects.live().type(*HEALTH_PAGE_MODELS):
        soup = soup_of(client, page.url)
        chips = soup.select(".topic-tags a.tag")
        assert chips, page.url
        for chip in chips:
            assert chip.get_text(strip=True) == titles[chip["href"]], page.url
    # The topic cards and the topic pages' own headings.
    soup = soup_of(client, "/topics/")
    cards = {card.find("a")["href"]: card.find("a").get_text(strip=True) for card in soup.select(".topic-card")}
    assert cards == titles


@pytest.mark.usefixtures("seeded")
def test_the_feed_and_the_api_use_the_same_names(client):
    titles = set(topic_titles_by_url().values())
    feed = ET.fromstring(client.get("/feed/").content)  # noqa: S314 - the site's own response
    categories = {category.get("term") for category in feed.iter(f"{ATOM}category")}
    assert categories == titles

    pages = client.get("/api/v2/pages/?type=articles.QuestionPage&fields=tags").json()["items"]
    pages += client.get("/api/v2/pages/?type=articles.ArticlePage&fields=tags").json()["items"]
    assert {name for page in pages for name in page["tags"]} == titles
    topics = client.get("/api/v2/pages/?type=articles.TopicPage&fields=tag").json()["items"]
    assert {topic["title"] for topic in topics} == {topic["tag"] for topic in topics} == titles
    # A name with spaces and no comma filters as one tag.
    found = client.get(
        "/api/v2/pages/", {"type": "articles.QuestionPage", "tags": "Massage and manual therapy"}
    ).json()
    assert {item["meta"]["slug"] for item in found["items"]} == {
        "relieve-lower-back-stiffness",
        "massage-therapy-for-lumbar-disc-herniation",
    }


@pytest.mark.usefixtures("seeded")
def test_a_reseed_renames_a_tag_the_site_has_under_an_older_name(client, settings):
    """As on a site seeded before the tags were renamed: "Massage" for the massage topic."""
    settings.DISCSITE_PAGE_CACHE = True
    tag = Tag.objects.get(name="Massage and manual therapy")
    tag.name = "Massage"
    tag.save()
    tagged = set(Page.objects.filter(health_tagged_items__tag=tag).values_list("pk", flat=True))
    answer = "/questions/massage-therapy-for-lumbar-disc-herniation/"
    assert "Massage" in [chip.get_text(strip=True) for chip in soup_of(client, answer).select(".topic-tags .tag")]
    tags_before = Tag.objects.count()

    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "updated tag: Massage -> Massage and manual therapy" in out.getvalue()
    tag.refresh_from_db()
    assert tag.name == "Massage and manual therapy"  # the same tag, renamed
    assert Tag.objects.count() == tags_before
    assert not Tag.objects.filter(name__iexact="Massage").exists()
    assert set(Page.objects.filter(health_tagged_items__tag=tag).values_list("pk", flat=True)) == tagged
    assert TopicPage.objects.get(slug="massage").tag_id == tag.pk
    # What readers are shown changes with it (the rename moved the content version on).
    chips = [chip.get_text(strip=True) for chip in soup_of(client, answer).select(".topic-tags .tag")]
    assert "Massage and manual therapy" in chips
    assert "Massage" not in chips

    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "30 unchanged" in out.getvalue()
    assert "updated" not in out.getvalue()
