"""What every page says about itself: title, meta description, canonical, Open Graph and JSON-LD."""

import json
import re
from pathlib import Path

import pytest
import wagtail_factories
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Page
from wagtail.rich_text import RichText

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.models import ArticlePage, HealthContentPage, QuestionPage, TopicPage
from articles.tests.test_clinical_review import act, draft_question, submit
from discsite.core import navigation
from discsite.core.models import IndexPage
from discsite.core.schema import DEFAULT_SHARE_IMAGE
from discsite.core.text import trim_description
from discsite.models import HomePage
from discsite.structured_data import json_ld_script, page_graph
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.usefixtures("seeded")

ARTICLE_004 = "/articles/herniated-discs-and-back-muscle-spasms/"
MAIN_QUESTION = "/questions/relieve-lower-back-stiffness/"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup):
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, "one JSON-LD block per page"
    data = json.loads(scripts[0].string)
    assert data["@context"] == "https://schema.org"
    return data


def types(node):
    value = node.get("@type", [])
    return value if isinstance(value, list) else [value]


def nodes_of_type(data, schema_type):
    return [node for node in data["@graph"] if schema_type in types(node)]


def one_node(data, schema_type):
    found = nodes_of_type(data, schema_type)
    assert len(found) == 1, f"one {schema_type} in {[types(node) for node in data['@graph']]}"
    return found[0]


def meta(soup, key):
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    return tag["content"] if tag else None


def canonical(soup):
    return soup.find("link", rel="canonical")["href"]


def absolute(path):
    return f"http://testserver{path}"


def visible_crumbs(soup):
    nav = soup.find("nav", attrs={"aria-label": "Breadcrumb"})
    return [(link.get_text(strip=True), absolute(link["href"])) for link in nav.find_all("a")]


def assert_person(person, expert):
    assert {"Person"} <= set(types(person))
    assert person["name"] == expert.title
    assert person["url"] == absolute(expert.url)
    if expert.honorific:
        assert person["honorificPrefix"] == expert.honorific
    if expert.department:
        # schema.org's Physician is a practice (an organisation); the person is an IndividualPhysician.
        assert types(person) == ["Person", "IndividualPhysician"]
        assert person["medicalSpecialty"]


