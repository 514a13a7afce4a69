"""`manage.py restore <folder>`: put a backup made by `manage.py backup` back (see discsite/backups.py)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.utils import OperationalError

from discsite.backups import BackupError, check_backup, default_backup_root, existing_content, restore


class Command(BaseCommand):
    help = (
        "Restore the database and the media folder from a backup folder. The backup is checked first "
        "(complete, intact, same kind of database). Replacing a database or media folder that holds "
        "anything needs --force, or typing 'yes' when asked. Stop the site (or take it out of the load "
        "balancer) first, and run `manage.py migrate` afterwards if the code is newer than the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", nargs="?", help="the backup folder, e.g. backups/20250123T101500Z")
        parser.add_argument("--force", action="store_true", help="replace the current content without asking")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, backup=None, force=False, database="default", verbosity=1, **options):
        def log(message):
            if verbosity >= 1:
                self.stderr.write(message)

        if not backup:
            root = default_backup_root()
            found = sorted(p.name for p in root.glob("*") if (p / "manifest.json").is_file()) if root.is_dir() else []
            listing = "\n".join(f"  {root / name}" for name in found) or f"  (none in {root})"
            raise CommandError(f"which backup? Give its folder, e.g. one of:\n{listing}")
        try:
            checked = check_backup(backup, alias=database)
        except BackupError as error:
            raise CommandError(f"not restoring: {error}") from None
        manifest = checked.manifest
        log(
            f"Backup {checked.path} ({manifest['created_at']}, {manifest['database']['vendor']}): "
            f"complete and intact; {manifest['counts']['pages']} pages, {manifest['counts']['revisions']} revisions."
        )

        try:
            present = existing_content(alias=database)
        except OperationalError as error:
            raise CommandError(f"cannot reach the database to restore into (create it first?): {error}") from None
        if present and not force:
            what = " and ".join(present)
            if not sys.stdin.isatty():
                raise CommandError(
                    f"not restoring: this would replace {what}. Run again with --force "
                    f"(make restore BACKUP={backup} CONFIRM=yes) to replace it."
                )
            answer = input(f"This replaces {what} with the backup. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not restoring: not confirmed")

        try:
            restore(checked, alias=database, log=log)
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from None
        log(self.style.SUCCESS(f"Restored {checked.path}."))
