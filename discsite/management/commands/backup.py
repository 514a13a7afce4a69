"""`manage.py backup`: the database and the media folder into backups/<UTC time>/ (see discsite/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from discsite.backups import BackupError, backup, default_backup_root


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump's custom format on PostgreSQL, SQLite's online-backup API on SQLite) "
        "and the media folder into a new folder under backups/ (or --output-dir, or $BACKUP_DIR)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", help=f"where to create the backup folder (default: {default_backup_root()})"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, output_dir=None, database="default", verbosity=1, **options):
        def log(message):
            if verbosity >= 1:
                self.stderr.write(message)

        try:
            folder = backup(output_dir, alias=database, log=log)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from None
        log(self.style.SUCCESS(f"Backup complete: {folder}"))
        self.stdout.write(str(folder))
