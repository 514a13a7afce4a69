"""The Clinical review workflow: stamping, self-approval, comments, re-approval, emails, audit."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.models import GroupApprovalTask, PageLogEntry, Site, TaskState

from articles.factories import QuestionPageFactory
from articles.integrity import publishing_unreviewed_source_material
from articles.models import QuestionPage
from articles.workflow import (
    ApproveForm,
    ClinicalReviewTask,
    EditorialSignOffTask,
    RequestChangesForm,
    add_months,
    clinical_review_workflow,
)
from discsite.core.models import SiteSettings

pytestmark = pytest.mark.django_db


def draft_question(editor, **kwargs):
    page = QuestionPageFactory(live=False, owner=editor, first_published_at=None, last_published_at=None, **kwargs)
    page.save_revision(user=editor)
    return QuestionPage.objects.get(pk=page.pk)


def submit(page, user):
    page.get_workflow().start(page, user)
    return QuestionPage.objects.get(pk=page.pk)


def act(page, user, action, **data):
    """Do what the workflow action view does after validating the action's form."""
    model = type(page)
    page = model.objects.get(pk=page.pk)
    task = page.current_workflow_task
    assert action in [name for name, _label, _modal in task.get_actions(page, user)], f"{user} cannot {action}"
    task.on_action(page.current_workflow_task_state, user, action, **data)
    return model.objects.get(pk=page.pk)


def test_health_content_always_uses_the_two_step_clinical_review_workflow(roles):
    workflow = clinical_review_workflow()
    assert workflow.name == "Clinical review"
    tasks = [task.specific for task in workflow.tasks]
    assert [type(task) for task in tasks] == [ClinicalReviewTask, EditorialSignOffTask]
    assert isinstance(tasks[1], GroupApprovalTask)  # Wagtail's group approval, asking before it publishes
    assert [group.name for group in tasks[0].groups.all()] == ["Clinical reviewers"]
    assert [group.name for group in tasks[1].groups.all()] == ["Moderators"]
    assert draft_question(roles["editor"]).get_workflow() == workflow


def test_approval_and_sign_off_publish_the_page_and_stamp_the_review_record(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    assert isinstance(page.current_workflow_task, ClinicalReviewTask)
    due = timezone.localdate() + datetime.timedelta(days=200)
    page = act(page, roles["clinician"], "approve", comment="Accurate and clear.", next_review_due=due)
    assert isinstance(page.current_workflow_task, GroupApprovalTask)
    assert not page.live
    assert page.last_reviewed_on is None, "the record changes only when the approved revision goes live"
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert page.last_reviewed_on == timezone.localdate()
    assert page.reviewed_by == roles["clinician"].expert_profile
    assert page.next_review_due == due
    entry = PageLogEntry.objects.filter(page=page, action="discsite.review_record").get()
    assert entry.user == roles["clinician"]
    assert entry.data["reviewer"] == "Dr Ada Reviewer, Orthopedics"
    assert entry.revision_id == page.live_revision_id


def test_next_review_defaults_to_the_site_interval(roles):
    settings_row = SiteSettings.load()
    settings_row.default_review_interval_months = 6
    settings_row.save()
    page = submit(draft_question(roles["editor"]), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.next_review_due == add_months(timezone.localdate(), 6)


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2025, 11, 14), 12) == datetime.date(2026, 11, 14)
    assert add_months(datetime.date(2025, 12, 1), 1) == datetime.date(2026, 1, 1)


def test_nobody_approves_a_revision_they_wrote(roles, client):
    clinician = roles["clinician"]
    page = submit(draft_question(clinician, title="A clinician's own answer?"), roles["editor"])
    task = page.current_workflow_task
    assert [name for name, _label, _modal in task.get_actions(page, clinician)] == ["reject"]
    assert "you wrote or changed its content" in task.approval_refusal(page, clinician)
    with pytest.raises(PermissionDenied):
        task.on_action(page.current_workflow_task_state, clinician, "approve", comment="", next_review_due=None)
    # The reviewer is told why in the editor.
    client.force_login(clinician)
    response = client.get(f"/admin/pages/{page.pk}/edit/", follow=True)
    assert b"you wrote or changed its content" in response.content
    # Another clinician can approve it.
    page = act(page, roles["second_clinician"], "approve", comment="", next_review_due=None)
    assert isinstance(page.current_workflow_task, GroupApprovalTask)


def test_a_reviewer_without_an_expert_profile_is_told_why_they_cannot_approve(roles, client):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    unlinked = roles["unlinked_clinician"]
    task = page.current_workflow_task
    assert [name for name, _label, _modal in task.get_actions(page, unlinked)] == ["reject"]
    client.force_login(unlinked)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    assert b"not linked to a published expert profile" in response.content


