"""python manage.py review_due: the health pages that need a clinical review, for cron.

With --start-workflows, every overdue live page goes back into the Clinical
review workflow (once: pages already in a workflow are left alone), submitted
by the system. What is reviewed is what readers see: the live content, never
an editor's unfinished draft (kept in the page's history). The live page stays
exactly as it is until the new review is signed off.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from articles.review import ReviewStatus, overdue_live_pages, pages_due_for_review, put_live_content_up_for_review
from articles.workflow import clinical_review_workflow
from discsite.core.system import system_user


class Command(BaseCommand):
    help = "List live health pages that are overdue, due within 30 days or never clinically reviewed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start-workflows",
            action="store_true",
            help="Put each overdue live page back into the Clinical review workflow (the re-review loop).",
        )
        parser.add_argument(
            "--include-never-reviewed",
            action="store_true",
            help="With --start-workflows, also start a review of live pages that were never reviewed.",
        )

    def handle(self, *args, start_workflows, include_never_reviewed, **options):
        due = list(pages_due_for_review())
        counts = dict.fromkeys(ReviewStatus, 0)
        for page in due:
            counts[ReviewStatus(page.review_status)] += 1
            when = page.review_next_due.isoformat() if page.review_next_due else "-"
            label = ReviewStatus(page.review_status).label.lower()
            self.stdout.write(f"{label:<28} {when:<10}  {page.title}  {page.full_url or page.url_path}")
        summary = ", ".join(
            f"{counts[status]} {status.label.lower()}"
            for status in (ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON, ReviewStatus.NEVER_REVIEWED)
        )
        self.stdout.write(
            f"{len(due)} page(s) need clinical review ({summary}) as of {timezone.localdate():%d %b %Y}."
        )
        if start_workflows:
            self.start_reviews(include_never_reviewed)

    def start_reviews(self, include_never_reviewed):
        workflow = clinical_review_workflow()
        if workflow is None:
            self.stderr.write("There is no active Clinical review workflow; no review was started.")
            return
        started = skipped = 0
        for listed in overdue_live_pages(include_never_reviewed=include_never_reviewed):
            page = Page.objects.get(pk=listed.pk).specific
            if page.workflow_in_progress:
                skipped += 1
                continue
            with transaction.atomic():
                draft = put_live_content_up_for_review(page)
                workflow.start(page, user=system_user())
            started += 1
            kept = f" (the draft in progress by {draft.user or 'the system'} is kept in its history)" if draft else ""
            self.stdout.write(f"started clinical review: {page.title}{kept}")
        self.stdout.write(self.style.SUCCESS(f"Started {started} review(s); {skipped} already in review."))
