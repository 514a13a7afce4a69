"""bench/corpus.py: synthetic pages in bulk that behave like pages made in the editor."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from articles.models import ArticlePage, HealthPageTag, QuestionIndexPage, QuestionPage, TopicPage
from bench.corpus import GENERATED_PREFIX, GenerationError, load_text_bank, path_step, step_number
from bench.tests import generate
from discsite.models import HomePage
from experts.models import ExpertPage

PAGES = 200


pytestmark = pytest.mark.usefixtures("generated")


@pytest.fixture(scope="module")
def _generated_module(django_db_setup, django_db_blocker):
    """The site skeleton and 200 generated pages, once per module, rolled back afterwards."""
    from discsite.factories import build_site_tree

    with django_db_blocker.unblock(), transaction.atomic():
        build_site_tree()
        generate("--pages", PAGES, "--seed", 1)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def generated(_generated_module, db):
    """The generated site (each test in a savepoint on top of it)."""


def generated_pages(model):
    return model.objects.filter(slug__startswith=GENERATED_PREFIX)


def test_it_creates_the_pages_experts_and_topics_asked_for():
    assert generated_pages(QuestionPage).count() == 140
    assert generated_pages(ArticlePage).count() == 60
    assert generated_pages(ExpertPage).count() == PAGES // 50
    assert generated_pages(TopicPage).count() == 3
    health = [*generated_pages(QuestionPage), *generated_pages(ArticlePage)]
    assert all(page.live and not page.has_unpublished_changes for page in health)
    assert all(page.author_id for page in generated_pages(QuestionPage))


def test_the_page_tree_is_consistent():
    """Materialised paths, depths and numchild written by hand are what treebeard would have written."""
    assert Page.find_problems() == ([], [], [], [], [])
    question = generated_pages(QuestionPage).first()
    assert question.get_parent().specific_class.__name__ == "QuestionIndexPage"
    assert question.url_path == f"{question.get_parent().url_path}{question.slug}/"


def test_the_text_is_recombined_from_the_seed_sentences():
    bank = set(load_text_bank().sentences)
    page = generated_pages(ArticlePage).first()
    paragraphs = [block.value.source for block in page.body if block.block_type == "paragraph"]
    assert paragraphs
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", re.sub(r"</?p>", "", paragraphs[0]))
    assert all(sentence in bank for sentence in sentences)
    kinds = {block.block_type for page in generated_pages(ArticlePage) for block in page.body}
    assert {"paragraph", "heading", "list", "callout"} <= kinds


def test_review_records_reading_levels_and_dates_are_plausible():
    pages = [*generated_pages(QuestionPage), *generated_pages(ArticlePage)]
    today = timezone.now().date()
    reviewed = [page for page in pages if page.last_reviewed_on]
    overdue = [page for page in reviewed if page.next_review_due < today]
    never = [page for page in pages if page.last_reviewed_on is None]
    assert len(reviewed) > len(never) > 0
    assert overdue
    assert all(page.reviewed_by_id and page.next_review_due > page.last_reviewed_on for page in reviewed)
    assert all(page.reading_grade is not None for page in pages)
    two_years_ago = timezone.now() - datetime.timedelta(days=731)
    assert all(two_years_ago <= page.first_published_at <= page.last_published_at for page in pages)
    assert all(page.last_reviewed_on >= page.first_published_at.date() for page in reviewed)


def test_tags_and_topics_are_consistent(client):
    for page in [*generated_pages(QuestionPage), *generated_pages(ArticlePage)]:
        assert 1 <= len(page.tags.all()) <= 3
    used = set(HealthPageTag.objects.values_list("tag_id", flat=True))
    topic_tags = set(TopicPage.objects.live().values_list("tag_id", flat=True))
    assert used <= topic_tags
    topic = generated_pages(TopicPage).first()
    response = client.get(topic.url)
    assert response.status_code == 200
    tagged = Page.objects.live().filter(health_tagged_items__tag=topic.tag).count()
    assert response.context["items"].paginator.count == tagged > 0


def test_a_sample_of_pages_is_routable_and_renders(client):
    sample = [
        *generated_pages(QuestionPage).order_by("?")[:4],
        *generated_pages(ArticlePage).order_by("?")[:4],
        *generated_pages(ExpertPage)[:2],
        *generated_pages(TopicPage)[:1],
    ]
    for page in sample:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title.encode() in response.content.replace(b"&#x27;", b"'").replace(b"&#39;", b"'")
    for url in ("/", "/questions/", "/questions/?page=5", "/articles/", "/experts/", "/topics/"):
        assert client.get(url).status_code == 200, url


def test_generated_pages_are_searchable(client):
    page = generated_pages(QuestionPage).first()
    word = max(re.findall(r"[a-z]{6,}", page.summary.lower()), key=len)
    found = {result.pk for result in QuestionPage.objects.live().search(word)}
    assert page.pk in found
    response = client.get("/search/", {"q": word})
    assert response.status_code == 200
    assert GENERATED_PREFIX.encode() in response.content


def test_a_second_run_adds_pages_with_fresh_slugs():
    before = set(Page.objects.values_list("slug", flat=True))
    generate("--pages", 10)
    added = set(Page.objects.values_list("slug", flat=True)) - before
    assert len(added) == 10 + 2  # the pages and two experts
    assert generated_pages(QuestionPage).count() + generated_pages(ArticlePage).count() == PAGES + 10
    assert Page.find_problems() == ([], [], [], [], [])


def test_replace_deletes_only_what_was_generated():
    output = generate("--pages", 10, "--replace")
    assert output.startswith(f"Deleted {PAGES + PAGES // 50 + 3} previously generated pages.")
    assert generated_pages(QuestionPage).count() + generated_pages(ArticlePage).count() == 10
    assert generated_pages(ExpertPage).count() == 2
    assert generated_pages(TopicPage).count() == 3
    assert HomePage.objects.count() == 1
    assert not Tag.objects.filter(slug__startswith=GENERATED_PREFIX, topic_page__isnull=True).exists()
    assert Page.find_problems() == ([], [], [], [], [])


def corpus_signature():
    """What a seed decides about the generated pages: everything but the random ids and the clock."""
    pages = [
        (
            page.slug,
            page.title,
            page.get_parent().slug,
            page.summary,
            [(block["type"], block["value"]) for block in page.body.raw_data],
            page.author_id is not None,
            page.reading_grade,
            sorted(page.tags.values_list("name", flat=True)),
        )
        for model in (QuestionPage, ArticlePage)
        for page in generated_pages(model).order_by("path")
    ]
    experts = list(generated_pages(ExpertPage).order_by("path").values_list("slug", "job_title", "institution"))
    return pages, experts


def test_the_same_seed_makes_the_same_corpus():
    before = corpus_signature()
    generate("--pages", PAGES, "--seed", 1, "--replace")
    assert corpus_signature() == before
    generate("--pages", PAGES, "--seed", 2, "--replace")
    assert corpus_signature()[0] != before[0]


def test_path_steps_are_treebeards():
    """The steps written by hand: Page.steplen digits of Page.alphabet, as treebeard writes them."""
    assert (Page.steplen, Page.alphabet[:11]) == (4, "0123456789A")
    assert [path_step(n) for n in (0, 1, 9, 10, 35, 36, 1295, 36**4 - 1)] == [
        "0000", "0001", "0009", "000A", "000Z", "0010", "00ZZ", "ZZZZ",
    ]  # fmt: skip
    assert all(step_number(path_step(n)) == n for n in range(0, 5000, 7))
    with pytest.raises(GenerationError, match="at most"):
        path_step(36**4)


def test_editors_add_pages_after_the_generated_ones():
    """Wagtail's own add_child finds the generated children where treebeard would have put them."""
    parent = QuestionIndexPage.objects.get()
    steps = [step_number(path[-Page.steplen :]) for path in parent.get_children().values_list("path", flat=True)]
    assert steps == list(range(1, len(steps) + 1))
    author = generated_pages(ExpertPage).first()
    page = parent.add_child(
        instance=QuestionPage(title="Added in the editor?", summary="An answer.", author=author, live=False)
    )
    assert step_number(page.path[-Page.steplen :]) == len(steps) + 1
    assert Page.find_problems() == ([], [], [], [], [])
