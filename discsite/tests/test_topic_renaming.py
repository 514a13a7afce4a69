"""One name per topic, when an editor renames one: its tag takes the new title when the topic goes live
through clinical review (and not before), so the pages it tags, the feed and the API say it too; a title
that could not name a tag is refused in the edit form and nothing is saved; the seed files are held to
the same rule."""

import shutil
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from taggit.models import Tag
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from articles.factories import QuestionPageFactory, TopicPageFactory
from articles.models import TopicPage
from articles.tests.test_clinical_review import act
from articles.tests.test_review_integrity import signed_in
from articles.workflow import assign_clinical_review_workflow
from discsite.seed_files import DEFAULT_SEED_DIR, SeedErrors, load_seed

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def topic_form(topic, **changes):
    """The topic editor's form as a browser posts it."""
    data = {"title": topic.title, "slug": topic.slug, "tag": topic.tag_id, "intro": topic.intro}
    data.update(changes)
    return nested_form_data({**data, "comments": inline_formset([])})


def test_a_topic_renamed_in_review_names_its_tag_when_it_goes_live(client, roles):
    topic = TopicPageFactory(title="Sciatica")
    assign_clinical_review_workflow(topic.get_parent())
    answer = QuestionPageFactory(title="Does sciatica go away?")
    answer.tags.add(topic.tag)
    answer.save()  # the live page's own row: as if it had gone live tagged
    tag_pk = topic.tag_id

    response = signed_in(roles["editor"]).post(
        f"/admin/pages/{topic.pk}/edit/", topic_form(topic, title="Sciatica and leg pain", **{"action-submit": "1"})
    )
    assert response.status_code == 302
    topic = TopicPage.objects.get(pk=topic.pk)
    assert topic.title == "Sciatica", "a draft in review changes nothing readers see"
    assert Tag.objects.get(pk=tag_pk).name == "Sciatica"

    act(topic, roles["clinician"], "approve", comment="", next_review_due=None)
    act(topic, roles["moderator"], "approve", comment="")

    topic = TopicPage.objects.get(pk=topic.pk)
    assert topic.live
    assert topic.title == "Sciatica and leg pain"
    assert Tag.objects.get(pk=tag_pk).name == "Sciatica and leg pain", "the same tag, named as its topic"
    chips = [
        chip.get_text(strip=True)
        for chip in BeautifulSoup(client.get(answer.url).content, "html.parser").select(".topic-tags .tag")
    ]
    assert chips == ["Sciatica and leg pain"]
    assert client.get(f"/api/v2/pages/{answer.pk}/?fields=tags").json()["tags"] == ["Sciatica and leg pain"]
    feed = ET.fromstring(client.get("/feed/").content)  # noqa: S314 - the site's own response
    assert {category.get("term") for category in feed.iter(f"{ATOM}category")} == {"Sciatica and leg pain"}


@pytest.mark.parametrize(
    ("title", "error"),
    [
        ("Sciatica, leg pain", "a tag's name cannot have a comma"),
        ("massage", "another tag is already named “Massage”"),
    ],
)
def test_a_title_that_could_not_name_the_topics_tag_is_refused_and_nothing_is_saved(roles, title, error):
    topic = TopicPageFactory(title="Sciatica")
    TopicPageFactory(title="Massage")
    revisions = topic.revisions.count()

    response = signed_in(roles["editor"]).post(f"/admin/pages/{topic.pk}/edit/", topic_form(topic, title=title))

    assert response.status_code == 200
    assert error in " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    assert topic.revisions.count() == revisions
    assert Tag.objects.get(pk=topic.tag_id).name == "Sciatica"


def test_the_seed_refuses_a_topic_whose_tag_is_not_named_as_its_title(tmp_path):
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    path = seed_dir / "topics.yaml"
    path.write_text(path.read_text().replace("  tag: Diagnosis\n", "  tag: Tests\n", 1))
    with pytest.raises(SeedErrors) as raised:
        load_seed(seed_dir)
    assert any(
        "the tag 'Tests' is not named as the topic's title, 'Diagnosis'" in str(error) for error in raised.value.errors
    )
