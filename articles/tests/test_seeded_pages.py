"""Every seeded page renders with its key facts, accessibly, and links to the pages it should."""

import re

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page

pytestmark = pytest.mark.usefixtures("seeded")


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    soup = BeautifulSoup(response.content, "html.parser")
    return soup, re.sub(r"\s+", " ", soup.get_text(" ")).replace(" ,", ",")


def links(soup):
    return {a["href"] for a in soup.find_all("a", href=True)}


def all_public_urls():
    return [page.url for page in Page.objects.live().filter(depth__gte=2).specific()]


def test_every_seeded_page_is_accessible_in_structure(client):
    urls = all_public_urls()
    assert len(urls) == 30  # home, 4 sections, 7 experts, 8 topics, 7 answers, 3 articles
    for url in urls:
        soup, _ = get(client, url)
        assert len(soup.find_all("h1")) == 1, url
        assert soup.html["lang"].lower().startswith("en")
        first_link = soup.find("a")
        assert first_link["href"] == "#main-content", f"skip link first on {url}"
        assert soup.find("main", id="main-content"), url
        for landmark in ("header", "nav", "footer"):
            assert soup.find(landmark), f"<{landmark}> on {url}"
        assert soup.find("meta", attrs={"name": "description"})["content"].strip(), url
        if url != "/":
            crumbs = soup.find("nav", attrs={"aria-label": "Breadcrumb"})
            assert crumbs, f"breadcrumbs on {url}"
            assert crumbs.find(attrs={"aria-current": "page"}), url
        for tag in soup.find_all(["script", "img", "link"]):
            src = tag.get("src") or tag.get("href") or ""
            if tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            assert not src.startswith(("http://", "https://", "//")), f"external resource {src} on {url}"


def test_main_question_shows_byline_other_voices_and_review_status(client):
    soup, text = get(client, "/questions/relieve-lower-back-stiffness/")
    assert soup.h1.get_text(strip=True) == (
        "How to relieve stiffness in the lower back caused by lumbar disc herniation?"
    )
    assert "Written by Dr Wang Fei, Orthopedics · Updated 23 Jan 2025" in text
    assert "/experts/wang-fei/" in links(soup)
    # Published as the source gave it, and waiting for its first clinical review (the seed starts it).
    assert "Awaiting clinical review" in text
    assert "Not yet clinically reviewed" not in text
    assert "Short answer" in text
    assert "Other voices" in text
    for slug in (
        "is-a-herniated-lumbar-disc-serious",
        "symptoms-of-lumbar-disc-herniation",
        "lumbar-disc-herniation-symptoms",
        "can-a-herniated-lumbar-disc-cause-leg-pain",
        "lumbar-disc-herniation-symptom-diagram",
    ):
        assert f"/questions/{slug}/" in links(soup)
    assert "Dr Na Hong Wei, Orthopedics" in text
    assert "Audio answer" not in text  # the site has none of the recordings (see test_audio_answers.py)
    assert "/topics/treatment/" in links(soup)
    assert "Get medical help immediately" in text  # the urgent-care card


def test_other_voice_shows_its_audio_duration(client):
    _, text = get(client, "/questions/is-a-herniated-lumbar-disc-serious/")
    assert "as a spoken recording, 1 minute 32 seconds long, where it was first published" in text
    assert "Written by Dr Na Hong Wei, Orthopedics" in text


def test_massage_answer_credits_its_source(client):
    soup, text = get(client, "/questions/massage-therapy-for-lumbar-disc-herniation/")
    assert "Written by Dr Chen Jian · Updated 14 Nov 2024" in text
    assert "Source: Cainiu Health" in text
    assert "Short answer Patients with mild to moderate lumbar disc herniation" in text
    assert "Related Articles" not in text
    assert "/experts/chen-jian/" in links(soup)


