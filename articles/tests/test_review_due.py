"""Review due: the command for cron, the re-review loop, the admin report and the dashboard panel."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.models import QuestionPage
from articles.review import ClinicalReviewTask, pages_due_for_review

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def reviewed(factory, reviewer, days_until_due, **kwargs):
    """A live page reviewed a year before its next review falls due."""
    due = TODAY + datetime.timedelta(days=days_until_due)
    page = factory(
        last_reviewed_on=due - datetime.timedelta(days=365), reviewed_by=reviewer, next_review_due=due, **kwargs
    )
    page.save_revision(user=None)
    return page


@pytest.fixture
def schedule(roles):
    reviewer = roles["clinician"].expert_profile
    return {
        "overdue": reviewed(QuestionPageFactory, reviewer, -10, title="Overdue answer?"),
        "long_overdue": reviewed(ArticlePageFactory, reviewer, -100, title="Long overdue article"),
        "due_soon": reviewed(QuestionPageFactory, reviewer, 20, title="Due soon answer?"),
        "current": reviewed(QuestionPageFactory, reviewer, 200, title="Current answer?"),
        "never": QuestionPageFactory(title="Never reviewed answer?"),
        "draft": QuestionPageFactory(title="Unpublished draft?", live=False),
    }


def run(*args):
    out = io.StringIO()
    call_command("review_due", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_pages_due_are_listed_most_urgent_first(schedule):
    titles = [page.title for page in pages_due_for_review()]
    assert titles == [
        "Long overdue article",
        "Overdue answer?",
        "Never reviewed answer?",
        "Due soon answer?",
    ]


def test_review_due_command_lists_them_for_cron(schedule):
    output = run()
    lines = output.strip().splitlines()
    assert lines[0].startswith("overdue")
    assert "Long overdue article" in lines[0]
    assert (TODAY - datetime.timedelta(days=100)).isoformat() in lines[0]
    assert "never reviewed" in output
    assert "Current answer?" not in output
    assert "Unpublished draft?" not in output
    assert lines[-1].startswith(
        "4 page(s) need clinical review (2 overdue, 1 due in the next 30 days, 1 never reviewed)"
    )


def test_the_re_review_loop_starts_a_workflow_once_and_leaves_the_live_page_live(schedule, roles):
    overdue = schedule["overdue"]
    live_revision = QuestionPage.objects.get(pk=overdue.pk).live_revision_id
    mail.outbox.clear()
    output = run("--start-workflows")
    assert "started clinical review: Overdue answer?" in output
    assert "started clinical review: Long overdue article" in output
    assert "Never reviewed answer?" not in output.split("need clinical review")[1]
    assert "Started 2 review(s); 0 already in review." in output
    page = QuestionPage.objects.get(pk=overdue.pk)
    assert page.live
    assert page.live_revision_id == live_revision
    assert isinstance(page.current_workflow_task, ClinicalReviewTask)
    assert any(m.subject == "Clinical review needed: Overdue answer?" for m in mail.outbox)
    # A second run starts nothing new.
    assert "Started 0 review(s); 2 already in review." in run("--start-workflows")
    assert page.workflow_states.count() == 1


def test_re_review_of_never_reviewed_pages_is_opt_in(schedule):
    assert "Started 3 review(s)" in run("--start-workflows", "--include-never-reviewed")


def test_a_re_review_signed_off_renews_the_record(schedule, roles):
    from articles.tests.test_clinical_review import act

    run("--start-workflows")
    page = QuestionPage.objects.get(pk=schedule["overdue"].pk)
    page = act(page, roles["second_clinician"], "approve", comment="Still accurate.", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    assert page.last_reviewed_on == TODAY
    assert page.reviewed_by == roles["second_clinician"].expert_profile
    assert page.next_review_due > TODAY
    assert "Overdue answer?" not in run()


class TestReport:
    url = "/admin/reports/clinical-review-due/"

    def test_report_lists_and_filters(self, client, roles, schedule):
        client.force_login(roles["clinician"])
        content = client.get(self.url).content.decode()
        for title in ("Overdue answer?", "Long overdue article", "Due soon answer?", "Never reviewed answer?"):
            assert title in content
        assert "Current answer?" not in content
        overdue_only = client.get(self.url, {"review_status": "overdue"}).content.decode()
        assert "Overdue answer?" in overdue_only
        assert "Due soon answer?" not in overdue_only
        articles_only = client.get(self.url, {"page_type": "articlepage"}).content.decode()
        assert "Long overdue article" in articles_only
        assert "Overdue answer?" not in articles_only

    def test_report_sorts(self, client, roles, schedule):
        client.force_login(roles["editor"])
        content = client.get(self.url, {"ordering": "-review_next_due"}).content.decode()
        assert (
            content.index("Due soon answer?")
            < content.index("Overdue answer?")
            < content.index("Long overdue article")
        )
        content = client.get(self.url, {"ordering": "title"}).content.decode()
        assert content.index("Due soon answer?") < content.index("Long overdue article")

    def test_report_exports_csv(self, client, roles, schedule):
        client.force_login(roles["moderator"])
        response = client.get(self.url, {"export": "csv"})
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [row["Page"] for row in rows] == [
            "Long overdue article",
            "Overdue answer?",
            "Never reviewed answer?",
            "Due soon answer?",
        ]
        assert rows[0]["Status"] == "Overdue"
        assert rows[0]["Reviewed by"] == "Dr Ada Reviewer"
        assert rows[0]["URL"].endswith("/articles/long-overdue-article/")

    def test_dashboard_panel_shows_the_count_and_five_most_urgent(self, client, roles, schedule):
        for n in range(3):
            QuestionPageFactory(title=f"Another unreviewed answer {n}?")
        client.force_login(roles["clinician"])
        content = client.get("/admin/").content.decode()
        panel = content[content.index('id="clinical-review-due-section"') :].split("See all pages due for review")[0]
        assert "7 pages</strong> need clinical review" in panel
        assert "2 overdue · 4 never reviewed · 1 due in the next 30 days" in panel
        for title in (
            "Long overdue article",
            "Overdue answer?",
            *(f"Another unreviewed answer {n}?" for n in range(3)),
        ):
            assert title in panel
        assert "Never reviewed answer?" not in panel  # the sixth most urgent
        assert "Due soon answer?" not in panel
