"""Uploads reach readers only once a live page shows them (discsite/media_access.py).

Over HTTP with Django's test client: the document view (/documents/<id>/<name>), the API's image
and document endpoints, and MEDIA as served in development. An image or document uploaded for a
draft, for a page since unpublished, or for no page at all is a 404 for readers; everyone who
may use the admin (editors, clinical reviewers, moderators) still gets it, for previews.
"""

import pytest
import wagtail_factories
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.models import ReferenceIndex

from articles.factories import QuestionPageFactory
from articles.models import QuestionPage
from articles.tests.test_clinical_review import act, draft_question, submit
from discsite import urls as site_urls
from discsite.media_access import development_media_urlpatterns
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

# For the development MEDIA test (pytest.mark.urls below): the site, with MEDIA as `runserver` serves it.
urlpatterns = [*development_media_urlpatterns(), *site_urls.urlpatterns]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def page_cache(settings):
    """The whole-response cache on, as in production (test settings turn it off)."""
    settings.DISCSITE_PAGE_CACHE = True


def document(name="answer.mp3", content=b"ID3 a recorded answer"):
    title = name.rsplit(".", 1)[0]  # "live", not "live.mp3" (PostgreSQL's search reads that as one word)
    return get_document_model().objects.create(title=title, file=ContentFile(content, name=name))


def image(title="Portrait"):
    return wagtail_factories.ImageFactory(title=title, file__width=64, file__height=64)


def fetch(client, item, user=None):
    """GET a document's URL as `user` (None: an anonymous reader)."""
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(item.url)


def publish_through_review(page, roles):
    """Health content goes live only through the Clinical review workflow: submit, approve, sign off."""
    page = submit(page, roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    return page


def image_block(item):
    return ("image", {"image": item, "alt_text": "A model of the spine", "caption": "", "credit": ""})


def audio_block(item):
    return ("audio", {"title": "The answer, recorded", "file": item, "duration": "", "transcript": "<p>Words.</p>"})


# ---------------------------------------------------------------- the document view


def test_a_document_only_a_draft_uses_is_served_to_the_admin_roles_not_to_readers_until_published(
    client, roles, page_cache
):
    recording = document()
    page = draft_question(roles["editor"], title="Does walking help?", audio=recording)
    # The draft does use it (the reference index records the draft page's own row): not trivially unused.
    assert ReferenceIndex.get_references_to(recording).filter(object_id=str(page.pk)).exists()

    response = fetch(client, recording)
    assert response.status_code == 404
    assert b"ID3" not in response.content
    for role in ("editor", "clinician", "moderator", "admin"):
        response = fetch(client, recording, roles[role])
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == b"ID3 a recorded answer"

    page = publish_through_review(page, roles)
    response = fetch(client, recording)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"ID3 a recorded answer"
    # Never kept by the page cache, and private, so no shared cache keeps it either: the answer
    # changes as soon as the page is unpublished.
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]

    page.unpublish()
    assert fetch(client, recording).status_code == 404
    assert fetch(client, recording, roles["editor"]).status_code == 200


def test_a_live_pages_unpublished_change_does_not_give_readers_its_new_documents(client, roles):
    shown, added, in_body = document("shown.mp3"), document("added.mp3"), document("in-body.mp3")
    page = QuestionPageFactory(title="Is surgery needed?", audio=shown)
    assert fetch(client, shown).status_code == 200

    # A draft that swaps the recording and adds another in the body (the admin's edit form saves
    # a live page's changes only as a revision, as this does).
    page = QuestionPage.objects.get(pk=page.pk)
    page.audio = added
    page.body = [*[(block.block_type, block.value) for block in page.body], audio_block(in_body)]
    page.save_revision(user=roles["editor"])

    assert fetch(client, shown).status_code == 200, "readers still see the live version, which shows it"
    for item in (added, in_body):
        assert fetch(client, item).status_code == 404
        assert fetch(client, item, roles["editor"]).status_code == 200


def test_a_document_in_a_live_pages_body_is_served_to_readers(client):
    recording = document("in-body.mp3")
    QuestionPageFactory(title="What is a disc?", body=[audio_block(recording)])
    assert fetch(client, recording).status_code == 200


def test_a_document_attached_to_nothing_is_the_404_of_a_missing_document(client, roles, django_user_model):
    handout = document("handout.pdf", b"%PDF-1.4 a handout")
    missing_url = f"/documents/{handout.pk + 1000}/{handout.filename}"
    missing = client.get(missing_url)
    response = fetch(client, handout)
    assert response.status_code == missing.status_code == 404
    # The same page, but for the address it names: a reader cannot tell this document from none.
    assert response.content == missing.content.replace(missing_url.encode(), handout.url.encode())
    reader = django_user_model.objects.create_user(username="reader", password="changeme")
    assert fetch(client, handout, reader).status_code == 404, "an account without admin access is a reader"
    assert fetch(client, handout, roles["editor"]).status_code == 200


# ---------------------------------------------------------------- the API