def test_sponsored_article_cannot_be_missed(client):
    soup, text = get(client, "/articles/herniated-discs-and-back-muscle-spasms/")
    main_text = soup.main.get_text(" ")
    # After the title (the h1 is the page's first heading), before the body.
    assert main_text.index(soup.h1.get_text()) < main_text.index("This page contains sponsored content")
    assert main_text.index("This page contains sponsored content") < main_text.index("What is a herniated disc?")
    assert "Sponsored" in text
    link = soup.find("a", href="https://www.barricaid.com/instructions")
    assert set(link["rel"]) >= {"sponsored", "nofollow"}
    assert "Editors' note" in text
    assert "those lists were lost" in text
    assert "Written by the discsite editorial team" in text
    assert "Interdisciplinary Neurosurgery" in text
    assert "New England Journal of Medicine" in text
    assert text.count("Get medical help immediately") >= 1
    assert "Awaiting clinical review" in text


def test_leg_weakness_article_has_its_note_and_neighbours(client):
    soup, _text = get(client, "/articles/lumbar-disc-herniation-and-leg-weakness/")
    callout = soup.find(string=re.compile("When you experience lower back pain")).find_parent(class_="callout")
    assert "callout--warning" in callout["class"]
    assert "Note" in callout.get_text()
    article_links = {href for href in links(soup) if href.startswith("/articles/") and href != "/articles/"}
    assert "/articles/herniated-discs-and-back-muscle-spasms/" in article_links


def test_expert_page_lists_their_answers(client):
    soup, text = get(client, "/experts/na-hong-wei/")
    assert soup.h1.get_text(" ", strip=True).startswith("Dr Na Hong Wei")
    assert "Orthopedics" in text
    assert "/questions/is-a-herniated-lumbar-disc-serious/" in links(soup)
    assert "has not reviewed any pages yet" in text


def test_topic_page_lists_everything_with_its_tag(client):
    soup, _ = get(client, "/topics/treatment/")
    expected = {
        "/questions/relieve-lower-back-stiffness/",
        "/questions/is-a-herniated-lumbar-disc-serious/",
        "/questions/can-a-herniated-lumbar-disc-cause-leg-pain/",
        "/questions/massage-therapy-for-lumbar-disc-herniation/",
        "/articles/leg-pain-and-numbness-from-a-herniated-disc/",
        "/articles/herniated-discs-and-back-muscle-spasms/",
    }
    assert expected <= links(soup)
    assert "/questions/lumbar-disc-herniation-symptom-diagram/" not in links(soup)


def test_index_pages_list_their_children(client):
    soup, _ = get(client, "/questions/")
    assert len([href for href in links(soup) if href.startswith("/questions/") and href != "/questions/"]) >= 7
    soup, _ = get(client, "/experts/")
    assert len([href for href in links(soup) if href.startswith("/experts/") and href != "/experts/"]) == 7
    soup, _ = get(client, "/topics/")
    assert len([href for href in links(soup) if href.startswith("/topics/") and href != "/topics/"]) == 8


def test_home_page_shows_latest_answers_articles_topics_and_experts(client):
    soup, _text = get(client, "/")
    home_links = links(soup)
    assert "/questions/relieve-lower-back-stiffness/" in home_links  # featured
    assert len([h for h in home_links if h.startswith("/articles/") and h != "/articles/"]) >= 3
    assert len([h for h in home_links if h.startswith("/topics/") and h != "/topics/"]) == 8
    assert len([h for h in home_links if h.startswith("/experts/") and h != "/experts/"]) == 7
    assert soup.find("form", attrs={"action": "/search/"})


def test_every_seeded_page_is_reachable_by_links_from_home(client):
    """Follow links from the home page: every live page can be reached."""
    wanted = set(all_public_urls())
    seen, queue = set(), ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        soup, _ = get(client, url)
        queue.extend(href for href in links(soup) if href in wanted and href not in seen)
    assert wanted <= seen


def test_missing_page_is_a_styled_404(client):
    response = client.get("/questions/no-such-question/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.find_all("h1")) == 1
    assert soup.find("form", attrs={"action": "/search/"})
