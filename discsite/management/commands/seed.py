"""python manage.py seed: build the site from the curated seed files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from discsite.seed_build import TreeBuilder
from discsite.seed_files import DEFAULT_SEED_DIR, DEFAULT_SOURCES_DIR, SeedError, SeedErrors, load_seed


class Command(BaseCommand):
    help = (
        "Build the page tree from fixtures/seed/ and publish it; the answers and articles it publishes "
        "then enter their first clinical review, submitted by the system. Idempotent: a second run "
        "changes nothing. Transactional: any problem leaves the database exactly as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate the seed files without writing anything.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite pages that have been changed in the admin since seeding."
        )
        parser.add_argument("--seed-dir", type=Path, default=DEFAULT_SEED_DIR, help="Where the seed files are.")
        parser.add_argument(
            "--sources-dir", type=Path, default=DEFAULT_SOURCES_DIR, help="Where the source documents are."
        )

    def handle(self, *args, check, force, seed_dir, sources_dir, **options):
        try:
            seed = load_seed(seed_dir, sources_dir)
        except SeedErrors as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} problem(s) in the seed files; nothing was written.") from None
        if check:
            self.stdout.write(self.style.SUCCESS(f"Seed files are valid: {seed.page_count} pages."))
            return
        try:
            with transaction.atomic():
                report = TreeBuilder(seed, force=force).build()
        except SeedError as exc:
            self.stderr.write(str(exc))
            raise CommandError("The seed was rolled back; nothing was written.") from None
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Seeded: {report.summary()}."))