@pytest.fixture
def media(roles):
    """Images and documents in every state: shown by a live page, only by a draft (never published,
    or a live page's unpublished change), by a page since unpublished, or by nothing."""
    images = {name: image(name) for name in ("live", "draft", "change", "unpublished", "nothing")}
    documents = {name: document(f"{name}.mp3") for name in images}
    ExpertPageFactory(title="Live Expert", photo=images["live"])
    QuestionPageFactory(title="A live answer?", audio=documents["live"])
    ExpertPageFactory(title="Draft Expert", photo=images["draft"], live=False).save_revision()
    draft_question(roles["editor"], title="A draft answer?", audio=documents["draft"])
    changed = QuestionPageFactory(title="A changed answer?")
    changed.audio = documents["change"]
    changed.body = [*[(block.block_type, block.value) for block in changed.body], image_block(images["change"])]
    changed.save_revision(user=roles["editor"])
    ExpertPageFactory(title="Withdrawn Expert", photo=images["unpublished"]).unpublish()
    QuestionPageFactory(title="A withdrawn answer?", audio=documents["unpublished"]).unpublish()
    return {"images": images, "documents": documents}


def listed(client, endpoint, query=""):
    response = client.get(f"/api/v2/{endpoint}/?limit=20{query}")
    assert response.status_code == 200, response.content[:300]
    return {item["id"]: item for item in response.json()["items"]}


@pytest.mark.parametrize("endpoint", ["images", "documents"])
def test_the_api_lists_and_finds_only_media_a_live_page_shows(client, roles, media, endpoint, page_cache):
    items = media[endpoint]
    assert set(listed(client, endpoint)) == {items["live"].pk}
    assert client.get(f"/api/v2/{endpoint}/{items['live'].pk}/").status_code == 200
    for name, item in items.items():
        if name != "live":
            assert client.get(f"/api/v2/{endpoint}/{item.pk}/").status_code == 404, name
            assert client.get(f"/api/v2/{endpoint}/find/?id={item.pk}").status_code == 404, name
            assert client.get(f"/api/v2/{endpoint}/?id={item.pk}").json()["items"] == [], name
    assert set(listed(client, f"{endpoint}")) == {items["live"].pk}, "the same from the page cache"
    # Searched (the search backend takes the restriction as a filter on `id`).
    assert set(listed(client, endpoint, "&search=live")) == {items["live"].pk}
    assert set(listed(client, endpoint, "&search=draft")) == set()
    # Once the change that uses them is reviewed and published, they are listed at once (publishing
    # moves the page cache on).
    publish_through_review(QuestionPage.objects.get(title="A changed answer?"), roles)
    assert set(listed(client, endpoint)) == {items["live"].pk, items["change"].pk}
    assert client.get(f"/api/v2/{endpoint}/{items['change'].pk}/").status_code == 200


def test_the_api_gives_no_link_to_an_images_original_file(client, media):
    (item,) = listed(client, "images").values()
    assert "download_url" not in item["meta"]
    detail = client.get(f"/api/v2/images/{item['id']}/").json()
    assert "download_url" not in detail["meta"]
    expert = ExpertPage.objects.get(title="Live Expert")
    photo = client.get(f"/api/v2/pages/{expert.pk}/").json()["photo"]
    assert photo["id"] == item["id"]
    assert "download_url" not in photo["meta"]
    # Documents keep theirs: the document view, which serves readers only what a live page shows.
    (document_item,) = listed(client, "documents").values()
    assert document_item["meta"]["download_url"].endswith(media["documents"]["live"].url)


@pytest.mark.parametrize("endpoint", ["images", "documents"])
def test_the_api_media_listing_takes_a_fixed_number_of_queries(client, roles, endpoint):
    def add(number):
        if endpoint == "images":
            ExpertPageFactory(title=f"Shown Expert{number}", photo=image(f"shown {number}"))
        else:
            QuestionPageFactory(title=f"Shown answer {number}?", audio=document(f"shown-{number}.mp3"))

    def count():
        url = f"/api/v2/{endpoint}/?limit=20"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response.json()["meta"]["total_count"]

    add(0)
    before, total = count()
    assert total == 1
    for number in range(1, 6):
        add(number)
    after, total = count()
    assert total == 6
    assert after == before, "one query per item would be an N+1"


# ---------------------------------------------------------------- MEDIA in development


@pytest.mark.urls(__name__)
def test_development_serves_renditions_but_not_original_images_or_documents(client):
    photo = image()
    rendition = photo.get_rendition("fill-32x32")
    handout = document("handout.pdf", b"%PDF-1.4 a handout")
    assert client.get(rendition.url).status_code == 200
    assert client.get(photo.file.url).status_code == 404
    assert photo.file.url.startswith("/media/original_images/")
    assert client.get(f"/media/{handout.file.name}").status_code == 404
    assert client.get(f"/media/images/../{photo.file.name}").status_code == 404
    assert client.get(f"/media/images/../{handout.file.name}").status_code == 404
