"""python manage.py import_documents FILE... [--dry-run] [--user USERNAME]: source documents into draft
pages in the Clinical review workflow, one line per file (discsite.importing.pipeline)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from discsite.importing.pipeline import FileReport, import_file


class Command(BaseCommand):
    help = (
        "Import source documents (text, Markdown, HTML saved from a browser, Word .docx) as draft pages "
        "that enter the Clinical review workflow at once; nothing is published. Each file is imported on "
        "its own: a refused file writes nothing and the others go on. Importing the same file again "
        "changes nothing; a changed file makes new revisions of the pages it made before, for review."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="The documents to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what each file would become, and write nothing."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Whose import it is: the pages' revisions and the review are theirs (default: nobody, the system).",
        )

    def handle(self, *args, files, dry_run, user, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: user}).first()
            if importer is None:
                raise CommandError(f"There is no user '{user}'; nothing was imported.")
        reports = []
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                report = FileReport(
                    name=path.name,
                    status="refused",
                    message=f"{path.name}: refused: it could not be read ({error.strerror or error}).",
                    dry_run=dry_run,
                )
            else:
                report = import_file(path.name, data, user=importer, dry_run=dry_run)
            reports.append(report)
            style = self.style.ERROR if report.status == "refused" else self.style.SUCCESS
            self.stdout.write(style(report.message))
        refused = [report for report in reports if report.status == "refused"]
        if refused:
            raise CommandError(
                f"{len(refused)} of {len(reports)} file(s) refused; "
                + ("the others were checked." if dry_run else "the others were imported.")
            )
