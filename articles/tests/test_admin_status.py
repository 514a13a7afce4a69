"""What editors are told about a page's clinical review, over HTTP against the real admin views.

The explorer listing and the editor's header name the page's stage (articles.admin_status); each
workflow action taken in the editor says what happened and what comes next; the moderator's
approval, which publishes, asks first; bulk Publish offers nothing for health content.
"""

import datetime
import json
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import TaskState

from articles.admin_status import review_status
from articles.factories import QuestionPageFactory
from articles.models import QuestionPage
from articles.tests.test_clinical_review import act, draft_question, submit
from articles.tests.test_permissions import (
    at_clinical_step,
    at_editorial_step,
    edit_form_data,
    fresh,
    live_reviewed_page,
    workflow_action_url,
)
from articles.tests.test_review_integrity import signed_in
from articles.workflow import EditorialSignOffTask, SignOffForm

pytestmark = pytest.mark.django_db

CHANGES = "Say how long to walk for."


def with_changes_requested(roles):
    return act(at_clinical_step(roles), roles["clinician"], "reject", comment=CHANGES)


def overdue(roles):
    page = live_reviewed_page(roles)
    QuestionPage.objects.filter(pk=page.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    return fresh(page)


def seeded_source_material(roles):
    """Live, as the seed publishes source material: no review record."""
    return QuestionPageFactory(live=True)


def reviewed_today(roles):
    return f"Published · reviewed on {date_format(timezone.localdate(), 'j M Y')}"


STATES = {
    "draft": (lambda roles: draft_question(roles["editor"]), "Draft"),
    "in clinical review": (at_clinical_step, "In clinical review"),
    "changes requested": (with_changes_requested, "Changes requested"),
    "awaiting sign-off": (at_editorial_step, "Awaiting sign-off"),
    "published and reviewed": (live_reviewed_page, reviewed_today),
    "review overdue": (overdue, "Review overdue"),
    "published, never reviewed": (seeded_source_material, "Published · not yet reviewed"),
}


def tag_text(html, hidden_label):
    """The text of the status tags carrying this screen-reader prefix (Wagtail's `{% status %}` tag)."""
    pattern = rf'<span class="w-sr-only">{re.escape(hidden_label)}</span>\s*([^<]+?)\s*</'
    return re.findall(pattern, html)


@pytest.mark.parametrize("state", list(STATES))
def test_the_explorer_and_the_editor_name_the_review_stage(roles, state):
    make, label = STATES[state]
    page = make(roles)
    label = label(roles) if callable(label) else label
    assert review_status(page) == label
    client = signed_in(roles["admin"])

    listing = client.get(f"/admin/pages/{page.get_parent().pk}/").content.decode()
    assert tag_text(listing, "Current page status:") == [label]

    editor = client.get(f"/admin/pages/{page.pk}/edit/")
    assert editor.status_code == 200
    assert tag_text(editor.content.decode(), "Review status:") == [label]


def form_data(page, **changes):
    """The editor's form as a browser posts it back: the body's blocks keep their ids, so that an
    unchanged form is not a new revision (with re-approval on edit, one would restart the review)."""
    data = edit_form_data(page, **changes)
    for index, block in enumerate(page.get_latest_revision_as_object().body):
        data[f"body-{index}-id"] = block.id
    return data


def test_the_dashboard_names_the_stage_of_the_pages_you_edited(roles):
    page = draft_question(roles["editor"])
    client = signed_in(roles["editor"])
    client.post(f"/admin/pages/{page.pk}/edit/", {**form_data(page, summary="Edited."), "action-submit": "Submit"})
    act(fresh(page), roles["clinician"], "reject", comment=CHANGES)
    dashboard = client.get("/admin/").content.decode()
    assert "Changes requested" in tag_text(dashboard, "Current page status:")


def workflow_action(page, name, **data):
    """What the editor's footer posts for a workflow action (after its dialog, if it has one)."""
    return {
        **form_data(page),
        "action-workflow-action": "true",
        "workflow-action-name": name,
        "workflow-action-extra-data": json.dumps(data),
    }


def success_messages(response):
    return [str(message) for message in response.context["messages"] if message.level_tag == "success"]


def submitted_in_the_editor(roles):
    """At the clinical step, with its content as the editor's form saves it (the first save of a
    factory-made body adds rich-text block keys), so that posting the form again changes nothing."""
    page = draft_question(roles["editor"])
    editor = signed_in(roles["editor"])
    editor.post(f"/admin/pages/{page.pk}/edit/", form_data(page))
    editor.post(f"/admin/pages/{page.pk}/edit/", {**form_data(page), "action-submit": "Submit"})
    assert fresh(page).current_workflow_task_state is not None
    return fresh(page)


def signed_off_by_a_clinician_in_the_editor(roles):
    return act(submitted_in_the_editor(roles), roles["clinician"], "approve", comment="", next_review_due=None)


def submitted(page):
    return {**form_data(page, summary="Walk 10 to 30 minutes a day."), "action-submit": "Submit"}


ACTIONS = {
    # action: (page in the state it needs, who acts, what they post, what they are told, the stage after)
    "submit": (
        lambda roles: draft_question(roles["editor"]),
        "editor",
        submitted,
        "Submitted for review. The page now waits for a clinical reviewer; the reviewers have been told.",
        "In clinical review",
    ),
    "request changes": (
        submitted_in_the_editor,
        "clinician",
        lambda page: workflow_action(page, "reject", comment=CHANGES),
        "Changes requested; the author has been told.",
        "Changes requested",
    ),
    "resubmit": (
        with_changes_requested,
        "editor",
        submitted,
        "Resubmitted. The page now waits for a clinical reviewer; the reviewers have been told.",
        "In clinical review",
    ),
    "approve": (
        submitted_in_the_editor,
        "clinician",
        lambda page: workflow_action(page, "approve", comment="Accurate.", next_review_due=""),
        "Approved. The page now waits for a moderator's sign-off.",
        "Awaiting sign-off",
    ),
    "request changes at sign-off": (
        signed_off_by_a_clinician_in_the_editor,
        "moderator",
        lambda page: workflow_action(page, "reject", comment="A shorter title, please."),
        "Changes requested; the author has been told.",
        "Changes requested",
    ),
    "approve and publish": (
        signed_off_by_a_clinician_in_the_editor,
        "moderator",
        lambda page: workflow_action(page, "approve", comment="Good."),
        f"Approved and published: readers see it now, reviewed on {date_format(timezone.localdate(), 'j M Y')}.",
        reviewed_today(None),
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_workflow_action_in_the_editor_says_what_happened_and_what_comes_next(roles, action):
    make, role, data, told, stage = ACTIONS[action]
    page = make(roles)
    response = signed_in(roles[role]).post(f"/admin/pages/{page.pk}/edit/", data(page), follow=True)
    assert response.status_code == 200
    if role != "editor":  # the reviewer's form changed nothing, so no revision restarted the review
        assert not fresh(page).revisions.filter(user=roles[role]).exists()
    # In place of Wagtail's generic "Page '...' has been updated" / "submitted for moderation".
    assert success_messages(response) == [told]
    assert review_status(fresh(page)) == stage


def test_the_moderators_approval_asks_before_it_publishes(roles):
    page = at_editorial_step(roles)
    task = page.current_workflow_task
    assert isinstance(task, EditorialSignOffTask)
    assert task.get_actions(page, roles["moderator"]) == [
        ("reject", "Request changes", True),
        ("approve", "Approve and publish…", True),
    ]
    assert task.get_actions(page, roles["editor"]) == []
    assert task.get_form_for_action("approve") is SignOffForm

    # The editor's footer opens the dialog rather than approving in one click.
    moderator = signed_in(roles["moderator"])
    footer = moderator.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    approve_buttons = re.findall(r'<button class="button" data-workflow-action-name="approve"([^>]*)>', footer)
    assert len(approve_buttons) == 1  # no one-click "Approve" beside it
    assert "data-workflow-action-modal-url" in approve_buttons[0]
    assert "Approve and publish…" in footer
    dialog = moderator.get(workflow_action_url(page, "approve"))
    assert dialog.status_code == 200
    assert "Approving publishes this page now" in json.loads(dialog.content)["html"]
    assert not fresh(page).live

    moderator.post(workflow_action_url(page, "approve"), {"comment": ""})
    assert fresh(page).live


def test_bulk_publish_offers_nothing_for_health_content(roles):
    client = signed_in(roles["admin"])
    page = at_editorial_step(roles)
    url = f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}"
    confirmation = client.get(url).content.decode()
    assert "Expert answers and articles go live when a moderator signs off their clinical review" in confirmation
    assert "Yes, publish" not in confirmation
    client.post(url, {})
    assert not fresh(page).live
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS


def test_submit_straight_from_the_create_view_says_what_comes_next(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])  # a sibling, so the index exists
    index = page.get_parent()
    data = {**edit_form_data(page, title="Can I swim?", slug="can-i-swim"), "action-submit": "Submit"}
    response = signed_in(roles["editor"]).post(
        f"/admin/pages/add/articles/questionpage/{index.pk}/", data, follow=True
    )
    assert success_messages(response) == [
        "Submitted for review. The page now waits for a clinical reviewer; the reviewers have been told."
    ]
    assert review_status(QuestionPage.objects.get(slug="can-i-swim")) == "In clinical review"


@pytest.mark.parametrize(
    ("field", "posted"),
    [
        ("live_content_in_review", "on"),  # readers would be told a clinician is checking the page
        ("import_record", json.dumps({"file": "trusted-source.docx", "importer": "a clinician"})),
    ],
)
def test_what_the_system_keeps_about_a_page_cannot_be_posted_in_the_edit_form(roles, field, posted):
    """Fields only the workflow or the importer set are not in the form: a tampered post is ignored."""
    page = draft_question(roles["editor"])
    client = signed_in(roles["editor"])
    response = client.post(f"/admin/pages/{page.pk}/edit/", {**form_data(page, summary="Edited."), field: posted})
    assert response.status_code == 302
    saved = fresh(page)
    assert saved.summary == "Edited."
    assert getattr(saved, field) == QuestionPage._meta.get_field(field).get_default()
    assert getattr(saved.get_latest_revision_as_object(), field) == QuestionPage._meta.get_field(field).get_default()
