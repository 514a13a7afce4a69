"""Bad uploads, over HTTP as an editor sends them, through every admin route that takes a file.

A damaged image (cut short, corrupted), a file of the wrong type under an image's name, an image
too large in pixels or bytes, an empty file: each is answered with the form again and an error
at the file field (or, from the multiple uploader, its JSON error), never a 500, and leaves no
new row and no new file behind. Documents the same, for what can be wrong with them.
"""

import io
import random
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from articles.tests.test_media_versions import (
    body_with_image,
    document_form,
    image_form,
    live_reviewed_question,
    signed_in,
)
from articles.tests.test_permissions import fresh

pytestmark = pytest.mark.django_db

Image = get_image_model()
Document = get_document_model()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def encoded(image_format, size=(240, 160), noise=False):
    """A real image file in `image_format`: flat colour, or random pixels (which do not compress)."""
    if noise:
        image = PILImage.frombytes("RGB", size, random.Random(size[0] * size[1]).randbytes(size[0] * size[1] * 3))
    else:
        image = PILImage.new("RGB", size, "teal")
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def corrupted_png():
    """A PNG whose header is intact and whose pixel data has been overwritten in the middle."""
    content = bytearray(encoded("PNG", noise=True))
    middle = len(content) // 2
    content[middle : middle + 64] = b"\xff" * 64
    return bytes(content)


# (upload name, content, what the editor is told); the limits are lowered by the `limits` fixture.
BAD_IMAGES = {
    "truncated GIF": ("diagram.gif", encoded("GIF", noise=True)[:-400], "damaged or incomplete"),
    "GIF cut after its header": ("diagram.gif", encoded("GIF")[:40], "damaged or incomplete"),
    "truncated PNG": ("diagram.png", encoded("PNG", noise=True)[:-600], "damaged or incomplete"),
    "corrupted PNG": ("diagram.png", corrupted_png(), "damaged or incomplete"),
    "truncated JPEG": ("photo.jpg", encoded("JPEG", noise=True)[:-600], "damaged or incomplete"),
    "program renamed .png": ("setup.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 400, "Upload a valid image"),
    "text named .jpg": ("notes.jpg", b"Remember to ask about the MRI.\n" * 20, "Upload a valid image"),
    "empty file": ("empty.png", b"", "The submitted file is empty"),
    "too many pixels": ("wide.png", encoded("PNG", size=(4000, 3000)), "This file has too many pixels"),
    "too many bytes": ("large.png", encoded("PNG", size=(300, 300), noise=True), "This file is too big"),  # 270 KB
}
BAD_DOCUMENTS = {
    "empty file": ("answer.mp3", b"", "The submitted file is empty"),
    "too many bytes": ("answer.mp3", b"ID3" + b"\x00" * 5000, "This file is too big"),
    "program": ("answer.exe", b"MZ\x90\x00" + b"\x00" * 400, "is not allowed"),
    "program with two extensions": ("answer.mp3.exe", b"MZ\x90\x00" + b"\x00" * 400, "is not allowed"),
}


@pytest.fixture
def limits(settings):
    """Limits small enough for small test files (the real ones are in test_security_settings.py)."""
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 10_000_000
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 200 * 1024
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 4 * 1024


@pytest.fixture
def editor(roles, limits):
    return signed_in(roles["editor"])


def stored_files(settings):
    return sorted(
        str(path.relative_to(settings.MEDIA_ROOT)) for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()
    )


def assert_error_at_the_file_field(response, message):
    """The form comes back (200) with `message` as the file field's error, shown inside that field."""
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["file"], form.errors
    assert message in " ".join(form.errors["file"])
    html = response.content.decode()
    # Wagtail's field wrapper for `file`: its label, then its input, then its errors.
    field = re.search(r'<label[^>]*for="id_file".*?(?=<label|$)', html, re.S)
    assert field, "the file field is not rendered"
    assert re.search(r'class="error-message"[^>]*>[^<]*' + re.escape(message), field.group(0)), field.group(0)[:3000]


def assert_multiple_uploader_error(response, message):
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is False
    assert message in data["error_message"], data


@pytest.mark.parametrize("case", ["truncated GIF", "truncated PNG", "corrupted PNG", "truncated JPEG"])
def test_the_damaged_images_still_have_a_readable_header(case):
    """What makes them hard to catch: the format and size read from the header, the pixels not."""
    _name, content, _message = BAD_IMAGES[case]
    with PILImage.open(io.BytesIO(content)) as image:
        assert image.size == (240, 160)
        with pytest.raises(Exception):  # noqa: B017, PT011 - Pillow's error depends on the damage
            image.load()


@pytest.mark.parametrize("image_format", ["GIF", "PNG", "JPEG"])
@pytest.mark.parametrize("route", ["add", "multiple"])
def test_a_sound_image_is_still_accepted(editor, limits, image_format, route):
    name = f"whole.{image_format.lower()}"
    file = SimpleUploadedFile(name, encoded(image_format, noise=True))
    if route == "add":
        response = editor.post(
            "/admin/images/add/", {"title": "Whole", "file": file, "collection": Collection.get_first_root_node().pk}
        )
        assert response.status_code == 302
    else:
        assert editor.post("/admin/images/multiple/add/", {"files[]": file}).json()["success"] is True
    assert Image.objects.count() == 1


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_bad_image_through_the_add_form(editor, settings, case):
    name, content, message = BAD_IMAGES[case]
    response = editor.post(
        "/admin/images/add/",
        {"title": case, "file": SimpleUploadedFile(name, content), "collection": Collection.get_first_root_node().pk},
    )
    assert_error_at_the_file_field(response, message)
    assert not Image.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_bad_image_through_the_multiple_uploader(editor, settings, case):
    name, content, message = BAD_IMAGES[case]
    response = editor.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, content)})
    assert_multiple_uploader_error(response, message)
    assert not Image.objects.exists()
    assert stored_files(settings) == []


