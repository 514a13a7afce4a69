"""Only the actions a user can take are offered, and each one taken says what happened: over HTTP,
signed in as each role, reading the admin's HTML as the browser gets it.

- The editor's footer offers no plain Publish while a page is in a workflow: the workflow is the
  way it goes live (the sign-off's "Approve and publish…"). Outside a workflow, Publish is offered
  and works as before for those who may publish.
- The dashboard's "Awaiting your review" buttons (a dialog, then Wagtail's workflow action view)
  say what happened and what comes next, as the editor does.
- Bulk Publish: Wagtail has no public way to hide a bulk action from some users; for health pages
  it explains and offers nothing, for every role (articles.wagtail_hooks.ReviewedPublishBulkAction).
"""

import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import TaskState

from articles.admin_status import review_status
from articles.review import put_live_content_up_for_review
from articles.tests.test_clinical_review import act, draft_question
from articles.tests.test_permissions import (
    at_clinical_step,
    at_editorial_step,
    edit_form_data,
    fresh,
    live_reviewed_page,
)
from articles.tests.test_review_integrity import signed_in
from discsite.core.models import SafetyNetText

pytestmark = pytest.mark.django_db

# ------------------------------------------------------------------ the editor's footer


def footer(client, page):
    """What the editor's footer offers: "publish" if it has Wagtail's Publish button, and the names
    of the workflow actions it has buttons for."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    offered = {button["data-workflow-action-name"] for button in soup.select("button[data-workflow-action-name]")}
    if soup.select("button[name=action-publish]"):
        offered.add("publish")
    return offered


def live_page_back_in_clinical_review(roles):
    """The review-due route: the live, approved content goes back into the Clinical review workflow."""
    page = live_reviewed_page(roles)
    put_live_content_up_for_review(page)
    page.get_workflow().start(page, None)
    return fresh(page)


def sent_back_at_sign_off(roles):
    """The moderator asked for changes at the sign-off; the clinician's approval still stands."""
    return act(at_editorial_step(roles), roles["moderator"], "reject", comment="A shorter title, please.")


IN_A_WORKFLOW = {
    # stage: (page at that stage, the workflow actions the moderator is offered there)
    "awaiting sign-off": (at_editorial_step, {"approve", "reject"}),
    "live page back in clinical review": (live_page_back_in_clinical_review, set()),
    "changes requested at sign-off": (sent_back_at_sign_off, set()),
}


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize("stage", list(IN_A_WORKFLOW))
def test_no_plain_publish_beside_the_workflow(roles, stage, role):
    make, moderator_actions = IN_A_WORKFLOW[stage]
    page = make(roles)
    assert page.current_workflow_state is not None
    # Wagtail would offer Publish here: the latest revision is what a clinician approved.
    assert page.permissions_for_user(roles[role]).can_publish()

    offered = footer(signed_in(roles[role]), page)

    assert "publish" not in offered
    if role == "moderator":
        assert offered == moderator_actions


def test_at_the_sign_off_the_dialog_is_the_way_to_publish(roles):
    page = at_editorial_step(roles)
    response = signed_in(roles["moderator"]).get(f"/admin/pages/{page.pk}/edit/")
    soup = BeautifulSoup(response.content, "html.parser")
    labels = [" ".join(button.get_text().split()) for button in soup.select("footer button")]
    assert "Approve and publish…" in labels
    assert "Publish" not in labels


def out_of_the_workflow_after_approval(roles):
    """Approved by a clinician, then the workflow cancelled: in no workflow, with approved content."""
    page = at_editorial_step(roles)
    page.current_workflow_state.cancel(user=roles["moderator"])
    page = fresh(page)
    assert page.current_workflow_state is None
    return page


@pytest.mark.parametrize("role", ["editor", "moderator", "admin"])
def test_publish_outside_a_workflow_is_offered_and_works_as_before(roles, role):
    page = out_of_the_workflow_after_approval(roles)
    client = signed_in(roles[role])
    may_publish = role != "editor"

    assert ("publish" in footer(client, page)) == may_publish

    client.post(f"/admin/pages/{page.pk}/edit/", {**edit_form_data(page), "action-publish": "Publish"})
    assert fresh(page).live == may_publish


def test_a_draft_never_reviewed_is_offered_no_publish(roles):
    page = draft_question(roles["editor"])
    assert "publish" not in footer(signed_in(roles["moderator"]), page)


