"""What readers are told about a page's clinical review and its date, on the page, its cards and search
results: "Awaiting clinical review" while what they see waits in the workflow (every seeded answer and
article, on a fresh site), the plain "Not yet clinically reviewed" when it is neither reviewed nor in
review, and never the time the seed ran as the content's date."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import timezone

from articles.models import HEALTH_PAGE_MODELS, ArticlePage, QuestionPage
from articles.review import FIRST_REVIEW_OF_SOURCE_MATERIAL, start_review_of_live_content
from discsite.core.tests.frontend_cache import BACKEND as FRONTEND_CACHE
from discsite.core.tests.frontend_cache import RecordingBackend

pytestmark = pytest.mark.usefixtures("seeded")

MAIN_QUESTION = "relieve-lower-back-stiffness"
OTHER_VOICES = (
    "is-a-herniated-lumbar-disc-serious",
    "symptoms-of-lumbar-disc-herniation",
    "lumbar-disc-herniation-symptoms",
    "can-a-herniated-lumbar-disc-cause-leg-pain",
    "lumbar-disc-herniation-symptom-diagram",
)
LISTINGS = ("/", "/questions/", "/articles/", "/topics/treatment/", "/experts/na-hong-wei/", "/search/?q=disc")


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def words(element):
    return " ".join(element.get_text(" ").split()).replace(" ,", ",")


def review_line(client, page):
    return words(soup_of(client, page.url).select_one(".review-record"))


def health_pages():
    return [page for model in HEALTH_PAGE_MODELS for page in model.objects.live().order_by("pk")]


def out_of_review(page):
    """As when a moderator cancels the review: what readers see is no longer being checked."""
    page.current_workflow_state.cancel(user=None)
    return type(page).objects.get(pk=page.pk)


def test_a_seeded_page_says_it_awaits_clinical_review_with_its_source_author_and_date(client):
    page = QuestionPage.objects.get(slug=MAIN_QUESTION)
    soup = soup_of(client, page.url)
    assert words(soup.select_one(".review-record")) == (
        "Awaiting clinical review A clinician is checking this page for medical accuracy; "
        "it is shown as the source published it."
    )
    assert words(soup.select_one(".byline")) == "Written by Dr Wang Fei, Orthopedics · Updated 23 Jan 2025"
    assert "Not yet clinically reviewed" not in words(soup)
    api = client.get(f"/api/v2/pages/{page.pk}/?fields=review_status").json()
    assert api["review_status"] == "in_review"


@pytest.mark.parametrize("url", LISTINGS)
def test_every_card_and_search_result_says_it_awaits_clinical_review(client, url):
    lines = [words(line) for line in soup_of(client, url).select(".card__review")]
    assert lines, f"no cards on {url}"
    assert set(lines) == {"Awaiting clinical review"}, url


def test_a_page_neither_reviewed_nor_in_review_keeps_the_plain_wording(client):
    page = out_of_review(ArticlePage.objects.get(slug="lumbar-disc-herniation-and-leg-weakness"))
    assert not page.live_content_in_review
    assert review_line(client, page).startswith("Not yet clinically reviewed")
    card = soup_of(client, "/articles/").find("a", href=page.url).find_parent("article")
    assert words(card.select_one(".card__review")) == "Not yet clinically reviewed"
    result = soup_of(client, "/search/?q=weakness").find("a", href=page.url).find_parent("article")
    assert words(result.select_one(".card__review")) == "Not yet clinically reviewed"


def test_a_draft_in_review_changes_nothing_readers_see(client):
    """Readers are told a page is being checked only when what they see is what is being checked."""
    page = out_of_review(QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms"))
    page.summary = "A rewritten short answer, not live."
    page.save_revision(user=None)
    page.get_workflow().start(page, None)
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.current_workflow_state is not None
    assert not page.live_content_in_review
    assert review_line(client, page).startswith("Not yet clinically reviewed")


def test_putting_live_content_back_into_review_says_so_again(client):
    page = out_of_review(QuestionPage.objects.get(slug="symptoms-of-lumbar-disc-herniation"))
    state = start_review_of_live_content(page, FIRST_REVIEW_OF_SOURCE_MATERIAL)
    assert state is not None
    assert start_review_of_live_content(page, FIRST_REVIEW_OF_SOURCE_MATERIAL) is None, "one review at a time"
    page = QuestionPage.objects.get(pk=page.pk)
    assert page.live_content_in_review
    assert review_line(client, page).startswith("Awaiting clinical review")


@override_settings(
    DISCSITE_PAGE_CACHE=True,
    DISCSITE_FRAGMENT_CACHE=True,
    WAGTAILFRONTENDCACHE={"default": {"BACKEND": FRONTEND_CACHE}},
)
def test_the_cached_page_and_listings_follow_a_review_starting_and_ending(client, django_capture_on_commit_callbacks):
    page = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptom-diagram")
    for url in (page.url, "/questions/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    RecordingBackend.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):  # a CDN is purged once the change commits
        page = out_of_review(page)

    assert review_line(client, page).startswith("Not yet clinically reviewed")
    card = soup_of(client, "/questions/").find("a", href=page.url).find_parent("article")
    assert words(card.select_one(".card__review")) == "Not yet clinically reviewed"
    purged = {url.split("localhost", 1)[-1] for url in RecordingBackend.purged}
    assert {page.url, "/questions/", "/"} <= purged

    start_review_of_live_content(page, FIRST_REVIEW_OF_SOURCE_MATERIAL)
    assert review_line(client, page).startswith("Awaiting clinical review")


# ------------------------------------------------------------------------------------------ dates


def seed_day_marks():
    """How the day the seed ran would read on a page, had it been given as the content's date."""
    today = timezone.localdate()
    return {f'datetime="{today:%Y-%m-%d}"', today.strftime("%-d %b %Y"), today.isoformat()}


