"""Review integrity, tried as an attacker signed in as each role would: plain HTTP posts to the admin.

What a clinician approved is exactly what readers see. Each test replays one route by which
unapproved text reached readers before, and checks what readers (and the API) get afterwards.
"""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Revision, TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text

from articles.factories import TopicPageFactory
from articles.integrity import content_of, fingerprint, publishing_unreviewed_source_material
from articles.models import QuestionPage, TopicPage
from articles.tests.test_clinical_review import act, draft_question, submit
from articles.tests.test_permissions import (
    at_clinical_step,
    at_editorial_step,
    edit_form_data,
    fresh,
    live_reviewed_page,
    workflow_action_url,
)
from articles.workflow import ClinicalReviewTaskState, add_months, clinical_approval_for
from discsite.core.models import SafetyNetText
from discsite.core.system import system_user
from experts.factories import ExpertPageFactory
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

UNAPPROVED = "Stop physiotherapy at once and buy our brace."


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def what_readers_get(page):
    """The public page and the API's record of it, as an anonymous reader gets them."""
    page = fresh(page)
    if not page.live:
        return "", {}
    html = Client().get(page.url).content.decode()
    api = Client().get(f"/api/v2/pages/{page.pk}/?fields=summary,review_status").json()
    return html, api


def assert_readers_never_see_unapproved_text(page):
    html, api = what_readers_get(page)
    assert UNAPPROVED not in html
    assert UNAPPROVED not in json.dumps(api)
    page = fresh(page)
    if page.live and page.review_status == "reviewed":
        assert clinical_approval_for(page, page.live_revision) is not None


def clinical_step_decision(client, page, action="approve", **data):
    data = {"comment": "", "next_review_due": "", **data} if action == "approve" else {"comment": "Fix it.", **data}
    return client.post(workflow_action_url(fresh(page), action), data)


# ------------------------------------------------------------------ 1. rewriting in place


def test_an_approved_revision_is_not_rewritten_through_the_autosave_field(roles):
    moderator = signed_in(roles["moderator"])
    page = draft_question(roles["moderator"])
    moderator.post(edit_url(page), {**edit_form_data(page), "action-submit": "Submit"})
    page = fresh(page)
    assert page.workflow_in_progress
    clinical_step_decision(signed_in(roles["clinician"]), page)
    approved = fresh(page).get_latest_revision()
    assert clinical_approval_for(page, approved) is not None
    approved_content = content_of(approved)

    moderator.post(
        edit_url(page), {**edit_form_data(page, summary=UNAPPROVED), "overwrite_revision_id": str(approved.pk)}
    )
    assert content_of(Revision.objects.get(pk=approved.pk)) == approved_content, "the approved revision was rewritten"
    assert fresh(page).get_latest_revision_as_object().summary == UNAPPROVED, "the edit is kept, as a new revision"

    state = fresh(page).current_workflow_task_state
    if state is not None:
        moderator.post(workflow_action_url(fresh(page), "approve"), {"comment": ""})
    moderator.post(edit_url(page), {**edit_form_data(page, summary=UNAPPROVED), "action-publish": "Publish"})
    assert_readers_never_see_unapproved_text(page)


def test_the_live_revision_is_not_rewritten_and_the_rewrite_cannot_be_published(roles):
    page = live_reviewed_page(roles)
    live = page.live_revision
    live_content = content_of(live)
    editor = signed_in(roles["editor"])
    editor.post(edit_url(page), {**edit_form_data(page, summary=UNAPPROVED), "overwrite_revision_id": str(live.pk)})
    assert content_of(Revision.objects.get(pk=live.pk)) == live_content
    assert fresh(page).get_latest_revision_as_object().summary == UNAPPROVED

    moderator = signed_in(roles["moderator"])
    form = moderator.get(edit_url(page)).content.decode()
    assert 'name="action-publish"' not in form, "Publish is offered for content no clinician approved"
    moderator.post(edit_url(page), {**edit_form_data(page, summary=UNAPPROVED), "action-publish": "Publish"})
    assert fresh(page).live_revision_id == live.pk
    _html, api = what_readers_get(page)
    assert api["review_status"] == "reviewed"
    assert api["summary"] != UNAPPROVED
    assert_readers_never_see_unapproved_text(page)