def snippet_footer(client, texts):
    response = client.get(f"/admin/snippets/core/safetynettext/edit/{texts.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_the_safety_net_snippet_offers_publish_only_when_it_may_go_live(roles, role):
    """Its latest revision unapproved: no Publish (the gate would refuse it). In review: the workflow,
    not a Publish beside it. Wagtail would offer Publish to both roles in both states."""
    texts = SafetyNetText.objects.get()
    texts.urgent_care_action = "Call 999 now."
    texts.save_revision(user=roles["editor"])
    soup = snippet_footer(signed_in(roles[role]), texts)
    assert not soup.select("button[name=action-publish]")
    assert soup.select("button[name=action-submit]")

    texts.get_workflow().start(texts, roles["editor"])
    soup = snippet_footer(signed_in(roles[role]), SafetyNetText.objects.get())
    assert not soup.select("button[name=action-publish]")


# ------------------------------------------------------------------ the dashboard's review buttons


def dashboard_button(client, page, action):
    """The "Awaiting your review" panel's button for this action on this page: its URL, and whether
    it opens a dialog first."""
    soup = BeautifulSoup(client.get("/admin/").content, "html.parser")
    for button in soup.select("button[data-workflow-action-url]"):
        url = button["data-workflow-action-url"]
        if url.startswith(f"/admin/pages/workflow/action/{page.pk}/{action}/"):
            return url, button.has_attr("data-launch-modal")
    raise AssertionError(f"no {action} button for {page.title} on the dashboard")


def take_action_from_the_dashboard(client, page, action, **fields):
    """What the browser does: open the dialog, fill in its form, post it as the dialog does (with the
    dashboard as `next`, over XMLHttpRequest), then follow the redirect it is given."""
    url, opens_dialog = dashboard_button(client, page, action)
    assert opens_dialog
    dialog = client.get(url, headers={"x-requested-with": "XMLHttpRequest"})
    form = BeautifulSoup(json.loads(dialog.content)["html"], "html.parser").find("form")
    assert form["action"] == url
    data = {field["name"]: field.get("value", "") for field in form.select("input[name], textarea[name]")}
    assert set(fields) <= set(data), f"the dialog has no field for {set(fields) - set(data)}"
    data.update(fields, next="http://testserver/admin/")
    posted = client.post(url, data, headers={"x-requested-with": "XMLHttpRequest"})
    assert posted.status_code == 200
    reply = json.loads(posted.content)
    assert reply["step"] == "success", reply
    return client.get(reply["redirect"])


def success_messages(response):
    return [str(message) for message in response.context["messages"] if message.level_tag == "success"]


def title(page):
    return f"“{page.title}”"


def reviewed_today():
    return date_format(timezone.localdate(), "j M Y")


DASHBOARD_ACTIONS = {
    # action: (page in the state it needs, who acts, the dialog's fields, what they are told, stage after)
    "approve the clinical review": (
        at_clinical_step,
        "clinician",
        "approve",
        {"comment": "Accurate.", "next_review_due": ""},
        "Approved. The page now waits for a moderator's sign-off.",
        "Awaiting sign-off",
    ),
    "request changes at the clinical review": (
        at_clinical_step,
        "clinician",
        "reject",
        {"comment": "Say how long to walk for."},
        "Changes requested; the author has been told.",
        "Changes requested",
    ),
    "approve and publish at the sign-off": (
        at_editorial_step,
        "moderator",
        "approve",
        {"comment": "Good."},
        "Approved and published: readers see it now, reviewed on {today}.",
        "Published · reviewed on {today}",
    ),
    "request changes at the sign-off": (
        at_editorial_step,
        "moderator",
        "reject",
        {"comment": "A shorter title, please."},
        "Changes requested; the author has been told.",
        "Changes requested",
    ),
}


@pytest.mark.parametrize("case", list(DASHBOARD_ACTIONS))
def test_a_review_action_from_the_dashboard_says_what_happened_and_what_comes_next(roles, case):
    make, role, action, fields, told, stage = DASHBOARD_ACTIONS[case]
    page = make(roles)
    state = page.current_workflow_task_state

    dashboard = take_action_from_the_dashboard(signed_in(roles[role]), page, action, **fields)

    assert dashboard.status_code == 200
    assert TaskState.objects.get(pk=state.pk).status != TaskState.STATUS_IN_PROGRESS
    assert review_status(fresh(page)) == stage.format(today=reviewed_today())
    told = f"{title(page)}: {told.format(today=reviewed_today())}"
    assert success_messages(dashboard) == [told]
    # In the page the browser shows, at the top, once.
    shown = BeautifulSoup(dashboard.content, "html.parser").select(".messages li")
    assert [" ".join(message.get_text().split()) for message in shown] == [told]


def test_a_dialog_sent_back_with_errors_says_nothing_yet(roles):
    """Request changes without a comment: the dialog shows the error; nothing happened, nothing is said."""
    page = at_clinical_step(roles)
    client = signed_in(roles["clinician"])
    url, _ = dashboard_button(client, page, "reject")
    reply = client.post(url, {"comment": "", "next": "/admin/"}, headers={"x-requested-with": "XMLHttpRequest"})
    assert json.loads(reply.content)["step"] == "action"
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
    assert success_messages(client.get("/admin/")) == []


# ------------------------------------------------------------------ bulk Publish


@pytest.mark.parametrize("role", ["editor", "clinician", "moderator", "admin"])
def test_bulk_publish_of_a_health_page_explains_and_offers_nothing_to_anyone(roles, role):
    """Wagtail lists the bulk actions of a model for everyone (no hook sees the user), so bulk Publish
    stays in the explorer; for health content it leads to an explanation, never to a Publish button."""
    page = at_editorial_step(roles)
    client = signed_in(roles[role])
    url = f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}"
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "Expert answers and articles go live when a moderator signs off their clinical review" in html
    assert "Yes, publish" not in html
    client.post(url, {})
    assert not fresh(page).live


def test_a_clinician_opens_a_page_awaiting_review_from_the_dashboard(roles):
    """The title in "Awaiting your review" leads the clinician into the editor, where they comment,
    compare and decide."""
    page = at_clinical_step(roles)
    clinician = signed_in(roles["clinician"])
    soup = BeautifulSoup(clinician.get("/admin/").content, "html.parser")
    panel = soup.select_one("#awaiting-review-content") or soup.find(
        id=lambda value: value and "awaiting-review" in value
    )
    assert panel is not None
    assert panel.find("a", href=f"/admin/pages/{page.pk}/edit/"), "the title is not a link to the editor"
    assert clinician.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
