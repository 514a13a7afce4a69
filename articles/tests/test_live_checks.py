"""The reading level and promotion checks as the editor types, and submitting a page they flag.

The editor's browser posts the edit form to the checks view whenever it changes; these tests post
what the browser posts (the form's fields, StreamField blocks with their ids) and read the answer.
"""

import json

import pytest
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from articles.models import QuestionPage
from articles.tests.test_authoring import add_question_url, question_form_data
from articles.tests.test_clinical_review import draft_question
from articles.tests.test_permissions import edit_form_data, fresh
from articles.tests.test_review_integrity import signed_in
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

CHECKS_URL = "/admin/health-checks/articles/questionpage/"
PROMOTION = "Get the SpineEase brace today for half price."
HARD = (
    "Intervertebral disc degeneration precipitates extraordinarily complicated neurological manifestations "
    "necessitating multidisciplinary evaluation, comprehensive radiological investigation and "
    "individualised rehabilitation programmes for symptomatic individuals."
)
EASY_ID, PROMO_ID, HARD_ID = (
    "0d0e9a8c-1111-4c1e-9f00-000000000001",
    "0d0e9a8c-1111-4c1e-9f00-000000000002",
    "0d0e9a8c-1111-4c1e-9f00-000000000003",
)


def typed_form(summary="Most people feel better within six weeks, without surgery.", **changes):
    """The add form as the browser posts it mid-edit: three body blocks, each with the id the editor's
    StreamField gives it."""
    data = {
        "csrfmiddlewaretoken": "x",
        "title": "Will a brace help my slipped disc?",
        "summary": summary,
        "body": streamfield(
            [
                ("paragraph", rich_text("<p>Keep moving, gently, within what pain allows.</p>")),
                ("paragraph", rich_text("<p>Buy our device now.</p>")),
                ("paragraph", rich_text(f"<p>{HARD}</p>")),
            ]
        ),
        **changes,
    }
    data = nested_form_data(data)
    for index, block_id in enumerate((EASY_ID, PROMO_ID, HARD_ID)):
        data[f"body-{index}-id"] = block_id
    return data


def test_the_checks_of_unsaved_text_come_back_for_the_block_concerned(roles):
    editor = signed_in(roles["editor"])
    revisions = Revision.objects.count()

    response = editor.post(CHECKS_URL, typed_form(summary=PROMOTION))

    assert response.status_code == 200
    answer = response.json()
    notes = answer["notes"]
    assert set(notes) == {"summary", PROMO_ID, HARD_ID}, "no note for the plain block"
    assert notes["summary"][0].startswith("A discount (“half price”) reads like promotion.")
    assert any(note.startswith("A call to buy (“Buy our device now”)") for note in notes[PROMO_ID])
    assert notes[HARD_ID][0].startswith("This block reads at grade ")
    assert "Possible promotion outside a sponsored section." in answer["result"]
    assert "A call to buy (“Buy our device now”) in block 2 (paragraph) reads like promotion." in answer["result"]
    assert "Reading grade" in answer["result"]
    assert not QuestionPage.objects.exists(), "checking saves nothing"
    assert Revision.objects.count() == revisions


def test_clean_text_gets_no_notes(roles):
    data = typed_form()
    data["body-1-value"] = rich_text("<p>Walk a little further each day.</p>")
    data["body-2-value"] = rich_text("<p>Most people get better.</p>")

    answer = signed_in(roles["editor"]).post(CHECKS_URL, data).json()

    assert answer["notes"] == {}
    assert "No promotion found outside sponsored sections." in answer["result"]


@pytest.mark.parametrize(
    "broken",
    [
        {"body-count": "many"},
        {"body-0-value": "{not json"},
        {"body-0-order": "first"},
    ],
    ids=["count", "rich-text", "order"],
)
def test_malformed_form_data_is_a_clear_400_not_a_500(roles, broken):
    response = signed_in(roles["editor"]).post(CHECKS_URL, {**typed_form(), **broken})

    assert response.status_code == 400
    assert "could not be read" in response.json()["error"]


def test_only_health_pages_signed_in_admin_users_and_posts(client, roles):
    editor = signed_in(roles["editor"])
    assert editor.post("/admin/health-checks/experts/expertpage/", typed_form()).status_code == 404
    assert editor.post("/admin/health-checks/nope/nothing/", typed_form()).status_code == 404
    assert editor.get(CHECKS_URL).status_code == 405
    anonymous = client.post(CHECKS_URL, typed_form())
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]


def test_the_editor_loads_the_checks_script_and_the_panel_names_its_url(roles, site_tree):
    html = signed_in(roles["editor"]).get(add_question_url(site_tree)).content.decode()

    assert "articles/js/health-checks.js" in html
    assert f'data-url="{CHECKS_URL}"' in html
    assert 'name="promotion_reason"' in html


def test_saving_a_draft_with_promotion_needs_no_reason(roles, site_tree):
    editor = signed_in(roles["editor"])
    html = editor.get(add_question_url(site_tree)).content.decode()
    expert = ExpertPage.objects.get(title="Ada Reviewer")

    response = editor.post(add_question_url(site_tree), question_form_data(html, expert, summary=PROMOTION))

    assert response.status_code == 302
    page = QuestionPage.objects.get()
    assert page.promotion_flags
    assert not page.workflow_in_progress


def test_submitting_flagged_text_asks_for_a_sponsored_block_or_a_reason(roles):
    editor = signed_in(roles["editor"])
    page = draft_question(roles["editor"])
    url = f"/admin/pages/{page.pk}/edit/"

    refused = editor.post(url, {**edit_form_data(page, summary=PROMOTION), "action-submit": "Submit"})

    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert list(errors) == ["promotion_reason"]
    assert "A discount (“half price”) in the short answer reads like promotion" in errors["promotion_reason"][0]
    assert "Move it into a Sponsored block, or say here why it is not promotion" in errors["promotion_reason"][0]
    assert PROMOTION in refused.content.decode(), "the editor's text is still in the form"
    assert not fresh(page).workflow_in_progress

    reason = "SpineEase is the trial's name for the brace, not an advert; the price is the trial's."
    submitted = editor.post(
        url, {**edit_form_data(page, summary=PROMOTION, promotion_reason=reason), "action-submit": "Submit"}
    )

    assert submitted.status_code == 302
    page = fresh(page)
    assert page.workflow_in_progress
    assert page.get_latest_revision_as_object().promotion_reason == reason

    # The clinician reviewing it sees the findings and the editor's reason beside them.
    review = signed_in(roles["clinician"]).get(url).content.decode()
    assert "Possible promotion outside a sponsored section." in review
    assert "The editor's reason:</strong> SpineEase is the trial&#x27;s name" in review


def test_submitting_clean_text_needs_no_reason(roles):
    editor = signed_in(roles["editor"])
    page = draft_question(roles["editor"])

    response = editor.post(f"/admin/pages/{page.pk}/edit/", {**edit_form_data(page), "action-submit": "Submit"})

    assert response.status_code == 302
    assert fresh(page).workflow_in_progress


def test_json_answer_is_plain_json(roles):
    """The answer is JSON a script can read, not a page: no admin chrome around it."""
    response = signed_in(roles["editor"]).post(CHECKS_URL, typed_form())
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)
