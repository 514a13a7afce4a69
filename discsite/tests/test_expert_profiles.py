"""An expert's profile shows everything the sources support, and nothing they do not: who the expert is,
what they published here and reviewed, and where they are quoted from; without a biography, a short note
says why the profile is brief (it reads as intended, not as missing)."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.integrity import publishing_unreviewed_source_material
from articles.models import QuestionPage
from experts.models import ExpertPage

pytestmark = pytest.mark.usefixtures("seeded")


def profile(client, slug):
    response = client.get(f"/experts/{slug}/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return soup, " ".join(soup.get_text(" ").split())


def facts(soup):
    return {
        fact.dt.get_text(strip=True): " ".join(fact.dd.get_text(" ").split())
        for fact in soup.select(".profile__facts .profile__fact")
    }


def test_a_profile_from_the_sources_says_what_they_support(client):
    soup, _ = profile(client, "na-hong-wei")
    assert soup.h1.get_text(" ", strip=True) == "Dr Na Hong Wei"
    assert soup.select_one(".profile__role").get_text(strip=True) == "Orthopedics"
    assert facts(soup) == {"Published here": "1 page", "Pages reviewed": "None yet"}
    assert soup.select_one(".profile__facts a")["href"] == "#contributions"
    # The answer they gave, listed as a card.
    assert soup.select_one("#contributions a[href='/questions/is-a-herniated-lumbar-disc-serious/']")
    # No biography and no photo: said plainly, nothing invented.
    assert not soup.find(id="bio-heading")
    note = " ".join(soup.select_one(".profile__note").get_text(" ").split())
    assert note == (
        "We publish only what we can check about our experts. For Dr Na Hong Wei, that is the details above "
        "and their work listed below; we have no biography or photo of them to show."
    )
    avatar = soup.select_one(".profile__avatar .avatar")
    assert avatar.get_text(strip=True) == "NW"  # initials, decorative: the name is the heading beside them
    assert avatar["aria-hidden"] == "true"


def test_a_profile_names_the_source_its_expert_is_quoted_from(client):
    soup, _ = profile(client, "chen-jian")
    assert facts(soup)["Quoted from"] == "Cainiu Health"
    assert not soup.select_one(".profile__role")  # the source gives no department for Dr Chen Jian

    answer = QuestionPage.objects.get(slug="massage-therapy-for-lumbar-disc-herniation")
    answer.source_url = "https://www.example.com/cainiu/massage"
    with publishing_unreviewed_source_material("a test: a source with its address"):
        answer.save_revision().publish()
    soup, _ = profile(client, "chen-jian")
    link = soup.select_one(".profile__facts a[href='https://www.example.com/cainiu/massage']")
    assert link.get_text(strip=True) == "Cainiu Health"
    assert "noopener" in link["rel"]


def test_a_profile_with_a_biography_and_reviews_shows_them(client):
    expert = ExpertPage.objects.get(slug="su-zhen-bo")
    expert.bio = "<p>A spine surgeon.</p>"
    expert.institution = "City Hospital"
    with publishing_unreviewed_source_material("a test: a profile with a biography"):
        expert.save_revision().publish()
    today = datetime.date(2026, 1, 5)
    QuestionPage.objects.filter(slug__in=["relieve-lower-back-stiffness", "lumbar-disc-herniation-symptoms"]).update(
        reviewed_by=expert, last_reviewed_on=today
    )

    soup, text = profile(client, "su-zhen-bo")
    assert soup.select_one(".profile__role").get_text(strip=True) == "Orthopedics, City Hospital"
    assert facts(soup)["Pages reviewed"] == "2 pages"
    assert soup.select_one(".profile__facts a[href='#reviewed']")
    assert soup.find(id="bio-heading")
    assert "A spine surgeon." in text
    assert not soup.select_one(".profile__note")
    reviewed = {a["href"] for a in soup.select("#reviewed .card a")}
    assert reviewed == {"/questions/relieve-lower-back-stiffness/", "/questions/lumbar-disc-herniation-symptoms/"}


def test_where_an_expert_is_quoted_from_costs_one_query():
    expert = ExpertPage.objects.get(slug="chen-jian")
    with CaptureQueriesContext(connection) as queries:
        assert expert.quoted_from() == [("Cainiu Health", "")]
    assert len(queries) == 1
