"""The admin's "Import documents" screen over HTTP, with the real pipeline: who may use it, the
preview (nothing written), the import (drafts in Clinical review, never live), and bad input
of every kind answered with a message, never a 500.

The browser journey (upload, preview, import, the clinician's queue) is test_import_browser.py.
"""

import datetime
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from articles.models import ArticlePage, QuestionPage, TopicIndexPage
from discsite.models import PendingImport

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
DOCTOR_QA = next(SOURCES.glob("000_*.txt"))  # six answers: the main one and five other voices
UNTITLED_ARTICLE = next(SOURCES.glob("004_*.txt"))  # no title, a sponsored ending, lost lists

UPLOAD = "/admin/import-documents/"
PREVIEW = "/admin/import-documents/preview/"
IMPORT = "/admin/import-documents/import/"
AUTHORS_OF_000 = ["Wang Fei", "Na Hong Wei", "Wang Cheng Lin", "Qiu Xiang Zhong", "Su Zhen Bo", "Lv Yao"]

pytestmark = pytest.mark.django_db


def source(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/plain")


def empty_file(name="empty.txt"):
    return SimpleUploadedFile(name, b"", content_type="text/plain")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, *files):
    return client.post(UPLOAD, {"files": list(files)})


def pending_ids(html):
    return re.findall(r'name="pending" value="(\d+)"', html)


def health_pages():
    return list(QuestionPage.objects.all()) + list(ArticlePage.objects.all())


class Headings(HTMLParser):
    """The levels of a page's headings, in order (aria-level where a heading says it)."""

    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(dict(attrs).get("aria-level") or tag[1]))


def assert_headings_in_order(html):
    """In the page's main content (Wagtail's hidden dialogs, outside it, have headings of their own),
    an h1 first, and no level skipped on the way down."""
    parser = Headings()
    parser.feed(html[html.index("<main") : html.index("</main>")])
    levels = parser.levels
    assert levels[:1] == [1], levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"a heading skips a level: {levels}"


@pytest.fixture
def editor(roles):
    return roles["editor"]


@pytest.fixture
def previewed(roles):
    """The editor has uploaded 000, 004 and an empty file; returns (client, the preview's HTML)."""
    client = signed_in(roles["editor"])
    response = upload(client, source(DOCTOR_QA), source(UNTITLED_ARTICLE), empty_file())
    assert response.status_code == 302
    assert response["Location"] == PREVIEW
    response = client.get(PREVIEW)
    assert response.status_code == 200
    return client, response.content.decode()


# ---------------------------------------------------------------- who may import


def test_the_urls_are_the_ones_named():
    assert reverse("discsite_import_documents") == UPLOAD
    assert reverse("discsite_import_preview") == PREVIEW
    assert reverse("discsite_import_run") == IMPORT


@pytest.mark.parametrize("url", [UPLOAD, PREVIEW, IMPORT])
def test_the_signed_out_are_sent_to_sign_in(client, site_tree, url):
    for response in (client.get(url), client.post(url, {"pending": ["1"]})):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize("username", ["editor", "moderator", "admin"])
def test_editors_and_above_see_the_screen_and_the_menu_item(roles, username):
    client = signed_in(roles[username])
    response = client.get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    for said in ('type="file"', "multiple", 'enctype="multipart/form-data"', ".txt", ".md", ".html", ".docx"):
        assert said in html
    for limit in ("5 MB", "Up to 20 files"):
        assert limit in html
    assert_headings_in_order(html)
    dashboard = client.get("/admin/").content.decode()
    assert "Import documents" in dashboard
    assert UPLOAD in dashboard


@pytest.mark.parametrize("username", ["clinician", "second_clinician"])
def test_clinicians_are_refused_with_403_and_see_no_menu_item(roles, username):
    client = signed_in(roles[username])
    for response in (
        client.get(UPLOAD),
        client.post(UPLOAD, {"files": [source(DOCTOR_QA)]}),
        client.get(PREVIEW),
        client.post(IMPORT, {"pending": ["1"]}),
    ):
        assert response.status_code == 403
        assert "You cannot import documents." in response.content.decode()
    assert not PendingImport.objects.exists()
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert UPLOAD not in dashboard.content.decode()