def test_a_protected_revision_cannot_be_rewritten_by_any_code_path(roles):
    page = live_reviewed_page(roles)
    live = page.live_revision
    live.content = {**live.content, "summary": UNAPPROVED}
    with pytest.raises(PermissionDenied, match="cannot be rewritten"):
        live.save()


# ------------------------------------------------------------------ 3. who wrote it


def test_a_clinician_who_changed_the_content_cannot_approve_it_after_a_resubmission(roles):
    page = at_clinical_step(roles)
    clinician = signed_in(roles["clinician"])
    clinician.post(edit_url(page), edit_form_data(page, summary="The clinician's own words."))
    clinical_step_decision(clinician, page, "reject", comment="I rewrote the short answer; please check it.")
    assert fresh(page).current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    # The editor resubmits without touching anything.
    signed_in(roles["editor"]).post(edit_url(page), {**edit_form_data(page), "action-submit": "Resubmit"})
    page = fresh(page)
    state = page.current_workflow_task_state
    assert state.status == TaskState.STATUS_IN_PROGRESS

    clinical_step_decision(clinician, page, next_review_due=add_months(timezone.localdate(), 12).isoformat())
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS, "approved their own words"

    clinical_step_decision(signed_in(roles["second_clinician"]), page)
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED


def test_a_clinician_who_only_comments_can_still_approve(roles):
    page = at_clinical_step(roles)
    clinician = signed_in(roles["clinician"])
    comment = {
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "",
        "comments-0-DELETE": "",
        "comments-0-resolved": "",
        "comments-0-id": "",
        "comments-0-contentpath": "summary",
        "comments-0-text": "Is 'a few weeks' right here?",
        "comments-0-position": "",
        "comments-0-replies-TOTAL_FORMS": "0",
        "comments-0-replies-INITIAL_FORMS": "0",
        "comments-0-replies-MIN_NUM_FORMS": "0",
        "comments-0-replies-MAX_NUM_FORMS": "0",
    }
    clinician.post(edit_url(page), {**edit_form_data(page), **comment})
    page = fresh(page)
    assert page.get_latest_revision().user == roles["clinician"], "the comment made a revision in their name"
    assert page.wagtail_admin_comments.filter(text__startswith="Is 'a few weeks'").exists()
    state = page.current_workflow_task_state
    clinical_step_decision(clinician, page)
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED


def test_a_clinician_cannot_approve_an_answer_given_in_their_own_name(roles):
    page = draft_question(roles["editor"], author=roles["clinician"].expert_profile)
    page = submit(page, roles["editor"])
    state = page.current_workflow_task_state
    clinical_step_decision(signed_in(roles["clinician"]), page)
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


# ------------------------------------------------------------------ 5. whose name stands


