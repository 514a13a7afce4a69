"""Uploads through the admin, as a superuser over HTTP: images within size, pixel and format limits; documents
only PDFs and audio; and a served document can never run as a web page."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(40, 30), mode="RGB", padding=0):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue() + b"\0" * padding


def upload(admin_client, kind, name, content, multiple=False):
    """POST one file to the admin's add view for images or documents; the response and its error text."""
    file = SimpleUploadedFile(name, content)
    if multiple:
        response = admin_client.post(f"/admin/{kind}/multiple/add/", {"files[]": file})
        data = response.json()
        return response, "" if data.get("success") else data.get("error_message", str(data))
    root = Collection.get_first_root_node()
    response = admin_client.post(f"/admin/{kind}/add/", {"title": name, "file": file, "collection": root.pk})
    errors = " ".join(re.findall(r'class="error-message"[^>]*>\s*(.*?)\s*<', response.content.decode(), re.S))
    return response, errors


@pytest.mark.parametrize("multiple", [False, True], ids=["single", "multiple"])
def test_a_normal_image_is_accepted(admin_client, multiple):
    _response, errors = upload(admin_client, "images", "spine.png", png(), multiple)
    assert not errors
    assert get_image_model().objects.count() == 1


@pytest.mark.parametrize("multiple", [False, True], ids=["single", "multiple"])
def test_an_image_over_10_mb_is_refused(admin_client, multiple):
    _, errors = upload(admin_client, "images", "huge.png", png(padding=10 * 1024 * 1024 + 1), multiple)
    assert "This file is too big" in errors
    assert "Maximum filesize 10.0" in errors
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize("multiple", [False, True], ids=["single", "multiple"])
def test_an_image_over_40_megapixels_is_refused(admin_client, multiple):
    """A few kilobytes that would decode to 48 million pixels: a decompression bomb in small."""
    content = png(size=(8000, 6000), mode="1")
    assert len(content) < 100_000
    _, errors = upload(admin_client, "images", "bomb.png", content, multiple)
    assert "This file has too many pixels (48000000)" in errors
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Not a supported"),
        ("page.html", b"<html><script>alert(1)</script></html>", "Not a supported"),
        ("html-in-disguise.png", b"<html><script>alert(1)</script></html>", "Not a valid"),
        ("photo.tiff", png(), "Not a supported"),
    ],
)
def test_images_must_be_raster_images_in_an_allowed_format(admin_client, name, content, message):
    _, errors = upload(admin_client, "images", name, content)
    assert message in errors, errors
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize("multiple", [False, True], ids=["single", "multiple"])
@pytest.mark.parametrize(
    "name", ["answer.mp3", "answer.m4a", "answer.ogg", "answer.wav", "handout.pdf", "HANDOUT.PDF"]
)
def test_pdfs_and_audio_are_accepted(admin_client, name, multiple):
    _, errors = upload(admin_client, "documents", name, b"ID3 not really audio", multiple)
    assert not errors
    assert get_document_model().objects.count() == 1


@pytest.mark.parametrize("multiple", [False, True], ids=["single", "multiple"])
@pytest.mark.parametrize(
    "name",
    ["logo.svg", "page.html", "page.htm", "setup.exe", "script.js", "answer.mp3.html", "macro.docm", "noextension"],
)
def test_other_documents_are_refused(admin_client, name, multiple):
    _, errors = upload(admin_client, "documents", name, b"<script>alert(1)</script>", multiple)
    assert re.search(r"File extension .* is not allowed", errors), errors
    assert not get_document_model().objects.exists()


def test_a_document_over_the_limit_is_refused(admin_client, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024  # the real limit is 40 MB (test_security_settings.py)
    _, errors = upload(admin_client, "documents", "long.mp3", b"\0" * 1025)
    assert "This file is too big" in errors
    assert not get_document_model().objects.exists()


def test_a_served_document_cannot_run_as_a_page(admin_client):
    """Even a PDF that is really HTML is served as a PDF, never sniffed, and with no script allowed.

    (Fetched by a signed-in user: readers get only documents a live page shows, discsite/media_access.py.)
    """
    upload(admin_client, "documents", "handout.pdf", b"<html><script>alert(1)</script></html>")
    document = get_document_model().objects.get()
    response = admin_client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