def test_a_user_with_admin_access_and_no_role_gets_403(roles, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = signed_in(user)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"files": [source(DOCTOR_QA)]}).status_code == 403
    assert not PendingImport.objects.exists()


def test_adding_pages_elsewhere_is_not_enough(roles, django_user_model):
    """Imports go into the expert answers and articles sections: adding pages under Topics only does not do."""
    group = Group.objects.create(name="Topic writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=TopicIndexPage.objects.get(), permission=Permission.objects.get(codename="add_page")
    )
    user = django_user_model.objects.create_user("topic_writer", password="x")
    user.groups.add(group)
    client = signed_in(user)
    assert client.get(UPLOAD).status_code == 403
    assert UPLOAD not in client.get("/admin/").content.decode()


def test_a_user_without_admin_access_is_sent_to_sign_in_as_everywhere_in_the_admin(roles, django_user_model):
    client = signed_in(django_user_model.objects.create_user("reader", password="x"))
    response = client.post(UPLOAD, {"files": [source(DOCTOR_QA)]})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not PendingImport.objects.exists()


def test_posts_need_the_csrf_token(roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["editor"])
    assert client.post(UPLOAD, {"files": [source(DOCTOR_QA)]}).status_code == 403
    assert client.post(IMPORT, {"pending": ["1"]}).status_code == 403
    assert not PendingImport.objects.exists()


# ---------------------------------------------------------------- preview


def test_the_preview_shows_what_each_file_would_become_and_writes_nothing(previewed):
    _client, html = previewed
    assert "Nothing has been saved yet." in html
    assert "3 files: 2 ready to import, 7 draft pages; 1 refused." in " ".join(html.split())
    # 000: six answers, each with its author, the department and the audio durations.
    assert html.count("data-draft-page") == 7
    for author in AUTHORS_OF_000:
        assert author in html
    for fact in ("Orthopedics", "Expert answer (Q&amp;A)", "23 Jan 2025"):
        assert fact in html
    assert re.search(r"\d+min \d+sec", html)
    # 004: an article with a proposed title and a sponsored block.
    assert html.count("data-proposed-title") == 1
    assert "Proposed title" in html
    assert "data-sponsored" in html
    assert "sponsored block" in html
    # Every dropped piece is listed with its reason (000's "doctor image", "00:00" ...).
    assert "data-dropped" in html
    assert "doctor image" in html
    # The empty file: refused, with the pipeline's message, and no checkbox.
    assert "empty.txt is empty: there is nothing to import." in html
    assert "Refused" in html
    assert len(pending_ids(html)) == 2
    assert_headings_in_order(html)
    # Kept for the import; nothing else written.
    assert PendingImport.objects.count() == 3
    assert health_pages() == []


def test_the_preview_without_anything_uploaded_sends_back_to_the_upload(client, roles):
    client = signed_in(roles["editor"])
    response = client.get(PREVIEW, follow=True)
    assert response.redirect_chain == [(UPLOAD, 302)]
    assert "There is nothing to preview" in response.content.decode()