def dates_in_json_ld(soup):
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key.startswith("date") or key == "lastReviewed":
                    found.append((key, item))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for script in soup.find_all("script", type="application/ld+json"):
        walk(json.loads(script.string))
    return found


def test_no_page_card_or_search_result_gives_the_seed_time_as_the_contents_date(client):
    health_urls = [page.url for page in health_pages()]
    for url in health_urls + list(LISTINGS):
        soup = soup_of(client, url)
        shown = [str(element) for element in soup.select(".byline, .card__date")]
        for mark in seed_day_marks():
            assert not any(mark in html for html in shown), f"the seed's day as a content date on {url}"
        if url in health_urls:  # (a section or the home page was first published by the seed: that is its date)
            for key, value in dates_in_json_ld(soup):
                assert not str(value).startswith(timezone.localdate().isoformat()), f"{key}: the seed's day, {url}"


def test_dates_are_the_sources_own_or_left_out(client):
    main = soup_of(client, f"/questions/{MAIN_QUESTION}/")
    assert dict(dates_in_json_ld(main))["datePublished"] == "2025-01-23"
    massage = soup_of(client, "/questions/massage-therapy-for-lumbar-disc-herniation/")
    assert words(massage.select_one(".byline")) == "Written by Dr Chen Jian · Updated 14 Nov 2024"
    # The "Other Voices" answers give no date of their own, and the undated articles none at all.
    undated = [f"/questions/{slug}/" for slug in OTHER_VOICES] + [page.url for page in ArticlePage.objects.live()]
    for url in undated:
        soup = soup_of(client, url)
        assert "Updated" not in words(soup.select_one(".byline")), url
        assert not dates_in_json_ld(soup), url
    answers = soup_of(client, "/questions/")
    for slug in OTHER_VOICES:
        card = answers.find("a", href=f"/questions/{slug}/").find_parent("article")
        assert not card.select(".card__date"), slug
        assert not re.search(r"Updated \d", words(card)), slug