def test_superusers_are_not_clinical_reviewers(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    assert page.current_workflow_task.get_actions(page, roles["admin"]) == []


def test_requesting_changes_needs_a_comment(roles):
    assert not RequestChangesForm({"comment": ""}).is_valid()
    assert not RequestChangesForm({"comment": "   \n "}).is_valid()
    assert RequestChangesForm({"comment": "Add the red flags."}).is_valid()
    page = submit(draft_question(roles["editor"]), roles["editor"])
    task = page.current_workflow_task
    with pytest.raises(PermissionDenied):
        task.on_action(page.current_workflow_task_state, roles["clinician"], "reject", comment=" ")
    page = act(page, roles["clinician"], "reject", comment="Add the red flags.")
    state = page.workflow_states.get()
    assert state.status == state.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "Add the red flags."


def test_approve_form_checks_the_review_date():
    today = timezone.localdate()
    assert ApproveForm({"comment": "", "next_review_due": ""}).is_valid()
    assert not ApproveForm({"next_review_due": today.isoformat()}).is_valid()
    assert not ApproveForm({"next_review_due": add_months(today, 12 * 6).isoformat()}).is_valid()
    assert ApproveForm({"next_review_due": add_months(today, 12).isoformat()}).is_valid()


def test_an_edit_after_clinical_approval_needs_clinical_approval_again(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    # A moderator changes the text at the editorial step...
    page.summary = "A different short answer, not seen by any clinician."
    page.save_revision(user=roles["moderator"])
    page = act(page, roles["moderator"], "approve", comment="")
    # ...so signing off sends it back to the clinical step instead of publishing it.
    assert not page.live
    assert isinstance(page.current_workflow_task, ClinicalReviewTask)
    page = act(page, roles["second_clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.live
    assert page.summary == "A different short answer, not seen by any clinician."
    assert page.reviewed_by == roles["second_clinician"].expert_profile


def test_an_edit_after_publication_is_not_live_until_reviewed_again(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    page.summary = "Edited after sign-off."
    revision = page.save_revision(user=roles["editor"])
    assert not page.permissions_for_user(roles["moderator"]).can_publish()
    with pytest.raises(PublishPermissionError):
        revision.publish(user=roles["moderator"])
    with pytest.raises(PublishPermissionError):
        revision.publish(user=roles["admin"])
    page.refresh_from_db()
    assert page.summary != "Edited after sign-off."


def test_the_review_record_belongs_to_the_live_page_not_to_drafts(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    reviewed_on, reviewer = page.last_reviewed_on, page.reviewed_by_id
    # An older revision (from before the review) still shows the current record when loaded...
    first_revision = page.revisions.order_by("created_at").first()
    assert first_revision.as_object().last_reviewed_on == reviewed_on
    assert page.get_latest_revision_as_object().reviewed_by_id == reviewer
    # ...and a copy starts unreviewed and not live.
    copy = page.copy(update_attrs={"slug": "a-copy", "title": "A copy"}, user=roles["moderator"])
    assert copy.last_reviewed_on is None
    assert copy.reviewed_by is None
    assert not copy.live


def test_seeded_content_is_published_without_a_person_and_says_it_was_never_reviewed(roles):
    page = QuestionPageFactory(live=False)
    revision = page.save_revision(user=None)
    with pytest.raises(PublishPermissionError):
        revision.publish(user=None)  # the system too, outside the seed's own block
    with publishing_unreviewed_source_material("a test"):
        revision.publish(user=None)
    page.refresh_from_db()
    assert page.live
    assert page.review_status == "never"


def test_the_workflow_history_records_who_approved_which_revision(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    submitted_revision = page.latest_revision_id
    page = act(page, roles["clinician"], "approve", comment="Checked the dosage.", next_review_due=None)
    approval = PageLogEntry.objects.get(page=page, action="wagtail.workflow.approve")
    assert approval.user == roles["clinician"]
    assert approval.revision_id == submitted_revision
    assert approval.data["comment"] == "Checked the dosage."


class TestEmails:
    def test_submission_tells_the_clinical_reviewers(self, roles):
        mail.outbox.clear()
        page = submit(draft_question(roles["editor"], title="Can I swim?"), roles["editor"])
        review_mails = [m for m in mail.outbox if m.subject == "Clinical review needed: Can I swim?"]
        assert sorted(address for m in review_mails for address in m.to) == [
            "clinician@example.com",
            "second_clinician@example.com",
            "unlinked_clinician@example.com",
        ]
        assert f"/admin/pages/{page.pk}/edit/" in review_mails[0].body

    def test_approval_tells_author_and_submitter_with_the_comment(self, roles):
        page = submit(draft_question(roles["editor"], title="Can I swim?"), roles["moderator"])
        mail.outbox.clear()
        due = add_months(timezone.localdate(), 9)
        act(page, roles["clinician"], "approve", comment="Good advice on swimming.", next_review_due=due)
        approved = [m for m in mail.outbox if m.subject.startswith("Clinical review approved")]
        assert sorted(address for m in approved for address in m.to) == ["editor@example.com", "moderator@example.com"]
        body = approved[0].body
        assert "Dr Ada Reviewer approved the clinical review" in body
        assert '"Good advice on swimming."' in body
        assert f"Next review due: {due:%-d %b %Y}" in body
        # The moderators hear that it is their turn (Wagtail's own group-approval email).
        assert any("moderator@example.com" in m.to and "Can I swim?" in m.subject for m in mail.outbox)

    def test_request_changes_tells_author_and_submitter_with_the_comment(self, roles):
        page = submit(draft_question(roles["editor"], title="Can I swim?"), roles["editor"])
        mail.outbox.clear()
        act(page, roles["clinician"], "reject", comment="Mention which strokes to avoid.")
        assert [m.subject for m in mail.outbox] == ["Changes requested: Can I swim?"]
        assert mail.outbox[0].to == ["editor@example.com"]
        assert '"Mention which strokes to avoid."' in mail.outbox[0].body
        assert "clinical review step" in mail.outbox[0].body

    def test_editorial_rejection_also_reaches_the_approving_clinician(self, roles):
        page = submit(draft_question(roles["editor"], title="Can I swim?"), roles["editor"])
        page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
        mail.outbox.clear()
        act(page, roles["moderator"], "reject", comment="The title needs to be a full question.")
        assert [m.subject for m in mail.outbox] == ["Changes requested: Can I swim?"] * 2
        assert sorted(m.to[0] for m in mail.outbox) == ["clinician@example.com", "editor@example.com"]
        assert all('"The title needs to be a full question."' in m.body for m in mail.outbox)
        assert "editorial sign-off step" in mail.outbox[0].body

    def test_sign_off_tells_author_and_clinician_nothing_twice(self, roles):
        page = submit(draft_question(roles["editor"], title="Can I swim?"), roles["editor"])
        page = act(page, roles["clinician"], "approve", comment="", next_review_due=None)
        mail.outbox.clear()
        act(page, roles["moderator"], "approve", comment="Lovely.")
        assert [(m.subject, m.to) for m in mail.outbox] == [
            ("Signed off and published: Can I swim?", ["editor@example.com"])
        ]
        assert '"Lovely."' in mail.outbox[0].body


def test_every_page_readers_see_is_clinically_reviewed(roles):
    """The home page, the sections, topics and expert profiles too: each can hold advice in its words."""
    from experts.models import ExpertPage

    workflow = clinical_review_workflow()
    home = Site.objects.get(is_default_site=True).root_page.specific
    pages = [home, *home.get_children().specific(), ExpertPage.objects.first()]
    for page in pages:
        assert page.clinically_reviewed, page
        assert page.get_workflow() == workflow, page


def test_task_states_are_clinical_review_states(roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    state = TaskState.objects.get(pk=page.current_workflow_task_state.pk).specific
    assert type(state).__name__ == "ClinicalReviewTaskState"


def test_readers_see_who_reviewed_the_page_and_when(roles, client):
    import re

    from bs4 import BeautifulSoup

    page = submit(draft_question(roles["editor"], title="Is yoga safe?"), roles["editor"])
    due = add_months(timezone.localdate(), 12)
    page = act(page, roles["clinician"], "approve", comment="", next_review_due=due)
    page = act(page, roles["moderator"], "approve", comment="")
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    text = re.sub(r"\s+", " ", soup.get_text(" ")).replace(" ,", ",")
    today = timezone.localdate()
    assert (
        f"Medically reviewed by Dr Ada Reviewer, Orthopedics · Last reviewed {today:%-d %b %Y} · "
        f"Next review due {due:%-d %b %Y}"
    ) in text
    expert = roles["clinician"].expert_profile
    assert soup.find("a", string="Dr Ada Reviewer, Orthopedics", href=expert.url)
    assert "Not yet clinically reviewed" not in text
    expert_page = client.get(expert.url).content.decode()
    assert "Pages reviewed by Dr Ada Reviewer" in expert_page
    assert page.url in expert_page