@pytest.fixture
def existing_image(editor):
    response = editor.post(
        "/admin/images/add/",
        {
            "title": "Disc diagram",
            "file": SimpleUploadedFile("disc.png", encoded("PNG")),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    # Its edit form shows previews, made (and stored) when the form is first rendered.
    assert editor.get(f"/admin/images/{image.pk}/").status_code == 200
    return image


def image_as_stored(image):
    image = Image.objects.get(pk=image.pk)
    with image.file.open("rb") as file:
        content = file.read()
    return (image.file.name, image.width, image.height, image.file_size, image.file_hash, content)


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_bad_image_replacing_the_file_of_an_image(editor, settings, existing_image, case):
    name, content, message = BAD_IMAGES[case]
    before, files = image_as_stored(existing_image), stored_files(settings)

    response = editor.post(
        f"/admin/images/{existing_image.pk}/", image_form(existing_image, file=SimpleUploadedFile(name, content))
    )

    assert_error_at_the_file_field(response, message)
    assert list(Image.objects.values_list("pk", flat=True)) == [existing_image.pk]
    assert image_as_stored(existing_image) == before
    assert stored_files(settings) == files


@pytest.mark.parametrize("case", ["truncated GIF", "corrupted PNG", "empty file"])
def test_a_bad_image_replacing_one_that_a_reviewed_page_shows(editor, roles, settings, existing_image, case):
    """Media in use is replaced by a new version (articles/media_versions.py): a bad file makes none,
    and the page is not sent back to review."""
    page = live_reviewed_question(roles, body=body_with_image(existing_image))
    revisions = fresh(page).revisions.count()
    before, files = image_as_stored(existing_image), stored_files(settings)
    name, content, message = BAD_IMAGES[case]

    response = editor.post(
        f"/admin/images/{existing_image.pk}/", image_form(existing_image, file=SimpleUploadedFile(name, content))
    )

    assert_error_at_the_file_field(response, message)
    assert list(Image.objects.values_list("pk", flat=True)) == [existing_image.pk]
    assert image_as_stored(existing_image) == before
    assert stored_files(settings) == files
    assert fresh(page).revisions.count() == revisions
    assert not fresh(page).workflow_in_progress


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_bad_document_through_the_add_form(editor, settings, case):
    name, content, message = BAD_DOCUMENTS[case]
    response = editor.post(
        "/admin/documents/add/",
        {"title": case, "file": SimpleUploadedFile(name, content), "collection": Collection.get_first_root_node().pk},
    )
    assert_error_at_the_file_field(response, message)
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_bad_document_through_the_multiple_uploader(editor, settings, case):
    name, content, message = BAD_DOCUMENTS[case]
    response = editor.post("/admin/documents/multiple/add/", {"files[]": SimpleUploadedFile(name, content)})
    assert_multiple_uploader_error(response, message)
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_bad_document_replacing_the_file_of_a_document(editor, settings, case):
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Dr Wang's answer",
            "file": SimpleUploadedFile("answer.mp3", b"ID3 the recording"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    files = stored_files(settings)
    name, content, message = BAD_DOCUMENTS[case]

    response = editor.post(
        f"/admin/documents/edit/{document.pk}/", document_form(document, file=SimpleUploadedFile(name, content))
    )

    assert_error_at_the_file_field(response, message)
    assert list(Document.objects.values_list("pk", "file")) == [(document.pk, document.file.name)]
    assert stored_files(settings) == files
    with Document.objects.get().file.open("rb") as file:
        assert file.read() == b"ID3 the recording"