def test_every_seeded_page_has_json_ld_with_the_properties_of_its_type(client):
    pages = list(Page.objects.live().filter(depth__gte=2).specific())
    assert len(pages) == 30
    seen = set()
    for page in pages:
        soup = get(client, page.url)
        data = json_ld(soup)
        assert not any("QAPage" in types(node) for node in data["@graph"]), "QAPage is for user-answered questions"
        if isinstance(page, HomePage):
            site = one_node(data, "WebSite")
            assert site["url"] == absolute("/")
            action = site["potentialAction"]
            assert action["@type"] == "SearchAction"
            assert action["target"]["urlTemplate"] == absolute("/search/?q={search_term_string}")
            assert action["query-input"] == "required name=search_term_string"
            assert not nodes_of_type(data, "BreadcrumbList")
            seen.add("home")
            continue

        breadcrumbs = one_node(data, "BreadcrumbList")
        items = breadcrumbs["itemListElement"]
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        assert [(item["name"], item["item"]) for item in items] == visible_crumbs(soup), page.url
        assert items[-1]["item"] == canonical(soup) == absolute(page.url)

        if isinstance(page, HealthContentPage):
            node = one_node(data, "MedicalWebPage")
            assert node["name"] == node["headline"] == page.title
            assert node["url"] == absolute(page.url)
            assert node["description"] == meta(soup, "description")
            assert node["inLanguage"] == "en-GB"
            # Dated as the content is: the source's own date, never the day the seed ran.
            if page.content_published_on:
                assert node["datePublished"] == page.content_published_on.isoformat()
            else:
                assert "datePublished" not in node
            assert node["isPartOf"]["@id"] == one_node(data, "WebSite")["@id"]
            assert node["publisher"]["@id"] == one_node(data, "Organization")["@id"]
            assert node["about"]["@type"] == "MedicalCondition"
            assert node["about"]["name"] == "Lumbar disc herniation"
            assert {"Herniated disc", "Slipped disc"} <= set(node["about"]["alternateName"])
            assert node["keywords"] == ", ".join(tag.name for tag in page.tag_list)
            if page.author:
                assert_person(node["author"], page.author)
            else:
                assert node["author"]["@type"] == "Organization"
                assert node["author"]["name"] == "Discsite editorial team"
            # Nothing seeded has been clinically reviewed, so nothing claims it was.
            assert "reviewedBy" not in node
            assert "lastReviewed" not in node
            if isinstance(page, QuestionPage):
                question = node["mainEntity"]
                assert question["@type"] == "Question"
                assert question["name"] == question["text"] == page.title
                # Who asked is not recorded: the question as worded on the page is the editorial team's.
                assert question["author"]["@type"] == "Organization"
                assert question["author"]["name"] == "Discsite editorial team"
                assert question.get("datePublished") == node.get("datePublished")
                answer = question["acceptedAnswer"]
                assert answer["@type"] == "Answer"
                assert answer["text"].startswith(page.summary.strip())
                assert len(answer["text"]) > len(page.summary) + 100, "the full answer follows the short one"
                assert_person(answer["author"], page.author)
                assert answer.get("datePublished") == node.get("datePublished")
                seen.add("question")
            else:
                assert "mainEntity" not in node
                seen.add("article")
        elif isinstance(page, ExpertPage):
            profile = one_node(data, "ProfilePage")
            assert profile["url"] == absolute(page.url)
            person = profile["mainEntity"]
            assert_person(person, page)
            if page.department:
                assert person["medicalSpecialty"] == "https://schema.org/Musculoskeletal"  # Orthopedics
            seen.add("expert")
        elif isinstance(page, TopicPage | IndexPage):
            collection = one_node(data, "CollectionPage")
            assert collection["name"] == page.title
            assert collection["url"] == absolute(page.url)
            assert collection["description"] == meta(soup, "description")
            seen.add(type(page).__name__)
        else:
            pytest.fail(f"no structured data expectations for {type(page).__name__}")
    assert seen == {
        "home",
        "question",
        "article",
        "expert",
        "TopicPage",
        "TopicIndexPage",
        "QuestionIndexPage",
        "ArticleIndexPage",
        "ExpertIndexPage",
    }


def test_the_main_answer_transcribes_its_body_and_names_its_expert(client):
    node = one_node(json_ld(get(client, MAIN_QUESTION)), "MedicalWebPage")
    answer = node["mainEntity"]["acceptedAnswer"]
    assert "The peak incidence age is around forty" in answer["text"]
    assert answer["author"]["name"] == "Wang Fei"
    assert answer["author"]["honorificPrefix"] == "Dr"
    assert answer["author"]["url"] == absolute("/experts/wang-fei/")
    assert node["datePublished"] == "2025-01-23"  # the source's date (source 000)
    question = node["mainEntity"]
    assert question["datePublished"] == answer["datePublished"] == "2025-01-23"
    assert question["author"]["@id"] == absolute("/#editorial-team")


def test_article_004_cites_both_studies_and_leaves_out_its_sponsored_section_as_sponsor(client):
    node = one_node(json_ld(get(client, ARTICLE_004)), "MedicalWebPage")
    citations = node["citation"]
    assert [citation["isPartOf"]["name"] for citation in citations] == [
        "Interdisciplinary Neurosurgery",
        "New England Journal of Medicine",
    ]
    for citation in citations:
        assert citation["@type"] == "ScholarlyArticle"
        assert citation["isPartOf"]["@type"] == "Periodical"
        assert "gives no authors, title or year" in citation["description"]
        # The source gave no title, authors, year or identifiers: none are invented.
        assert not {"name", "author", "datePublished", "sameAs"} & set(citation)
    assert "sponsor" not in node
    assert node["author"]["@type"] == "Organization", "an unsigned article is the editorial team's"