def expert_form_data(expert, **changes):
    data = {
        "title": expert.title,
        "slug": expert.slug,
        "honorific": expert.honorific,
        "credentials": expert.credentials,
        "job_title": expert.job_title,
        "department": expert.department,
        "institution": expert.institution,
        "photo": "",
        "bio": rich_text(expert.bio or "<p></p>", features=["bold", "italic", "link"]),
        "comments": {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"},
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(changes)
    return nested_form_data(data)


def test_topic_intros_and_expert_profiles_go_live_only_after_clinical_review(roles):
    moderator = signed_in(roles["moderator"])
    topic = TopicPageFactory(title="Exercise", intro="Exercises that help.")
    moderator.post(
        f"/admin/pages/{topic.pk}/edit/",
        nested_form_data(
            {
                "title": topic.title,
                "slug": topic.slug,
                "tag": str(topic.tag_id),
                "intro": UNAPPROVED,
                "comments": {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"},
                "seo_title": "",
                "search_description": "",
                "go_live_at": "",
                "expire_at": "",
                "action-publish": "Publish",
            }
        ),
    )
    assert TopicPage.objects.get(pk=topic.pk).intro == "Exercises that help."
    assert UNAPPROVED not in Client().get(topic.url).content.decode()
    author = ExpertPageFactory(title="Cai Author", bio="<p>An orthopaedic surgeon.</p>")
    moderator.post(
        f"/admin/pages/{author.pk}/edit/",
        {**expert_form_data(author, bio=rich_text(f"<p>{UNAPPROVED}</p>")), "action-publish": "Publish"},
    )
    assert UNAPPROVED not in Client().get(author.url).content.decode()
    assert UNAPPROVED not in ExpertPage.objects.get(pk=author.pk).bio


def test_a_moderator_cannot_restyle_a_reviewer_nor_link_a_login_to_a_profile(roles):
    moderator = signed_in(roles["moderator"])
    reviewer = roles["clinician"].expert_profile
    moderator.post(
        f"/admin/pages/{reviewer.pk}/edit/",
        {**expert_form_data(reviewer, honorific="Prof", credentials="MD, PhD"), "action-publish": "Publish"},
    )
    reviewer = ExpertPage.objects.get(pk=reviewer.pk)
    assert (reviewer.honorific, reviewer.credentials) == ("Dr", "")
    assert reviewer.get_latest_revision_as_object().credentials == ""

    other = ExpertPageFactory(title="Cai Author")
    moderator.post(
        f"/admin/pages/{other.pk}/edit/",
        {**expert_form_data(other), "user": str(roles["unlinked_clinician"].pk), "action-publish": "Publish"},
    )
    assert ExpertPage.objects.get(pk=other.pk).user_id is None


def test_the_byline_names_the_reviewer_as_verified_when_they_approved(roles):
    page = live_reviewed_page(roles)
    reviewer = roles["clinician"].expert_profile
    # Later an administrator changes the profile (a new title, say), and it passes its own review.
    signed_in(roles["admin"]).post(
        f"/admin/pages/{reviewer.pk}/edit/",
        {**expert_form_data(reviewer, honorific="Prof", credentials="MD, PhD"), "action-submit": "Submit"},
    )
    reviewer = ExpertPage.objects.get(pk=reviewer.pk)
    state = reviewer.current_workflow_task_state
    signed_in(roles["clinician"]).post(
        workflow_action_url(reviewer, "approve"), {"comment": "", "next_review_due": ""}
    )
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS, "approved their own profile"
    signed_in(roles["second_clinician"]).post(
        workflow_action_url(reviewer, "approve"), {"comment": "", "next_review_due": ""}
    )
    reviewer = ExpertPage.objects.get(pk=reviewer.pk)
    signed_in(roles["moderator"]).post(workflow_action_url(reviewer, "approve"), {"comment": ""})
    assert ExpertPage.objects.get(pk=reviewer.pk).credentials == "MD, PhD"
    html, _api = what_readers_get(page)
    byline = BeautifulSoup(html, "html.parser").select_one(".review-record").get_text(" ", strip=True)
    assert "Medically reviewed by Dr Ada Reviewer, Orthopedics" in byline
    assert "MD, PhD" not in byline
    assert "Prof" not in byline


# ------------------------------------------------------------------ 6. approval data via the editor


@pytest.mark.parametrize(
    "extra_data",
    [
        '{"comment": "", "next_review_due": "2099-12-31"}',
        '{"comment": 5}',
        "not json",
        '{"comment": "", "next_review_due": "31 Feb 2027"}',
        '["comment"]',
        '{"comment": "", "next_review_due": "2027-01-01", "reviewer": 1}',
    ],
)
def test_malformed_approval_data_in_the_edit_form_is_a_400_and_changes_nothing(roles, extra_data):
    page = at_clinical_step(roles)
    state = page.current_workflow_task_state
    response = signed_in(roles["clinician"]).post(
        edit_url(page),
        {
            **edit_form_data(page),
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": extra_data,
        },
    )
    assert response.status_code == 400
    assert b"Nothing was changed" in response.content
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_well_formed_approval_data_in_the_edit_form_still_approves(roles):
    page = at_clinical_step(roles)
    state = page.current_workflow_task_state
    due = add_months(timezone.localdate(), 18)
    response = signed_in(roles["clinician"]).post(
        edit_url(page),
        {
            **edit_form_data(page),
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": json.dumps({"comment": "Accurate.", "next_review_due": due.isoformat()}),
        },
    )
    assert response.status_code == 302
    state = ClinicalReviewTaskState.objects.get(pk=state.pk)
    assert state.status == TaskState.STATUS_APPROVED
    assert state.next_review_due == due
    assert state.fingerprint == fingerprint(fresh(page).get_latest_revision())


# ------------------------------------------------------------------ 7. the re-review loop


def test_the_re_review_loop_reviews_what_readers_see_submitted_by_the_system(roles):
    page = live_reviewed_page(roles)
    QuestionPage.objects.filter(pk=page.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    page = fresh(page)
    live_summary = page.summary
    page.summary = "An editor's unfinished edit."
    page.save_revision(user=roles["editor"])
    call_command("review_due", "--start-workflows", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = fresh(page)
    state = page.current_workflow_state
    assert state is not None
    assert state.requested_by == system_user()
    reviewed = page.current_workflow_task_state.revision
    assert reviewed.as_object().summary == live_summary
    assert reviewed.user == system_user()
    assert page.revisions.filter(content__summary="An editor's unfinished edit.").exists(), "the draft is kept"
    dashboard = signed_in(roles["clinician"]).get("/admin/")
    assert dashboard.status_code == 200
    assert page.title in dashboard.content.decode()
    assert "moderator" not in dashboard.content.decode()


# ------------------------------------------------------------------ 8. locks


def test_a_clinician_locks_only_what_is_in_their_review(roles):
    clinician = signed_in(roles["clinician"])
    live = live_reviewed_page(roles)
    clinician.post(f"/admin/pages/{live.pk}/lock/", {})
    assert not fresh(live).locked
    in_review = at_clinical_step(roles)
    clinician.post(f"/admin/pages/{in_review.pk}/lock/", {})
    assert fresh(in_review).locked


# ------------------------------------------------------------------ every route, every role

ROLES = ["editor", "clinician", "second_clinician", "moderator", "admin"]


def route_edit_form_publish(client, roles):
    page = live_reviewed_page(roles)
    client.post(edit_url(page), {**edit_form_data(page, summary=UNAPPROVED), "action-publish": "Publish"})
    return page


def route_sign_off_after_a_change(client, roles):
    page = at_editorial_step(roles)
    client.post(edit_url(page), edit_form_data(page, summary=UNAPPROVED))
    page = fresh(page)
    if page.current_workflow_task_state is not None:
        client.post(workflow_action_url(page, "approve"), {"comment": "", "next_review_due": ""})
    return page


def route_sign_off_after_a_model_level_change(client, roles):
    page = at_editorial_step(roles)
    latest = page.get_latest_revision()
    Revision.objects.filter(pk=latest.pk).update(content={**latest.content, "summary": UNAPPROVED})
    client.post(workflow_action_url(fresh(page), "approve"), {"comment": ""})
    return page


def route_bulk_publish(client, roles):
    page = live_reviewed_page(roles)
    draft = fresh(page)
    draft.summary = UNAPPROVED
    draft.save_revision(user=roles["editor"])
    client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {})
    return page


def route_revert_to_an_unreviewed_revision(client, roles):
    page = draft_question(roles["editor"], summary=UNAPPROVED)
    old = page.get_latest_revision()
    page.summary = "The reviewed text."
    page.save_revision(user=roles["editor"])
    page = submit(page, roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    client.post(
        edit_url(page),
        {**edit_form_data(page, summary=UNAPPROVED), "revision": str(old.pk), "action-publish": "Publish"},
    )
    return page


def route_approve_in_the_edit_form_with_changes(client, roles):
    page = at_clinical_step(roles)
    client.post(
        edit_url(page),
        {
            **edit_form_data(page, summary=UNAPPROVED),
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": "{}",
        },
    )
    page = fresh(page)
    if page.current_workflow_task_state is not None:
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
    return page


def route_copy_and_publish(client, roles):
    page = live_reviewed_page(roles)
    client.post(
        f"/admin/pages/{page.pk}/copy/",
        {
            "new_title": UNAPPROVED,
            "new_slug": "copied",
            "new_parent_page": str(page.get_parent().pk),
            "copy_subpages": "",
            "publish_copies": "on",
            "alias": "",
        },
    )
    copied = QuestionPage.objects.filter(slug="copied").first()
    if copied is not None:
        assert not copied.live
    return page


def route_copy_a_topic_and_publish(client, roles):
    topic = TopicPageFactory(title="Exercise", intro="Exercises that help.")
    client.post(
        f"/admin/pages/{topic.pk}/copy/",
        {
            "new_title": UNAPPROVED,
            "new_slug": "copied-topic",
            "new_parent_page": str(topic.get_parent().pk),
            "copy_subpages": "",
            "publish_copies": "on",
            "alias": "",
        },
    )
    copied = TopicPage.objects.filter(slug="copied-topic").first()
    if copied is not None:
        assert not copied.live, "a copy of a live topic went live under a new title"
    return live_reviewed_page(roles)


ROUTES = [
    route_edit_form_publish,
    route_sign_off_after_a_change,
    route_sign_off_after_a_model_level_change,
    route_bulk_publish,
    route_revert_to_an_unreviewed_revision,
    route_approve_in_the_edit_form_with_changes,
    route_copy_and_publish,
    route_copy_a_topic_and_publish,
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.__name__.removeprefix("route_"))
def test_no_route_makes_unapproved_content_live(roles, role, route):
    page = route(signed_in(roles[role]), roles)
    assert_readers_never_see_unapproved_text(page)
    for copied in QuestionPage.objects.live().filter(title=UNAPPROVED):
        raise AssertionError(f"a copy went live: {copied}")


def test_a_preview_of_unapproved_text_is_never_kept_for_readers(roles, caches_on):
    """A preview is the live page's own object (the same id and live revision) rendered with a draft's
    content: were it kept like the live page's own content, readers would get the draft. The editor
    previews unapproved text and views the draft revision before any reader asks; readers, with every
    cache on, then get the approved page, rendered and as kept."""
    page = live_reviewed_page(roles)
    # Readers on the site's own host name: Wagtail renders a preview as a request to that host, so a
    # preview kept like a page would be under the readers' keys.
    host = page.get_site().hostname
    reader = Client(HTTP_HOST=host)
    editor = signed_in(roles["editor"])
    preview_url = f"/admin/pages/{page.pk}/edit/preview/"
    editor.post(preview_url, edit_form_data(page, summary=UNAPPROVED))
    assert UNAPPROVED in editor.get(preview_url).content.decode()  # the preview did render the draft
    editor.post(edit_url(page), edit_form_data(page, summary=UNAPPROVED))  # saved as a draft
    draft = fresh(page).get_latest_revision()
    assert UNAPPROVED in editor.get(f"/admin/pages/{page.pk}/revisions/{draft.pk}/view/").content.decode()
    past_the_page_cache = Client(HTTP_HOST=host)
    past_the_page_cache.cookies["sessionid"] = "no-such-session"  # rendered from the kept fragments
    for client in (reader, past_the_page_cache):
        assert UNAPPROVED not in client.get(page.url).content.decode()
    assert_readers_never_see_unapproved_text(page)


READER_LISTINGS = ["/", "/questions/", "/topics/", "/search/?q=disc", "/feed/"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.__name__.removeprefix("route_"))
def test_no_route_puts_unapproved_content_in_what_the_caches_keep(roles, route, caches_on):
    """The same routes, as the moderator, with the page cache and the kept fragments on (as in
    production) and warm before the attempt: no response, own-content fragment, card or kept search
    result may carry text no clinician approved, on the first request after it or the next."""
    reader = Client()
    for url in READER_LISTINGS:
        reader.get(url)
    page = route(signed_in(roles["moderator"]), roles)
    for _ in range(2):  # rendered afresh, then as the caches keep it
        assert_readers_never_see_unapproved_text(page)
        for url in READER_LISTINGS:
            assert UNAPPROVED not in reader.get(url).content.decode(), url


def test_scheduled_publishing_refuses_content_no_clinician_approved_and_goes_on(roles):
    page = live_reviewed_page(roles)
    draft = fresh(page)
    draft.summary = UNAPPROVED
    revision = draft.save_revision(user=roles["editor"])
    past = timezone.now() - datetime.timedelta(minutes=1)
    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=past)
    # Another page, approved and scheduled: the refusal must not hold it back.
    other = submit(draft_question(roles["editor"], title="Is swimming good for a herniated disc?"), roles["editor"])
    other = act(other, roles["clinician"], "approve", comment="", next_review_due=None)
    other_revision = other.get_latest_revision()
    Revision.objects.filter(pk=other_revision.pk).update(approved_go_live_at=past)
    call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_readers_never_see_unapproved_text(page)
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is None, "still scheduled"
    assert fresh(page).get_latest_revision().pk == revision.pk
    history = signed_in(roles["moderator"]).get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "Taken off the schedule" in history
    assert fresh(other).live_revision_id == other_revision.pk


# ------------------------------------------------------------------ 4. the safety-net texts


def safety_net_form_data(texts, **changes):
    data = {
        "urgent_care_title": texts.urgent_care_title,
        "urgent_care_symptoms": texts.urgent_care_symptoms,
        "urgent_care_action": texts.urgent_care_action,
        "disclaimer": rich_text(texts.disclaimer, features=["bold", "italic", "link"]),
    }
    data.update(changes)
    return nested_form_data(data)


def test_the_safety_net_texts_go_live_only_after_clinical_review_and_send_every_page_back(roles):
    texts = SafetyNetText.objects.get()
    for role in ("editor", "moderator", "admin"):
        listing = signed_in(roles[role]).get("/admin/snippets/core/safetynettext/")
        assert listing.status_code == 200, role
        assert "Urgent-care card and disclaimer" in listing.content.decode()
        assert signed_in(roles[role]).get(f"/admin/snippets/core/safetynettext/edit/{texts.pk}/").status_code == 200
    page = live_reviewed_page(roles)
    edit = f"/admin/snippets/core/safetynettext/edit/{texts.pk}/"
    for role in ("editor", "moderator", "admin"):
        response = signed_in(roles[role]).post(
            edit,
            {**safety_net_form_data(texts, urgent_care_action=UNAPPROVED), "action-publish": "Publish"},
            follow=True,
        )
        assert response.status_code in (200, 403)
        if role != "editor":
            assert b"saved as a draft but not published" in response.content
        assert SafetyNetText.objects.get().urgent_care_action != UNAPPROVED, f"{role} published it unreviewed"
        assert UNAPPROVED not in Client().get(page.url).content.decode()

    signed_in(roles["editor"]).post(
        edit, {**safety_net_form_data(texts, urgent_care_action="Call 999 now."), "action-submit": "Submit"}
    )
    texts = SafetyNetText.objects.get()
    assert texts.workflow_in_progress
    assert "Call 999 now." not in Client().get(page.url).content.decode()
    approve = f"/admin/snippets/core/safetynettext/workflow/action/{texts.pk}/approve/{texts.current_workflow_task_state.pk}/"
    signed_in(roles["clinician"]).post(approve, {"comment": "", "next_review_due": ""})
    texts = SafetyNetText.objects.get()
    moderator_approve = f"/admin/snippets/core/safetynettext/workflow/action/{texts.pk}/approve/{texts.current_workflow_task_state.pk}/"
    signed_in(roles["moderator"]).post(moderator_approve, {"comment": ""})
    assert SafetyNetText.objects.get().urgent_care_action == "Call 999 now."
    assert "Call 999 now." in Client().get(page.url).content.decode()

    page = fresh(page)
    assert page.workflow_in_progress, "a health page showing the new texts was not sent back to review"
    assert page.current_workflow_state.requested_by == system_user()
    assert content_of(page.current_workflow_task_state.revision) == content_of(page.live_revision)


def test_malformed_approval_data_in_the_snippet_editor_is_a_400_too(roles):
    texts = SafetyNetText.objects.get()
    edit = f"/admin/snippets/core/safetynettext/edit/{texts.pk}/"
    signed_in(roles["editor"]).post(
        edit, {**safety_net_form_data(texts, urgent_care_action="Call 999."), "action-submit": "Submit"}
    )
    texts = SafetyNetText.objects.get()
    state = texts.current_workflow_task_state
    for extra_data in ("not json", '{"comment": "", "next_review_due": "2099-12-31"}'):
        response = signed_in(roles["clinician"]).post(
            edit,
            {
                **safety_net_form_data(texts, urgent_care_action="Call 999."),
                "action-workflow-action": "true",
                "workflow-action-name": "approve",
                "workflow-action-extra-data": extra_data,
            },
        )
        assert response.status_code == 400
        assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_the_history_says_who_reviewed_the_page_in_words(roles):
    page = live_reviewed_page(roles)
    history = signed_in(roles["moderator"]).get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "Review record: medically reviewed by Dr Ada Reviewer, Orthopedics on" in history
    assert "bound method" not in history


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_copying_a_reviewers_profile_copies_neither_its_login_nor_its_live_state(roles, role):
    reviewer = roles["clinician"].expert_profile
    form = {
        "new_title": "Ada Reviewer (copy)",
        "new_slug": "ada-reviewer-copy",
        "new_parent_page": str(reviewer.get_parent().pk),
        "copy_subpages": "",
        "alias": "",
    }
    client = signed_in(roles[role])
    refused = client.post(f"/admin/pages/{reviewer.pk}/copy/", {**form, "publish_copies": "on"})
    assert refused.status_code == 200
    assert "You do not have permission to publish pages" in refused.content.decode()
    response = client.post(f"/admin/pages/{reviewer.pk}/copy/", form)
    assert response.status_code == 302
    copied = ExpertPage.objects.get(slug="ada-reviewer-copy")
    assert copied.user_id is None
    assert not copied.live
    assert ExpertPage.objects.get(pk=reviewer.pk).user == roles["clinician"]


def test_the_live_safety_net_revision_is_not_rewritten_through_the_autosave_field(roles):
    texts = SafetyNetText.objects.get()
    with publishing_unreviewed_source_material("a test: the texts in force, as a revision"):
        live = texts.save_revision()
        live.publish()
    live_content = dict(Revision.objects.get(pk=live.pk).content)
    response = signed_in(roles["editor"]).post(
        f"/admin/snippets/core/safetynettext/edit/{texts.pk}/",
        {**safety_net_form_data(texts, urgent_care_action=UNAPPROVED), "overwrite_revision_id": str(live.pk)},
    )
    assert response.status_code in (200, 302)
    assert Revision.objects.get(pk=live.pk).content == live_content, "the live revision was rewritten"
    texts = SafetyNetText.objects.get()
    assert texts.urgent_care_action != UNAPPROVED
    assert texts.get_latest_revision().content["urgent_care_action"] == UNAPPROVED, (
        "the edit is kept as a new revision"
    )
