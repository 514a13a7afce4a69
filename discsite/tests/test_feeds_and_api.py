"""Discovery and reuse: sitemap, robots.txt, the Atom feed and the read-only API. Drafts never leak."""

import datetime
import itertools
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
from articles.models import HEALTH_PAGE_MODELS, QuestionPage
from articles.tests.test_clinical_review import act, draft_question, submit
from discsite import api as api_module
from discsite.core.caching import STRUCTURE_VERSION_ROW
from discsite.core.models import ContentVersion
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.usefixtures("seeded")

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECRET = "Zyxwvut"  # a word only the drafts below contain


def absolute(path):
    return f"http://testserver{path}"


def live_health_pages():
    return Page.objects.live().type(*HEALTH_PAGE_MODELS)


@pytest.fixture
def drafts():
    """A page that was never published and one that was published, then unpublished."""
    never = QuestionPageFactory(
        title=f"{SECRET}: a draft answer?",
        summary=f"{SECRET} draft.",
        author=ExpertPage.objects.get(slug="wang-fei"),
        live=False,
        tags=["Treatment"],
    )
    never.save_revision()
    withdrawn = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptom-diagram")
    withdrawn.unpublish()
    return {"never": never, "withdrawn": withdrawn}


def count_queries(client, url):
    """The queries of a request once Wagtail's caches (sites, their root paths) are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries), response


# ---------------------------------------------------------------- sitemap and robots.txt


def sitemap_sections(client):
    """The sections /sitemap.xml names, with their last-modified dates."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - the site's own response
    return {item.find(f"{SITEMAP}loc").text: item.find(f"{SITEMAP}lastmod") for item in root.iter(f"{SITEMAP}sitemap")}