def test_a_full_citation_has_authors_year_journal_and_links(client):
    page = ArticlePageFactory(
        title="A cited article",
        references=[
            (
                "citation",
                {
                    "authors": "Smith J, Lee K, et al.",
                    "title": "Surgery versus physiotherapy for sciatica",
                    "journal": "Example Spine Journal",
                    "year": 2021,
                    "doi": "https://doi.org/10.1000/xyz123",
                    "pmid": "12345678",
                    "url": "",
                    "note": "",
                },
            )
        ],
    )
    (citation,) = one_node(json_ld(get(client, page.url)), "MedicalWebPage")["citation"]
    assert citation["name"] == citation["headline"] == "Surgery versus physiotherapy for sciatica"
    assert [author["name"] for author in citation["author"]] == ["Smith J", "Lee K"]
    assert citation["datePublished"] == "2021"
    assert citation["isPartOf"]["name"] == "Example Spine Journal"
    assert citation["sameAs"] == ["https://doi.org/10.1000/xyz123", "https://pubmed.ncbi.nlm.nih.gov/12345678/"]
    assert {"propertyID": "DOI", "value": "10.1000/xyz123", "@type": "PropertyValue"} in citation["identifier"]


def test_review_properties_appear_only_once_a_clinician_has_reviewed_the_page(client, roles):
    page = submit(draft_question(roles["editor"], title="Is walking good for a herniated disc?"), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="Accurate.", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    node = one_node(json_ld(get(client, page.url)), "MedicalWebPage")
    assert node["lastReviewed"] == timezone.localdate().isoformat()
    assert_person(node["reviewedBy"], roles["clinician"].expert_profile)
    assert node["reviewedBy"]["name"] == "Ada Reviewer"
    # The same page type, never reviewed, says nothing about a review.
    unreviewed = one_node(json_ld(get(client, MAIN_QUESTION)), "MedicalWebPage")
    assert "lastReviewed" not in unreviewed
    assert "reviewedBy" not in unreviewed


def test_quotes_and_script_tags_in_content_cannot_break_out_of_the_json_ld(client):
    hostile = 'Is "this" </script><script>alert(1)</script> <!-- \u2028 safe? & it\'s -->'
    page = QuestionPageFactory(
        title=hostile,
        summary=f"Summary {hostile}",
        body=[("paragraph", RichText("<p>A plain full answer.</p>"))],
    )
    response = client.get(page.url)
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert not [
        script for script in soup.find_all("script") if "alert(1)" in script.get_text() and not script.get("type")
    ]
    node = one_node(json_ld(soup), "MedicalWebPage")
    assert node["name"] == hostile
    assert node["mainEntity"]["acceptedAnswer"]["text"].startswith(f"Summary {hostile}")
    # In the attributes, the same text is escaped as HTML.
    assert meta(soup, "og:title") == hostile


def test_json_ld_script_escapes_what_could_end_the_element():
    script = str(json_ld_script({"name": "</script><!-- & -->"}))
    body = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', script, re.S).group(1)
    assert "<" not in body
    assert ">" not in body
    assert "&" not in body
    assert json.loads(body) == {"name": "</script><!-- & -->"}


def test_title_meta_description_canonical_and_open_graph_of_a_health_page(client):
    soup = get(client, MAIN_QUESTION)
    page = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    assert soup.title.get_text() == f"{page.title} | discsite"
    description = meta(soup, "description")
    assert description == trim_description(page.summary)
    assert description.startswith("Resting in bed, applying heat")
    assert canonical(soup) == absolute(MAIN_QUESTION)
    assert meta(soup, "og:type") == "article"
    assert meta(soup, "og:title") == page.title
    assert meta(soup, "og:description") == description
    assert meta(soup, "og:url") == canonical(soup)
    assert meta(soup, "og:site_name") == "discsite"
    # No image of its own: the site's share image, as an absolute URL.
    assert meta(soup, "og:image") == absolute("/static/discsite/images/share.png")
    assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("1200", "630")
    assert meta(soup, "og:image:alt").startswith("discsite: lumbar disc herniation, explained")
    assert meta(soup, "twitter:card") == "summary_large_image"
    assert meta(soup, "twitter:title") == page.title
    assert meta(soup, "twitter:description") == description
    assert meta(soup, "twitter:image") == meta(soup, "og:image")
    assert meta(soup, "twitter:image:alt") == meta(soup, "og:image:alt")
    assert "primaryImageOfPage" not in one_node(json_ld(soup), "MedicalWebPage"), "the share image is not the page's"
    assert meta(soup, "article:published_time").startswith("2025-01-23")
    feed = soup.find("link", rel="alternate", type="application/atom+xml")
    assert feed["href"] == "/feed/"


def test_no_date_a_health_page_gives_machines_is_the_day_the_seed_ran(client):
    """Link previews and search engines get the content's own dates, as readers do (the seed ran today)."""
    today = timezone.localdate().isoformat()
    for page in [*QuestionPage.objects.live(), *ArticlePage.objects.live()]:
        soup = get(client, page.url)
        published = page.content_published_on and page.content_published_on.isoformat()
        updated = page.content_updated_on and page.content_updated_on.isoformat()
        assert meta(soup, "article:published_time") == published, page.url
        assert meta(soup, "article:modified_time") == updated, page.url
        dates = re.findall(r'"date\w*": "([^"]+)"', json.dumps(json_ld(soup)))
        assert not [date for date in dates if date.startswith(today)], page.url


def test_open_graph_types_of_the_other_pages(client):
    assert meta(get(client, "/"), "og:type") == "website"
    assert meta(get(client, "/topics/massage/"), "og:type") == "website"
    expert = get(client, "/experts/wang-fei/")
    assert meta(expert, "og:type") == "profile"
    assert meta(expert, "og:title") == "Dr Wang Fei"


def test_an_expert_photo_is_the_og_image_and_the_person_image(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = wagtail_factories.ImageFactory(title="Portrait", file__width=800, file__height=800)
    expert = ExpertPageFactory(title="Photo Graphed", photo=photo, job_title="Consultant", institution="City Hospital")
    soup = get(client, expert.url)
    image_url = meta(soup, "og:image")
    assert image_url.startswith("http://testserver/")
    assert image_url.endswith((".png", ".jpg", ".jpeg", ".webp"))
    assert meta(soup, "og:image:alt") == "Dr Photo Graphed"
    assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("600", "600")
    assert meta(soup, "twitter:card") == "summary", "a square portrait: the small card, not cut to a strip"
    assert meta(soup, "twitter:image") == image_url
    profile = one_node(json_ld(soup), "ProfilePage")
    person = profile["mainEntity"]
    assert person["image"] == image_url
    assert profile["primaryImageOfPage"]["url"] == image_url
    assert person["jobTitle"] == "Consultant"
    assert person["worksFor"] == {"@type": "Organization", "name": "City Hospital"}
    # Without a portrait, link previews show the site's image, and the person has none.
    plain = get(client, ExpertPageFactory(title="No Photo").url)
    assert meta(plain, "og:image") == absolute("/static/discsite/images/share.png")
    assert "image" not in one_node(json_ld(plain), "ProfilePage")["mainEntity"]


def test_an_articles_first_image_is_its_share_image_at_the_large_card_size(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    figure = wagtail_factories.ImageFactory(file__width=2400, file__height=1600)
    body = [
        ("paragraph", RichText("<p>Text.</p>")),
        ("image", {"image": figure, "alt_text": "A model of the lumbar spine", "caption": "", "credit": ""}),
    ]
    soup = get(client, ArticlePageFactory(body=body).url)
    image_url = meta(soup, "og:image")
    assert image_url.startswith("http://testserver/")
    assert "fill-1200x630" in image_url
    assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("1200", "630")
    assert meta(soup, "og:image:alt") == meta(soup, "twitter:image:alt") == "A model of the lumbar spine"
    assert meta(soup, "twitter:card") == "summary_large_image"
    image = one_node(json_ld(soup), "MedicalWebPage")["primaryImageOfPage"]
    assert image == {
        "@type": "ImageObject",
        "url": image_url,
        "width": 1200,
        "height": 630,
        "caption": "A model of the lumbar spine",
    }


def test_the_share_image_is_a_1200_by_630_png():
    path = Path(finders.find(DEFAULT_SHARE_IMAGE["path"]))
    with PILImage.open(path) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
    assert (DEFAULT_SHARE_IMAGE["width"], DEFAULT_SHARE_IMAGE["height"]) == (1200, 630)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"search_description": "Written for search.", "summary": "The summary."}, "Written for search."),
        ({"search_description": "", "summary": "The summary."}, "The summary."),
        ({"search_description": "", "summary": "  "}, "The first paragraph."),
    ],
)
def test_meta_description_falls_back_from_search_description_to_summary_to_first_paragraph(fields, expected):
    body = [("heading", {"text": "A heading", "level": "h2"}), ("paragraph", RichText("<p>The first paragraph.</p>"))]
    page = ArticlePage(title="A page", body=body, **fields)
    assert page.get_meta_description() == expected


