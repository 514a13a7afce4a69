"""Review due: the command for cron, the re-review loop, the admin report and the dashboard panel."""

import csv
import datetime
import html
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.factories import ArticlePageFactory, QuestionPageFactory
from articles.models import QuestionPage
from articles.review import pages_due_for_review
from articles.workflow import ClinicalReviewTask
from discsite.core.system import system_user

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


class TestReportForClinicians:
    """The report and the dashboard panel link each page to what the viewer may open."""

    url = "/admin/reports/clinical-review-due/"

    @staticmethod
    def start_url(page):
        return f"/admin/clinical-review/{page.pk}/start/"

    @staticmethod
    def links_in(content, start, end="</table>"):
        table = content[content.index(start) :]
        table = table[: table.index(end)]
        return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', table)]

    def test_every_link_a_clinician_sees_opens_for_them(self, client, roles, schedule):
        run("--start-workflows")  # the two overdue pages are now at the clinical step
        client.force_login(roles["clinician"])
        response = client.get(self.url)
        assert response.status_code == 200
        content = response.content.decode()
        links = self.links_in(content, '<table class="listing')
        overdue = schedule["overdue"]
        assert overdue.url in links  # the live page, not its editor
        assert f"/admin/pages/{overdue.pk}/edit/" in links  # "Open review"
        assert f"/admin/pages/{schedule['never'].pk}/edit/" not in links
        for link in links:
            assert client.get(link).status_code == 200, link
        dashboard = client.get("/admin/").content.decode()
        panel_links = self.links_in(dashboard, 'id="clinical-review-due-section"', "See all pages due for review")
        assert f"/admin/pages/{overdue.pk}/edit/" in panel_links
        for link in panel_links:
            assert client.get(link).status_code == 200, link

    def test_editors_keep_the_edit_link(self, client, roles, schedule):
        client.force_login(roles["editor"])
        links = self.links_in(client.get(self.url).content.decode(), '<table class="listing')
        assert f"/admin/pages/{schedule['never'].pk}/edit/" in links
        assert schedule["never"].url not in links

    def test_dates_read_as_dates_and_pages_in_review_are_labelled(self, client, roles, schedule):
        run("--start-workflows")
        client.force_login(roles["clinician"])
        content = client.get(self.url).content.decode()
        overdue_due = TODAY - datetime.timedelta(days=10)
        assert f"{overdue_due.day} {overdue_due:%b %Y}" in content
        assert " ago" not in content
        row = content[content.index("Overdue answer?") :].split("</tr>")[0]
        assert "In review" in row
        assert "Open review" in row
        assert "Start review" not in row
        row = content[content.index("Due soon answer?") :].split("</tr>")[0]
        assert "In review" not in row
        assert "Start review" in row

    @pytest.mark.parametrize("role", ["clinician", "editor", "moderator"])
    def test_start_review_puts_the_live_content_into_review_once(self, client, roles, schedule, role):
        page = schedule["due_soon"]
        page.summary = "An editor's unfinished draft."
        page.save_revision(user=roles["editor"])
        live_revision = QuestionPage.objects.get(pk=page.pk).live_revision_id
        client.force_login(roles[role])
        response = client.post(self.start_url(page), follow=True)
        assert response.status_code == 200
        assert "Clinical review started: “Due soon answer?”" in response.content.decode()
        page = QuestionPage.objects.get(pk=page.pk)
        assert page.live
        assert page.live_revision_id == live_revision
        state = page.current_workflow_state
        assert state.requested_by == system_user()  # submitted by the system
        assert isinstance(page.current_workflow_task, ClinicalReviewTask)
        assert page.current_workflow_task_state.revision.as_object().summary != "An editor's unfinished draft."

        response = client.post(self.start_url(page), follow=True)
        assert "“Due soon answer?” is already in review; no new review was started." in response.content.decode()
        assert page.workflow_states.count() == 1

    def test_start_review_is_a_csrf_protected_post_for_reviewers_and_editors_only(self, roles, schedule):
        from django.test import Client

        page = schedule["due_soon"]
        client = Client(enforce_csrf_checks=True)
        client.force_login(roles["clinician"])
        assert client.post(self.start_url(page)).status_code == 403
        assert client.get(self.start_url(page)).status_code == 405
        outsider = roles["editor"].__class__.objects.create_user("outsider", password="x")
        outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client = Client()
        client.force_login(outsider)
        response = client.post(self.start_url(page), follow=True)
        assert "Sorry, you do not have permission to access this area." in response.content.decode()
        assert not QuestionPage.objects.get(pk=page.pk).workflow_in_progress

    def test_the_query_count_does_not_grow_with_the_rows(self, client, roles, schedule):
        def queries_for_report():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(self.url).status_code == 200
            return len(captured)

        run("--start-workflows")
        client.force_login(roles["clinician"])
        client.get(self.url)  # warm Wagtail's caches (site root paths)
        few = queries_for_report()
        for n in range(20):
            QuestionPageFactory(title=f"Unreviewed answer {n}?")
        many = queries_for_report()
        assert len(pages_due_for_review()) == 24
        assert many <= few, (few, many)


def test_a_review_started_from_the_report_mails_links_to_the_configured_address(client, roles, schedule, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8123"
    page = schedule["due_soon"]
    mail.outbox.clear()
    client.force_login(roles["clinician"])
    client.post(f"/admin/clinical-review/{page.pk}/start/")
    needed = [m for m in mail.outbox if m.subject == "Clinical review needed: Due soon answer?"]
    assert needed
    assert f"http://localhost:8123/admin/pages/{page.pk}/edit/" in needed[0].body
    assert "127.0.0.1:8000" not in needed[0].body