def test_each_upload_replaces_the_uploaders_earlier_one_and_clears_anything_a_day_old(roles):
    clinician, moderator = roles["clinician"], roles["moderator"]
    mine = PendingImport.objects.create(uploaded_by=roles["editor"], name="old.txt", data=b"x", checksum="0")
    stale = PendingImport.objects.create(uploaded_by=clinician, name="stale.txt", data=b"x", checksum="0")
    PendingImport.objects.filter(pk=stale.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    recent = PendingImport.objects.create(uploaded_by=moderator, name="recent.txt", data=b"x", checksum="0")
    client = signed_in(roles["editor"])
    assert upload(client, source(UNTITLED_ARTICLE)).status_code == 302
    left = PendingImport.objects.order_by("pk")
    assert [row.name for row in left] == ["recent.txt", UNTITLED_ARTICLE.name]
    assert not PendingImport.objects.filter(pk__in=[mine.pk, stale.pk]).exists()
    assert PendingImport.objects.get(pk=recent.pk).uploaded_by == moderator
    row = left.last()
    assert bytes(row.data) == UNTITLED_ARTICLE.read_bytes()
    assert len(row.checksum) == 64


# ---------------------------------------------------------------- import


def test_import_makes_drafts_in_clinical_review_and_links_each(previewed, editor):
    client, html = previewed
    response = client.post(IMPORT, {"pending": pending_ids(html)})
    assert response.status_code == 200
    result = response.content.decode()
    assert "7 draft pages imported." in result
    assert "Clinical review" in result
    assert "Awaiting your review" in result
    pages = health_pages()
    assert len(pages) == 7
    for page in pages:
        assert not page.live
        assert page.workflow_in_progress
        assert page.current_workflow_task.name == "Clinical review"
        assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in result
    assert result.count("data-imported-page") == 7
    assert result.count("Draft, in Clinical review") == 7
    assert_headings_in_order(result)
    assert not PendingImport.objects.exists()


def test_a_second_submission_of_the_same_form_imports_nothing_and_says_so(previewed):
    client, html = previewed
    ids = pending_ids(html)
    assert client.post(IMPORT, {"pending": ids}).status_code == 200
    revisions = sorted(page.latest_revision_id for page in health_pages())
    response = client.post(IMPORT, {"pending": ids})
    assert response.status_code == 200
    assert "Nothing was imported this time." in response.content.decode()
    assert len(health_pages()) == 7
    assert sorted(page.latest_revision_id for page in health_pages()) == revisions


def test_the_same_file_uploaded_again_is_unchanged_and_offers_nothing_to_import(previewed):
    client, html = previewed
    client.post(IMPORT, {"pending": pending_ids(html)})
    upload(client, source(UNTITLED_ARTICLE))
    again = client.get(PREVIEW).content.decode()
    assert "Already imported, unchanged" in again
    assert pending_ids(again) == []
    assert "none to import" in again
    assert ">Import<" not in again.replace("\n", "").replace(" ", "")


def test_the_results_count_only_what_was_imported_and_say_what_was_unchanged(roles):
    client = signed_in(roles["editor"])
    upload(client, source(UNTITLED_ARTICLE))
    client.post(IMPORT, {"pending": pending_ids(client.get(PREVIEW).content.decode())})
    # The same article again, beside a document not imported before: the form offers only the new one,
    # and a hand-made form asking for both imports the new one and reports the other unchanged.
    upload(client, source(UNTITLED_ARTICLE), source(DOCTOR_QA))
    html = client.get(PREVIEW).content.decode()
    assert len(pending_ids(html)) == 1
    ids = [str(row.pk) for row in PendingImport.objects.all()]
    result = client.post(IMPORT, {"pending": ids}).content.decode()
    assert "6 draft pages imported." in result
    assert "Unchanged, nothing imported" in result
    assert len(health_pages()) == 7


def test_a_changed_source_makes_a_new_revision_for_review(roles):
    client = signed_in(roles["editor"])
    upload(client, source(UNTITLED_ARTICLE))
    client.post(IMPORT, {"pending": pending_ids(client.get(PREVIEW).content.decode())})
    [page] = health_pages()
    first_revision = page.latest_revision_id
    changed = UNTITLED_ARTICLE.read_bytes() + b"\nMost muscle spasms settle within a few days.\n"
    upload(client, SimpleUploadedFile(UNTITLED_ARTICLE.name, changed))
    html = client.get(PREVIEW).content.decode()
    assert "Changed since it was imported" in html
    assert "A new revision of the page imported before" in html
    result = client.post(IMPORT, {"pending": pending_ids(html)}).content.decode()
    assert "New revision imported" in result
    assert "1 draft page imported." in result
    [page] = health_pages()
    assert page.latest_revision_id != first_revision
    assert not page.live
    assert page.current_workflow_task.name == "Clinical review"


def test_only_the_files_chosen_are_imported(previewed):
    client, html = previewed
    article_id = max(pending_ids(html), key=int)  # 004 was uploaded second
    response = client.post(IMPORT, {"pending": [article_id]})
    assert "1 draft page imported." in response.content.decode()
    [page] = health_pages()
    assert isinstance(page, ArticlePage)
    assert not PendingImport.objects.exists()  # the rest of that upload is done with too


def test_choosing_no_file_goes_back_to_the_preview(previewed):
    client, _html = previewed
    response = client.post(IMPORT, {}, follow=True)
    assert response.redirect_chain == [(PREVIEW, 302)]
    assert "Choose at least one file to import." in response.content.decode()
    assert health_pages() == []
    assert PendingImport.objects.count() == 3


def test_someone_elses_pending_upload_and_made_up_ids_are_ignored(previewed, roles):
    client, html = previewed
    theirs = PendingImport.objects.create(
        uploaded_by=roles["moderator"], name=DOCTOR_QA.name, data=DOCTOR_QA.read_bytes(), checksum="0" * 64
    )
    for ids in ([str(theirs.pk)], ["999999"], ["abc"], ["-1"], ["1e3"], ["٣"], ["9" * 40], [""]):
        response = client.post(IMPORT, {"pending": ids})
        assert response.status_code == 200
        assert "Nothing was imported this time." in response.content.decode()
        assert health_pages() == []
        assert PendingImport.objects.count() == 4  # theirs, and the editor's three still waiting
    # Their own file with someone else's: only their own is imported.
    article_id = max(pending_ids(html), key=int)
    response = client.post(IMPORT, {"pending": [str(theirs.pk), article_id]})
    assert "1 draft page imported." in response.content.decode()
    assert len(health_pages()) == 1
    assert list(PendingImport.objects.all()) == [theirs]


def test_get_on_the_import_url_goes_to_the_upload(roles):
    client = signed_in(roles["editor"])
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert response["Location"] == UPLOAD


# ---------------------------------------------------------------- bad input


def test_no_file_is_an_error_on_the_form(roles):
    client = signed_in(roles["editor"])
    response = client.post(UPLOAD, {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem with the upload" in html
    assert "Choose at least one file to import." in html
    assert 'href="#id_files"' in html
    assert_headings_in_order(html)
    assert not PendingImport.objects.exists()


def test_more_than_twenty_files_is_an_error_and_keeps_none(roles):
    client = signed_in(roles["editor"])
    files = [SimpleUploadedFile(f"note-{n}.txt", b"A line of text.\n") for n in range(21)]
    response = upload(client, *files)
    assert response.status_code == 200
    assert "Choose at most 20 files at a time: you chose 21." in response.content.decode()
    assert not PendingImport.objects.exists()


def test_twenty_files_are_fine(roles):
    client = signed_in(roles["editor"])
    files = [SimpleUploadedFile(f"note-{n}.txt", b"A line of text.\n") for n in range(20)]
    assert upload(client, *files).status_code == 302
    assert PendingImport.objects.count() == 20


def test_a_file_over_the_limit_is_refused_unread_and_the_others_go_on(roles):
    client = signed_in(roles["editor"])
    big = SimpleUploadedFile("huge.txt", b"a" * (5 * 1024 * 1024 + 1), content_type="text/plain")
    assert upload(client, big, source(UNTITLED_ARTICLE)).status_code == 302
    assert [row.name for row in PendingImport.objects.all()] == [UNTITLED_ARTICLE.name]
    html = client.get(PREVIEW).content.decode()
    assert "huge.txt is 5.0 MB, over the limit of 5 MB for one file. It was not read." in html
    assert len(pending_ids(html)) == 1
    response = client.post(IMPORT, {"pending": pending_ids(html)})
    assert "1 draft page imported." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.txt", b""),
        ("binary.txt", bytes(range(256)) * 8),
        ("fake.docx", b"This is not a Word document at all."),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("page.html", b"<html><body><script>alert(1)</script></body></html>"),
        ("../../etc/passwd.md", bytes(range(256)) * 8),
    ],
)
def test_a_bad_file_gets_its_message_beside_a_good_one(roles, name, data):
    client = signed_in(roles["editor"])
    assert upload(client, SimpleUploadedFile(name, data), source(UNTITLED_ARTICLE)).status_code == 302
    response = client.get(PREVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    refused = re.search(r"Refused\s*</span>\s*<span>([^<]*)</span>", html)
    assert refused, html
    assert refused[1].startswith(Path(name).name), refused[1]  # the pipeline's message, naming the file
    assert len(pending_ids(html)) == 1
    assert "<script>alert(1)</script>" not in html
    response = client.post(IMPORT, {"pending": pending_ids(html)})
    assert "1 draft page imported." in response.content.decode()
    assert len(health_pages()) == 1