def test_meta_description_falls_back_to_the_intro_and_is_rendered(client):
    topic = TopicPage.objects.get(slug="massage")
    assert topic.get_meta_description() == topic.intro
    assert meta(get(client, topic.url), "description") == topic.intro
    page = ArticlePageFactory(summary=" ", body=[("paragraph", RichText("<p>Only the body &amp; its words.</p>"))])
    soup = get(client, page.url)
    assert meta(soup, "description") == meta(soup, "og:description") == "Only the body & its words."


def test_long_descriptions_are_trimmed_on_a_word_boundary(client):
    text = "word " * 50 + "end"
    trimmed = trim_description(text)
    assert len(trimmed) <= 160
    assert trimmed.endswith("word…")
    assert trim_description("  short \n text ") == "short text"
    # Seed 004's summary is longer than a search result shows.
    soup = get(client, ARTICLE_004)
    description = meta(soup, "description")
    assert len(description) <= 160
    assert description.endswith("…")
    summary = ArticlePage.objects.get(slug="herniated-discs-and-back-muscle-spasms").summary
    assert " ".join(summary.split()).startswith(description[:-1])


def test_each_page_type_builds_its_own_graph_on_what_every_page_has(rf):
    """`schema_graph` / `schema_node`: each type adds to its base type's node (super()), no type switch."""
    request = rf.get("/")
    question = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    graph = question.schema_graph(request)
    assert graph == page_graph(question, request)
    node, breadcrumbs, website, organization = graph["@graph"]
    assert node["@id"] == absolute(f"{MAIN_QUESTION}#webpage")  # every page
    assert node["about"]["@type"] == "MedicalCondition"  # every health page
    assert node["mainEntity"]["@type"] == "Question"  # an answer
    assert "citation" not in node  # only articles cite
    assert node["breadcrumb"] == {"@id": breadcrumbs["@id"]}
    assert [website["@type"], organization["@type"]] == ["WebSite", "Organization"]
    assert "potentialAction" not in website, "only the home page says how to search the site"
    home = HomePage.objects.get()
    assert [node["@type"] for node in home.schema_graph(request)["@graph"]] == ["WebSite", "Organization"]
    expert = ExpertPage.objects.get(slug="wang-fei")
    assert expert.schema_node(request, "u")["mainEntity"] == expert.person_node(request, full=True)
    assert "description" not in expert.person_node(request), "a byline needs no biography"


def test_the_breadcrumb_trail_comes_from_the_ground_and_is_kept_on_the_page(rf, django_assert_num_queries):
    request = rf.get("/")
    page = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    page.get_url(request)  # the site's root paths, looked up once per request anyway
    with django_assert_num_queries(1):  # not routed: its ancestors, once
        crumbs = navigation.breadcrumb_trail(request, page)
    with django_assert_num_queries(0):
        assert navigation.breadcrumb_trail(request, page) == crumbs
    assert [crumb["title"] for crumb in crumbs] == ["Home", "Expert answers", page.title]
    assert crumbs[-1]["url"] is None
    assert navigation.breadcrumb_trail(request, None, "Search") == [
        {"title": "Home", "url": "/"},
        {"title": "Search", "url": None},
    ]