def sitemap_entries(client, section_url):
    response = client.get(section_url.removeprefix("http://testserver"))
    assert response.status_code == 200, section_url
    root = ET.fromstring(response.content)  # noqa: S314 - the site's own response
    return {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod") for url in root.iter(f"{SITEMAP}url")}


def test_sitemap_lists_every_live_page_with_lastmod_and_no_draft(client, drafts):
    sections = sitemap_sections(client)
    assert list(sections) == ["http://testserver/sitemap-pages.xml"]
    latest = max(page.last_published_at for page in Page.objects.live().filter(depth__gte=2))
    assert datetime.datetime.fromisoformat(sections["http://testserver/sitemap-pages.xml"].text) == latest
    entries = sitemap_entries(client, "http://testserver/sitemap-pages.xml")
    expected = {absolute(page.url) for page in Page.objects.live().filter(depth__gte=2)}
    assert len(expected) == 29  # the seeded 30, less the withdrawn answer
    assert set(entries) == expected
    for location, lastmod in entries.items():
        assert lastmod is not None, location
        datetime.date.fromisoformat(lastmod.text)
    assert entries[absolute("/questions/relieve-lower-back-stiffness/")].text == "2025-01-23"
    assert absolute(drafts["withdrawn"].url) not in entries
    assert not any(SECRET.lower() in location for location in entries)


def test_a_large_sitemap_is_split_into_sections_that_list_each_page_once(client, monkeypatch):
    from discsite.sitemaps import PageSitemap

    monkeypatch.setattr(PageSitemap, "limit", 10)
    sections = sitemap_sections(client)
    base = "http://testserver/sitemap-pages.xml"
    assert list(sections) == [base, f"{base}?p=2", f"{base}?p=3"]
    listed = [location for section in sections for location in sitemap_entries(client, section)]
    assert len(listed) == len(set(listed)) == Page.objects.live().filter(depth__gte=2).count()
    assert client.get("/sitemap-pages.xml?p=4").status_code == 404
    assert client.get("/sitemap-other.xml").status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# ---------------------------------------------------------------- the Atom feed


def feed_entries(client):
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - the site's own response; raises unless well-formed
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_feed_is_atom_with_the_latest_answers_and_articles_newest_first(client, drafts):
    root, entries = feed_entries(client)
    assert root.find(f"{ATOM}title").text == "discsite: latest expert answers and articles"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == absolute("/feed/")
    expected = list(live_health_pages().order_by("-first_published_at", "-pk").specific())
    assert len(expected) == 9
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [page.title for page in expected]
    # Newest publication first; <published> only where the content has a date (test_feed_dates_...).
    published = [element.text for entry in entries if (element := entry.find(f"{ATOM}published")) is not None]
    assert published == sorted(published, reverse=True)
    assert not any(SECRET in entry.find(f"{ATOM}title").text for entry in entries)

    by_link = {entry.find(f"{ATOM}link").get("href"): entry for entry in entries}
    main = by_link[absolute("/questions/relieve-lower-back-stiffness/")]
    assert main.find(f"{ATOM}author/{ATOM}name").text == "Dr Wang Fei"
    assert main.find(f"{ATOM}author/{ATOM}uri").text == absolute("/experts/wang-fei/")
    assert main.find(f"{ATOM}summary").text.startswith("Resting in bed, applying heat")
    assert main.find(f"{ATOM}published").text.startswith("2025-01-23")
    assert main.find(f"{ATOM}updated").text.startswith("2025-01-23")
    assert main.find(f"{ATOM}id").text == absolute("/questions/relieve-lower-back-stiffness/")
    assert {category.get("term") for category in main.findall(f"{ATOM}category")} == {
        "Massage and manual therapy",
        "Muscle spasms and stiffness",
        "Treatment",
    }
    unsigned = by_link[absolute("/articles/herniated-discs-and-back-muscle-spasms/")]
    assert unsigned.find(f"{ATOM}author/{ATOM}name").text == "the discsite editorial team"


def test_feed_dates_are_the_contents_never_when_the_seed_ran(client):
    """Issue 15: an entry is dated as its page is (HealthContentPage.content_moments). Source material the
    seed published carries its source's date, whenever the seed ran; with no date of its own, an entry has
    no <published>, and its <updated> (which Atom requires) is when the page was last published here."""
    sourced = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    assert sourced.source_updated_on == datetime.date(2025, 1, 23)
    # The seed run again publishes it again: Wagtail's publication times are then the seed's.
    seed_ran = timezone.now()
    Page.objects.filter(pk=sourced.pk).update(first_published_at=seed_ran, last_published_at=seed_ran)
    undated = QuestionPage.objects.get(slug="lumbar-disc-herniation-symptoms")
    assert undated.content_published_on is undated.content_updated_on is None

    _, entries = feed_entries(client)
    by_link = {entry.find(f"{ATOM}link").get("href"): entry for entry in entries}
    entry = by_link[absolute(sourced.url)]
    assert entry.find(f"{ATOM}published").text == "2025-01-23T00:00:00+00:00"
    assert entry.find(f"{ATOM}updated").text == "2025-01-23T00:00:00+00:00"
    entry = by_link[absolute(undated.url)]
    assert entry.find(f"{ATOM}published") is None
    assert entry.find(f"{ATOM}updated").text == undated.last_published_at.isoformat()


def test_feed_keeps_the_20_newest_in_a_fixed_number_of_queries(client):
    baseline, _ = count_queries(client, "/feed/")
    assert baseline <= 10
    now = timezone.now()
    for number in range(15):
        factory = QuestionPageFactory if number % 2 else ArticlePageFactory
        factory(
            title=f"New page {number}",
            first_published_at=now + datetime.timedelta(minutes=number),
            tags=[f"Tag {number}", "Treatment"],
        )
    queries, _ = count_queries(client, "/feed/")
    assert queries == baseline, "one query per item would be an N+1"
    _, entries = feed_entries(client)
    assert len(entries) == 20
    assert entries[0].find(f"{ATOM}title").text == "New page 14"


def test_the_feed_is_linked_from_every_page_head_and_footer(client):
    response = client.get("/")
    html = response.content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feed/"' in html


# ---------------------------------------------------------------- the API


def api(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.json()


def listed_ids(client, url):
    return {item["id"] for item in api(client, url)["items"]}


def test_api_index_links_the_endpoints(client):
    assert api(client, "/api/v2/") == {
        "pages": absolute("/api/v2/pages/"),
        "images": absolute("/api/v2/images/"),
        "documents": absolute("/api/v2/documents/"),
    }
    for endpoint in ("pages", "images", "documents"):
        assert "items" in api(client, f"/api/v2/{endpoint}/")


def test_api_lists_live_answers_with_author_review_record_and_tags(client):
    data = api(client, "/api/v2/pages/?type=articles.QuestionPage&fields=summary,author,last_reviewed_on,tags")
    assert data["meta"]["total_count"] == 7
    main = next(item for item in data["items"] if item["meta"]["slug"] == "relieve-lower-back-stiffness")
    assert main["title"] == "How to relieve stiffness in the lower back caused by lumbar disc herniation?"
    assert main["summary"].startswith("Resting in bed, applying heat")
    assert main["tags"] == ["Massage and manual therapy", "Muscle spasms and stiffness", "Treatment"]
    author = main["author"]
    assert author["name"] == "Dr Wang Fei"
    assert author["department"] == "Orthopedics"
    assert author["url"].endswith("/experts/wang-fei/")
    assert main["last_reviewed_on"] is None


def test_api_shows_the_review_record_of_a_reviewed_page(client, roles):
    page = submit(draft_question(roles["editor"], title="Should I sleep on a firm mattress?"), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    data = api(client, f"/api/v2/pages/{page.pk}/")
    assert data["review_status"] == "reviewed"
    assert data["last_reviewed_on"] == timezone.localdate().isoformat()
    assert data["next_review_due"] == page.next_review_due.isoformat()
    assert data["reviewed_by"]["name"] == "Dr Ada Reviewer"
    assert data["reviewed_by"]["id"] == roles["clinician"].expert_profile.pk
    assert isinstance(data["body"], list)
    assert data["body"][0]["type"] == "paragraph"


def test_api_exposes_articles_with_references_experts_and_topics(client):
    article = api(
        client, "/api/v2/pages/?type=articles.ArticlePage&slug=herniated-discs-and-back-muscle-spasms&fields=*"
    )
    (item,) = article["items"]
    assert item["is_sponsored"] is True
    assert item["author"] is None
    assert [reference["value"]["journal"] for reference in item["references"]] == [
        "Interdisciplinary Neurosurgery",
        "New England Journal of Medicine",
    ]
    experts = api(client, "/api/v2/pages/?type=experts.ExpertPage&fields=*")
    assert experts["meta"]["total_count"] == 7
    wang = next(item for item in experts["items"] if item["title"] == "Wang Fei")
    assert wang["display_name"] == "Dr Wang Fei"
    assert wang["department"] == "Orthopedics"
    assert "user" not in wang, "the linked login is private"
    topics = api(client, "/api/v2/pages/?type=articles.TopicPage&fields=tag,intro")
    assert {item["tag"] for item in topics["items"]} >= {"Treatment", "Massage and manual therapy", "Leg symptoms"}


def test_api_never_returns_a_draft_however_it_is_asked_for(client, drafts):
    never, withdrawn = drafts["never"], drafts["withdrawn"]
    for page in (never, withdrawn):
        assert api(client, f"/api/v2/pages/{page.pk}/", status=404) == {"message": "No Page matches the given query."}
        assert client.get(f"/api/v2/pages/find/?id={page.pk}").status_code == 404
        assert client.get(f"/api/v2/pages/find/?html_path={page.url_path.removeprefix('/home')}").status_code == 404
        for query in ("", "?type=articles.QuestionPage", "?type=articles.QuestionPage,articles.ArticlePage"):
            separator = "&" if query else "?"
            assert api(client, f"/api/v2/pages/{query}{separator}id={page.pk}")["items"] == []
        questions_index = page.get_parent().pk
        assert page.pk not in listed_ids(client, f"/api/v2/pages/?child_of={questions_index}&limit=20")
        assert page.pk not in listed_ids(client, "/api/v2/pages/?type=articles.QuestionPage&limit=20")
        assert page.pk not in listed_ids(client, f"/api/v2/pages/?type=articles.QuestionPage&slug={page.slug}")
        assert page.pk not in listed_ids(client, "/api/v2/pages/?type=articles.QuestionPage&tags=Treatment&limit=20")
    # Search finds live pages, never the draft with the same word.
    live = QuestionPageFactory(title=f"{SECRET}: a live answer?", summary=f"{SECRET} live.")
    for url in (
        f"/api/v2/pages/?search={SECRET}",
        f"/api/v2/pages/?type=articles.QuestionPage&search={SECRET}",
    ):
        assert listed_ids(client, url) == {live.pk}
    # The whole listing is exactly the live pages.
    all_ids = set()
    for offset in range(0, 40, 20):
        all_ids |= listed_ids(client, f"/api/v2/pages/?limit=20&offset={offset}")
    assert all_ids == set(Page.objects.live().filter(depth__gte=2).values_list("pk", flat=True))


def test_api_shows_the_live_version_of_a_page_not_its_unpublished_changes(client):
    page = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    page.title = f"{SECRET} unpublished title"
    page.summary = f"{SECRET} unpublished summary"
    page.save_revision()
    data = api(client, f"/api/v2/pages/{page.pk}/")
    assert data["title"] == "How to relieve stiffness in the lower back caused by lumbar disc herniation?"
    assert SECRET not in data["summary"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_is_read_only(client, admin_user, method):
    client.force_login(admin_user)
    page = QuestionPage.objects.get(slug="relieve-lower-back-stiffness")
    for url in ("/api/v2/pages/", f"/api/v2/pages/{page.pk}/", "/api/v2/images/", "/api/v2/documents/"):
        response = getattr(client, method)(url, data={"title": "Changed"}, content_type="application/json")
        assert response.status_code == 405, (method, url)
    page.refresh_from_db()
    assert page.title == "How to relieve stiffness in the lower back caused by lumbar disc herniation?"


LISTINGS = {
    "questions": "/api/v2/pages/?type=articles.QuestionPage&limit=20&fields=summary,author,reviewed_by,tags,audio,body",
    "questions, every field": "/api/v2/pages/?type=articles.QuestionPage&limit=20&fields=*",
    "articles, every field": "/api/v2/pages/?type=articles.ArticlePage&limit=20&fields=*",
    "experts, every field": "/api/v2/pages/?type=experts.ExpertPage&limit=20&fields=*",
    "topics, every field": "/api/v2/pages/?type=articles.TopicPage&limit=20&fields=*",
    "all pages, every field": "/api/v2/pages/?limit=20&fields=*",
}


def add_pages(start, stop):
    for number in range(start, stop):
        expert = ExpertPageFactory(title=f"Extra Expert{number}")
        QuestionPageFactory(title=f"Extra question {number}?", author=expert, tags=[f"Extra {number}", "Treatment"])
        ArticlePageFactory(title=f"Extra article {number}", author=expert, tags=[f"Extra {number}"])
        TopicPageFactory(title=f"Extra topic {number}")


def test_api_listings_take_a_fixed_number_of_queries_however_many_items(client):
    add_pages(0, 1)  # every kind of related value present at least once
    before = {name: count_queries(client, url) for name, url in LISTINGS.items()}
    for name, (queries, _response) in before.items():
        assert queries <= 10, name
    add_pages(1, 8)
    for name, url in LISTINGS.items():
        queries, response = count_queries(client, url)
        data, earlier = response.json(), before[name][1].json()
        assert data["meta"]["total_count"] > earlier["meta"]["total_count"], name
        assert len(data["items"]) == min(20, data["meta"]["total_count"]), name
        assert queries == before[name][0], f"{name}: one query per item would be an N+1"


def test_api_listings_keep_a_bounded_number_of_serializers_that_answer_as_wagtails(client, monkeypatch):
    """A listing's serializer class is kept by `?type=` and `?fields=` (discsite.api.LISTING_SERIALIZERS):
    the same fields answer the same whichever listings came between, a detail is Wagtail's own each
    time, and however many different `?fields=` clients write, no more than MAX_LISTING_SERIALIZERS are kept."""
    monkeypatch.setattr(api_module, "LISTING_SERIALIZERS", {})
    urls = [
        "/api/v2/pages/?type=articles.QuestionPage&fields=tags,author",
        "/api/v2/pages/?type=articles.QuestionPage",
        "/api/v2/pages/?fields=*",
        "/api/v2/pages/?type=articles.ArticlePage&fields=_,title,summary",
    ]
    first = [api(client, url) for url in urls]
    assert first[0]["items"][0]["tags"]
    assert "tags" not in first[1]["items"][0]
    assert [api(client, url) for url in reversed(urls)] == list(reversed(first))
    page = QuestionPage.objects.live().first()
    detail = api(client, f"/api/v2/pages/{page.pk}/")
    assert detail["meta"]["parent"]["id"] == page.get_parent().pk
    assert len(api_module.LISTING_SERIALIZERS) == len(urls)

    monkeypatch.setattr(api_module, "MAX_LISTING_SERIALIZERS", 5)
    for fields in list(itertools.permutations(["title", "slug", "seo_title", "show_in_menus"]))[:12]:
        api(client, f"/api/v2/pages/?fields={','.join(fields)}")
    assert len(api_module.LISTING_SERIALIZERS) == 5


KEPT_LISTINGS = [
    "/api/v2/pages/",
    "/api/v2/pages/?type=articles.QuestionPage&fields=summary,author,reviewed_by,tags,audio,body",
    "/api/v2/pages/?type=articles.ArticlePage&fields=*",
    "/api/v2/pages/?type=experts.ExpertPage&fields=*&offset=2&limit=3",
    "/api/v2/pages/?type=articles.TopicPage&fields=tag,intro&order=-title",
    "/api/v2/pages/?fields=*&search=sciatica",
]


def reads_pages(queries):
    """Those of `queries` that read pages' own columns (not only their ids and live revisions), but for
    Wagtail's read of the view restrictions, which joins the restricted pages."""
    return [
        query["sql"]
        for query in queries
        if '"wagtailcore_page"."title"' in query["sql"].split(" FROM ", 1)[0]
        and "wagtailcore_pageviewrestriction" not in query["sql"]
    ]


@pytest.mark.usefixtures("caches_on")
@pytest.mark.parametrize("url", KEPT_LISTINGS)
def test_api_listing_items_are_kept_and_answer_as_wagtails(client, settings, url):
    """A listing's items are kept one by one (discsite.api.PublicPagesAPIViewSet.paginate_queryset): the
    next listing past the page cache reads only the ids and live revisions of its pages, and answers
    byte for byte what it answers with nothing kept. A search's results are read in full."""
    client.cookies["sessionid"] = "not-a-session"  # past the page cache: the kept items are what is tested
    settings.DISCSITE_FRAGMENT_CACHE = False
    plain = client.get(url)
    settings.DISCSITE_FRAGMENT_CACHE = True
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url)
    assert plain.status_code == first.status_code == kept.status_code == 200
    assert plain.content == first.content == kept.content
    assert kept.json()["items"], url
    assert bool(reads_pages(queries)) == ("search=" in url), url


@pytest.mark.usefixtures("caches_on")
def test_api_listing_items_show_a_change_at_once(client):
    """An item is kept per live revision of its page and structure version: its page's publication shows
    at once, and so does a change to what items show of other pages (an expert's name)."""
    from discsite.tests.test_caching import publish

    client.cookies["sessionid"] = "not-a-session"
    url = "/api/v2/pages/?type=articles.QuestionPage&fields=summary,author&limit=20&order=-id"
    expert = ExpertPageFactory(title="Ada Lovelace")
    question = QuestionPageFactory(title="Does walking help sciatica?", summary="Often.", author=expert)

    def item():
        return next(entry for entry in api(client, url)["items"] if entry["id"] == question.pk)

    assert item()["summary"] == "Often."
    structure = ContentVersion.objects.get(pk=STRUCTURE_VERSION_ROW).value
    publish(question, summary="A new short answer.")
    assert ContentVersion.objects.get(pk=STRUCTURE_VERSION_ROW).value == structure  # a local publication
    assert item()["summary"] == "A new short answer."
    publish(expert, title="Ada King")
    assert item()["author"]["name"].endswith("Ada King")
