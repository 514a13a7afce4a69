"""An editor's form whose data a field cannot read is refused whole with a 400 that names the field
(discsite/core/wagtail_hooks.py): never a 500, never a half-written row or revision."""

import pytest
from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from articles.models import QuestionPage
from articles.tests.test_clinical_review import draft_question
from articles.tests.test_permissions import edit_form_data
from articles.tests.test_review_integrity import edit_url, safety_net_form_data, signed_in
from discsite.core.models import SafetyNetText
from experts.models import ExpertPage

# Not what Draftail sends: not JSON, JSON of another shape, a block that is not one, a style range without its style.
UNREADABLE_RICH_TEXT = [
    "not json",
    "[1, 2]",
    '{"blocks": 5}',
    '{"blocks": [5]}',
    '{"blocks": [{"text": "x", "type": "unstyled", "inlineStyleRanges": [{"offset": 0}]}], "entityMap": {}}',
]


def refused(response, label):
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was changed." in text
    assert f"“{label}”" in text
    return text


@pytest.mark.parametrize("value", UNREADABLE_RICH_TEXT)
def test_a_page_whose_rich_text_cannot_be_read_is_refused_and_nothing_is_saved(roles, value):
    page = draft_question(roles["editor"])
    revisions = Revision.objects.count()
    data = edit_form_data(page, title="Changed", body=streamfield([("paragraph", "")]))
    data["body-0-value"] = value
    refused(signed_in(roles["editor"]).post(edit_url(page), data), "Body")
    assert Revision.objects.count() == revisions
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().title == page.title


def test_a_stream_without_its_count_is_refused(roles):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="Changed")
    data["body-count"] = "many"
    refused(signed_in(roles["editor"]).post(edit_url(page), data), "Body")
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().title == page.title


def test_a_new_page_whose_rich_text_cannot_be_read_is_not_created(roles, site_tree):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="A new answer", slug="a-new-answer", body=streamfield([("paragraph", "")]))
    data["body-0-value"] = "not json"
    url = f"/admin/pages/add/articles/questionpage/{site_tree.questions.pk}/"
    text = refused(signed_in(roles["editor"]).post(url, data), "Body")
    assert "Back to “New expert answer”" in text
    assert not Page.objects.filter(slug="a-new-answer").exists()


def test_an_experts_bio_that_cannot_be_read_is_refused(roles):
    expert = roles["clinician"].expert_profile
    before = expert.bio
    url = f"/admin/pages/{expert.pk}/edit/"
    form = signed_in(roles["admin"]).get(url)
    assert form.status_code == 200
    data = nested_form_data({"title": expert.title, "slug": expert.slug, "bio": "not json"})
    refused(signed_in(roles["admin"]).post(url, data), "Bio")
    assert ExpertPage.objects.get(pk=expert.pk).bio == before


def test_a_safety_net_text_that_cannot_be_read_is_refused(roles):
    texts = SafetyNetText.objects.get()
    revisions = Revision.objects.count()
    url = f"/admin/snippets/core/safetynettext/edit/{texts.pk}/"
    data = safety_net_form_data(texts, urgent_care_action="Call 999.", disclaimer="not json")
    refused(signed_in(roles["editor"]).post(url, data), "Disclaimer")
    assert Revision.objects.count() == revisions
    assert SafetyNetText.objects.get().urgent_care_action == texts.urgent_care_action


def test_readable_data_is_saved_as_before(roles):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="Changed", body=streamfield([("paragraph", rich_text("<p>New words.</p>"))]))
    response = signed_in(roles["editor"]).post(edit_url(page), data)
    assert response.status_code == 302
    assert QuestionPage.objects.get(pk=page.pk).get_latest_revision_as_object().title == "Changed"


def preview_refused(response, label):
    assert response.status_code == 400
    assert response.json() == {"is_valid": False, "is_available": False, "unreadable": [label]}


@pytest.mark.parametrize("value", UNREADABLE_RICH_TEXT[:2])
def test_a_preview_of_rich_text_that_cannot_be_read_is_refused(roles, value):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="Changed", body=streamfield([("paragraph", "")]))
    data["body-0-value"] = value
    preview_refused(signed_in(roles["editor"]).post(f"/admin/pages/{page.pk}/edit/preview/", data), "Body")


def test_a_preview_of_a_new_page_with_a_stream_without_its_count_is_refused(roles, site_tree):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="A new answer", slug="a-new-answer")
    data["body-count"] = "many"
    url = f"/admin/pages/add/articles/questionpage/{site_tree.questions.pk}/preview/"
    preview_refused(signed_in(roles["editor"]).post(url, data), "Body")


def test_a_preview_of_readable_data_is_shown_as_before(roles):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="Changed", body=streamfield([("paragraph", rich_text("<p>New words.</p>"))]))
    editor = signed_in(roles["editor"])
    url = f"/admin/pages/{page.pk}/edit/preview/"
    assert editor.post(url, data).json() == {"is_valid": True, "is_available": True}
    assert "New words." in editor.get(url).content.decode()


def test_a_preview_is_refused_to_whoever_may_not_edit_the_page(roles):
    page = draft_question(roles["editor"])
    data = edit_form_data(page, title="Changed", body=streamfield([("paragraph", "")]))
    data["body-0-value"] = "not json"
    response = signed_in(roles["clinician"]).post(f"/admin/pages/{page.pk}/edit/preview/", data)
    # Wagtail's answer to a user without permission (to the dashboard, saying so), before the data is read.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
