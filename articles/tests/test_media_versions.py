"""Versioned media, over HTTP as an editor would work: the admin's own image and document forms.

Replacing the file of an image or document that a reviewed page shows, or changing its title, alt
text or focal point, must not change what readers of that page see: the change is a new version
(a new row with its own file), and every page that used the old one gets a new revision showing
the new version, in clinical review, with a note in its history. Media no page uses is edited in
place.
"""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, PageLogEntry, Revision

from articles import media_versions
from articles.tests.test_clinical_review import act, draft_question, submit
from articles.tests.test_permissions import edit_form_data, fresh
from articles.workflow import ClinicalReviewTask, clinical_approval_for
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

Image = get_image_model()
Document = get_document_model()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(color, size=(60, 40)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def root_collection():
    return Collection.get_first_root_node()


def upload_image(client, name, content, title, description=""):
    response = client.post(
        "/admin/images/add/",
        {
            "title": title,
            "file": SimpleUploadedFile(name, content),
            "description": description,
            "collection": root_collection().pk,
            "tags": "spine",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Image.objects.get(title=title)


def upload_document(client, name, content, title):
    response = client.post(
        "/admin/documents/add/",
        {"title": title, "file": SimpleUploadedFile(name, content), "collection": root_collection().pk, "tags": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.get(title=title)


def image_form(image, **changes):
    data = {
        "title": image.title,
        "description": image.description,
        "collection": image.collection_id,
        "tags": ", ".join(tag.name for tag in image.tags.all()),
        "focal_point_x": "" if image.focal_point_x is None else image.focal_point_x,
        "focal_point_y": "" if image.focal_point_y is None else image.focal_point_y,
        "focal_point_width": "" if image.focal_point_width is None else image.focal_point_width,
        "focal_point_height": "" if image.focal_point_height is None else image.focal_point_height,
    }
    data.update(changes)
    return data


def document_form(document, **changes):
    data = {"title": document.title, "collection": document.collection_id, "tags": ""}
    data.update(changes)
    return data


def edit_image(client, image, **changes):
    return client.post(f"/admin/images/{image.pk}/", image_form(image, **changes))


def edit_document(client, document, **changes):
    return client.post(f"/admin/documents/edit/{document.pk}/", document_form(document, **changes))


def live_reviewed_question(roles, **fields):
    """A question page with `fields` (its media) approved by a clinician and published by a moderator."""
    page = submit(draft_question(roles["editor"], **fields), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert page.last_reviewed_on is not None
    return page


def body_with_image(image):
    return [
        {"type": "paragraph", "value": "<p>The disc sits between two vertebrae.</p>"},
        {
            "type": "image",
            "value": {"image": image.pk, "alt_text": "A disc between two vertebrae", "caption": "", "credit": ""},
        },
    ]


def public_html(page):
    response = Client().get(fresh(page).url)
    assert response.status_code == 200
    return response.content.decode()


def stored_bytes(item):
    with item.file.storage.open(item.file.name, "rb") as handle:
        return handle.read()


def snapshot(item):
    """Everything of a media row that readers could see, with its file's bytes."""
    item = type(item).objects.get(pk=item.pk)
    fields = {field.attname: getattr(item, field.attname) for field in item._meta.concrete_fields}
    fields["file"] = str(fields["file"])
    return fields, stored_bytes(item)


def rendition_urls(image):
    return [rendition.url for rendition in image.renditions.all()]


def quoted(title):
    """A title in typographic single quotes, as the history note gives it."""
    return f"\u2018{title}\u2019"


def media_note(page):
    return PageLogEntry.objects.filter(page=page, action=media_versions.MEDIA_REPLACED).get()


def assert_in_clinical_review_with_new_version(page, reference_of, old, new, editor):
    page = fresh(page)
    latest = page.get_latest_revision()
    assert latest.pk != page.live_revision_id
    assert latest.user == editor
    assert reference_of(latest.as_object()) == new.pk, "the new revision shows the new version"
    assert reference_of(page.live_revision.as_object()) == old.pk, "the live revision still shows the approved one"
    assert page.workflow_in_progress
    assert page.current_workflow_state.workflow.name == "Clinical review"
    assert page.current_workflow_task_state.revision_id == latest.pk
    assert clinical_approval_for(page, latest) is None, "nobody has approved the new version yet"
    assert clinical_approval_for(page, page.live_revision) is not None, "what readers see is still approved"
    return page


def audio_of(page):
    return page.audio_id


def body_image_of(page):
    return next(block.value["image"].pk for block in page.body if block.block_type == "image")


# ------------------------------------------------------------------ documents


def test_replacing_the_audio_file_of_a_reviewed_answer_keeps_the_approved_one_live(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the approved recording", "Dr Wang's answer")
    page = live_reviewed_question(roles, audio=audio)
    before = snapshot(audio)
    old_url = audio.url
    assert old_url in public_html(page)

    response = edit_document(editor, audio, file=SimpleUploadedFile("answer-v2.mp3", b"ID3 an unreviewed take"))
    assert response.status_code == 302

    assert snapshot(audio) == before, "the approved row or its file changed"
    new = Document.objects.exclude(pk=audio.pk).get()
    assert stored_bytes(new) == b"ID3 an unreviewed take"
    assert new.title == audio.title
    assert new.file.name != audio.file.name
    html = public_html(page)
    assert old_url in html
    assert new.url not in html
    assert "Medically reviewed" in html
    assert Client().get(old_url).status_code == 200

    page = assert_in_clinical_review_with_new_version(page, audio_of, audio, new, roles["editor"])
    note = media_note(page)
    assert note.user == roles["editor"]
    assert note.revision_id == page.get_latest_revision().pk
    title = quoted("Dr Wang's answer")
    message = f"The document {title} was replaced by a new version (new file): check it before"
    assert message in note.message
    history = signed_in(roles["editor"]).get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "was replaced by a new version (new file)" in history


def test_changing_only_the_title_of_a_document_in_use_is_a_new_version_with_its_own_copy_of_the_file(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the approved recording", "Dr Wang's answer")
    page = live_reviewed_question(roles, audio=audio)
    before = snapshot(audio)

    response = edit_document(editor, audio, title="Dr Wang's answer (re-recorded)")
    assert response.status_code == 302

    assert snapshot(audio) == before
    new = Document.objects.exclude(pk=audio.pk).get()
    assert new.title == "Dr Wang's answer (re-recorded)"
    assert new.file.name != audio.file.name, "two rows must never share one file"
    assert stored_bytes(new) == b"ID3 the approved recording"
    assert new.file_hash == audio.file_hash
    assert new.collection_id == audio.collection_id
    html = public_html(page)
    assert audio.url in html
    assert "Medically reviewed" in html
    page = assert_in_clinical_review_with_new_version(page, audio_of, audio, new, roles["editor"])
    assert "(title changed)" in media_note(page).message

    # Deleting the new version leaves the approved file where it was.
    new.delete()
    assert stored_bytes(audio) == b"ID3 the approved recording"


# ------------------------------------------------------------------ images


def test_replacing_the_file_of_a_body_image_keeps_the_approved_one_live(roles):
    editor = signed_in(roles["editor"])
    diagram = upload_image(editor, "disc-diagram.png", png("navy"), "Disc diagram", description="A lumbar disc")
    page = live_reviewed_question(roles, body=body_with_image(diagram))
    old_html = public_html(page)
    old_renditions = rendition_urls(diagram)
    assert old_renditions
    assert all(url in old_html for url in old_renditions)
    before = snapshot(diagram)

    response = edit_image(editor, diagram, file=SimpleUploadedFile("herniated.png", png("red", (90, 50))))
    assert response.status_code == 302

    assert snapshot(diagram) == before
    assert rendition_urls(diagram) == old_renditions, "the approved image's renditions were deleted"
    assert all(os.path.exists(rendition.file.path) for rendition in diagram.renditions.all())
    new = Image.objects.exclude(pk=diagram.pk).get()
    assert (new.width, new.height) == (90, 50)
    assert stored_bytes(new) == png("red", (90, 50))
    assert [tag.name for tag in new.tags.all()] == ["spine"]
    assert new.description == "A lumbar disc"
    html = public_html(page)
    assert all(url in html for url in old_renditions)
    assert not rendition_urls(new), "the live page rendered the unreviewed image"
    assert "herniated" not in html
    assert "Medically reviewed" in html

    page = assert_in_clinical_review_with_new_version(page, body_image_of, diagram, new, roles["editor"])
    latest_body = page.get_latest_revision_as_object().body
    assert [block.block_type for block in latest_body] == ["paragraph", "image"], "the rest of the body is kept"
    assert latest_body[1].value["alt_text"] == "A disc between two vertebrae"
    assert f"The image {quoted('Disc diagram')} was replaced by a new version (new file)" in media_note(page).message


def test_changing_only_the_alt_text_of_an_image_in_use_is_a_new_version(roles):
    editor = signed_in(roles["editor"])
    diagram = upload_image(editor, "disc-diagram.png", png("navy"), "Disc diagram", description="A lumbar disc")
    page = live_reviewed_question(roles, body=body_with_image(diagram))
    public_html(page)
    old_renditions = rendition_urls(diagram)
    before = snapshot(diagram)

    response = edit_image(editor, diagram, description="A disc pressing on a nerve")
    assert response.status_code == 302

    assert snapshot(diagram) == before
    new = Image.objects.exclude(pk=diagram.pk).get()
    assert new.description == "A disc pressing on a nerve"
    assert new.title == "Disc diagram"
    assert new.file.name != diagram.file.name, "two rows must never share one file"
    assert stored_bytes(new) == stored_bytes(diagram)
    assert (new.width, new.height, new.file_hash) == (diagram.width, diagram.height, diagram.file_hash)
    html = public_html(page)
    assert all(url in html for url in old_renditions)
    assert "Medically reviewed" in html
    page = assert_in_clinical_review_with_new_version(page, body_image_of, diagram, new, roles["editor"])
    message = f"The image {quoted('Disc diagram')} was replaced by a new version (alt text changed)"
    assert message in media_note(page).message


def test_moving_the_focal_point_of_an_image_in_use_is_a_new_version(roles):
    editor = signed_in(roles["editor"])
    diagram = upload_image(editor, "disc-diagram.png", png("navy"), "Disc diagram")
    page = live_reviewed_question(roles, body=body_with_image(diagram))
    before = snapshot(diagram)

    focus = {"focal_point_x": 20, "focal_point_y": 10, "focal_point_width": 8, "focal_point_height": 6}
    edit_image(editor, diagram, **focus)

    assert snapshot(diagram) == before
    new = Image.objects.exclude(pk=diagram.pk).get()
    assert (new.focal_point_x, new.focal_point_y, new.focal_point_width, new.focal_point_height) == (20, 10, 8, 6)
    page = assert_in_clinical_review_with_new_version(page, body_image_of, diagram, new, roles["editor"])
    assert "(focal point changed)" in media_note(page).message


def test_a_page_that_is_not_clinically_reviewed_gets_a_draft_for_a_moderator(roles, monkeypatch):
    # An expert profile as a page type whose content no clinician reviews (how profiles were at first).
    monkeypatch.setattr(ExpertPage, "clinically_reviewed", False, raising=False)
    editor = signed_in(roles["editor"])
    photo = upload_image(editor, "portrait.png", png("gray"), "Portrait of Dr Wang")
    expert = ExpertPageFactory(title="Wang Fei", photo=photo)
    live_revision = expert.save_revision(user=roles["moderator"])
    live_revision.publish(user=roles["moderator"])

    edit_image(editor, photo, file=SimpleUploadedFile("portrait-new.png", png("white")))

    new = Image.objects.exclude(pk=photo.pk).get()
    expert = ExpertPage.objects.get(pk=expert.pk)
    assert expert.photo_id == photo.pk
    assert expert.get_latest_revision_as_object().photo_id == new.pk
    assert expert.has_unpublished_changes
    assert not expert.workflow_in_progress
    note = PageLogEntry.objects.get(page=expert, action=media_versions.MEDIA_REPLACED)
    assert "readers see the old version until a moderator publishes this draft" in note.message


def test_a_page_already_in_review_continues_its_review_on_the_new_version(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the first take", "Dr Wang's answer")
    page = submit(draft_question(roles["editor"], audio=audio), roles["editor"])
    state = page.current_workflow_state

    edit_document(editor, audio, file=SimpleUploadedFile("answer-v2.mp3", b"ID3 the second take"))

    new = Document.objects.exclude(pk=audio.pk).get()
    page = fresh(page)
    assert page.get_latest_revision_as_object().audio_id == new.pk
    assert [workflow_state.pk for workflow_state in page.workflow_states.all()] == [state.pk]
    assert page.workflow_in_progress
    # What is published is what a clinician approved: the new version. (Wagtail asks for the
    # approval again of content edited during its review, as for any edit.)
    for _approval in range(2):
        if isinstance(page.current_workflow_task, ClinicalReviewTask):
            page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    assert not isinstance(page.current_workflow_task, ClinicalReviewTask)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert page.audio_id == new.pk


def test_a_draft_that_was_never_published_keeps_the_new_version_without_being_submitted(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the first take", "Dr Wang's answer")
    page = draft_question(roles["editor"], audio=audio)

    edit_document(editor, audio, file=SimpleUploadedFile("answer-v2.mp3", b"ID3 the second take"))

    new = Document.objects.exclude(pk=audio.pk).get()
    page = fresh(page)
    assert page.get_latest_revision_as_object().audio_id == new.pk
    assert not page.workflow_in_progress
    assert "this draft now shows it" in media_note(page).message


# ------------------------------------------------------------------ in place, errors, publishing


def test_media_no_page_uses_is_edited_in_place(roles):
    editor = signed_in(roles["editor"])
    diagram = upload_image(editor, "disc-diagram.png", png("navy"), "Disc diagram")
    handout = upload_document(editor, "handout.pdf", b"%PDF-1.4 handout", "Handout")

    edit_image(editor, diagram, description="A lumbar disc", file=SimpleUploadedFile("new.png", png("red")))
    edit_document(editor, handout, title="Exercise handout")

    assert Image.objects.get().pk == diagram.pk
    assert Image.objects.get().description == "A lumbar disc"
    assert Document.objects.get().title == "Exercise handout"
    assert not PageLogEntry.objects.filter(action=media_versions.MEDIA_REPLACED).exists()


def test_a_change_that_readers_cannot_see_stays_in_place(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the approved recording", "Dr Wang's answer")
    page = live_reviewed_question(roles, audio=audio)
    revisions = fresh(page).revisions.count()

    edit_document(editor, audio, tags="audio")

    assert Document.objects.get().pk == audio.pk
    assert fresh(page).revisions.count() == revisions
    assert not fresh(page).workflow_in_progress


def test_a_broken_upload_over_media_in_use_is_a_form_error(roles):
    editor = signed_in(roles["editor"])
    diagram = upload_image(editor, "disc-diagram.png", png("navy"), "Disc diagram")
    page = live_reviewed_question(roles, body=body_with_image(diagram))
    revisions = fresh(page).revisions.count()

    response = edit_image(editor, diagram, file=SimpleUploadedFile("evil.png", b"<html><script>alert(1)</script>"))

    assert response.status_code == 200
    assert re.search(r'class="error-message"[^>]*>\s*Upload a valid image', response.content.decode())
    assert Image.objects.get().pk == diagram.pk
    assert fresh(page).revisions.count() == revisions


def test_a_failure_part_way_leaves_nothing_half_written(roles, monkeypatch, settings):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the approved recording", "Dr Wang's answer")
    first = live_reviewed_question(roles, audio=audio)
    second = live_reviewed_question(roles, audio=audio, title="Can a disc heal?")
    before = snapshot(audio)
    revisions = Revision.objects.count()
    files = sorted(os.listdir(os.path.join(settings.MEDIA_ROOT, "documents")))

    def fail_on_the_second_page(*args, **kwargs):
        if PageLogEntry.objects.filter(action=media_versions.MEDIA_REPLACED).exists():
            raise RuntimeError("the database went away")
        return real_log(*args, **kwargs)

    real_log = media_versions.log
    monkeypatch.setattr(media_versions, "log", fail_on_the_second_page)
    with pytest.raises(RuntimeError):
        edit_document(editor, audio, file=SimpleUploadedFile("answer-v2.mp3", b"ID3 an unreviewed take"))

    assert snapshot(audio) == before
    assert Document.objects.get().pk == audio.pk
    assert Revision.objects.count() == revisions
    assert not PageLogEntry.objects.filter(action=media_versions.MEDIA_REPLACED).exists()
    assert not fresh(first).workflow_in_progress
    assert not fresh(second).workflow_in_progress
    assert sorted(os.listdir(os.path.join(settings.MEDIA_ROOT, "documents"))) == files


def test_the_new_version_cannot_be_published_until_a_clinician_approves_it(roles):
    editor = signed_in(roles["editor"])
    audio = upload_document(editor, "answer.mp3", b"ID3 the approved recording", "Dr Wang's answer")
    page = live_reviewed_question(roles, audio=audio)
    live_revision = page.live_revision_id
    edit_document(editor, audio, file=SimpleUploadedFile("answer-v2.mp3", b"ID3 an unreviewed take"))
    new = Document.objects.exclude(pk=audio.pk).get()

    moderator = signed_in(roles["moderator"])
    form = {**edit_form_data(page, audio=str(new.pk)), "action-publish": "Publish"}
    moderator.post(f"/admin/pages/{page.pk}/edit/", form)

    page = fresh(page)
    assert page.live_revision_id == live_revision
    assert page.audio_id == audio.pk
    html = public_html(page)
    assert audio.url in html
    assert new.url not in html

    # Once a clinician approves it, the workflow publishes the new version.
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.audio_id == new.pk
    assert new.url in public_html(page)
