"""Back up and restore the whole site: the database and the media folder (`manage.py backup`, `manage.py restore`).

A backup is a folder, `backups/<UTC time>/` by default:

    database.pgdump   PostgreSQL: pg_dump's custom format
    database.sqlite3  SQLite: a consistent copy made with SQLite's online-backup API (the site may keep running)
    media.tar.gz      MEDIA_ROOT (images, renditions, audio, documents), when media is on this machine's disk
    manifest.json     written last: what is in the folder, with sizes and SHA-256 checksums, and how many
                      pages and revisions the database held

It is written under a hidden `.<name>.partial` name and renamed when complete, so a folder with a
manifest is a whole backup. The database is copied before the media, so every file the database
refers to is in the archive.

A restore checks the backup first (manifest, sizes, checksums, the dump's table of contents or the
SQLite file's integrity, the archive's members) and refuses a database of another kind. It replaces
the database in one transaction (PostgreSQL: the `public` schema is dropped and the dump loaded by
psql with --single-transaction; SQLite: the online-backup API writes the whole file in one step),
so a failed restore leaves the database as it was; then it swaps the media folder in with a rename;
then it clears the cache and checks the page and revision counts against the manifest.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


# ---------------------------------------------------------------- helpers


def default_backup_root():
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "backups")


def sha256(path):
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path):
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256(path)}


def vendor(alias="default"):
    return connections[alias].vendor  # "postgresql" or "sqlite"


def sqlite_path(alias="default"):
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"the SQLite database {name!r} is not a file; nothing to back up or restore")
    return Path(name)


def postgres_command(program, alias="default", dbname=None):
    """(argv, env) for pg_dump, pg_restore or psql against the alias's database; the password goes in the env."""
    db = connections[alias].settings_dict
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    args, env = [executable], {**os.environ}
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    options = db.get("OPTIONS", {})
    for key, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(key):
            env[variable] = str(options[key])
    if program != "pg_restore" or dbname:
        args += ["--dbname", dbname or db["NAME"]]
    return args, env


def run(args, env=None, **kwargs):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        name = Path(args[0]).name
        raise BackupError(
            f"{name} failed (exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )
    return result


def media_root():
    """MEDIA_ROOT when media is stored on this machine's disk, else None (a bucket keeps its own copies)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def content_counts(alias="default"):
    from wagtail.models import Page, Revision

    return {"pages": Page.objects.using(alias).count(), "revisions": Revision.objects.using(alias).count()}


def applied_migrations(alias="default"):
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


# ---------------------------------------------------------------- backup


def backup(root=None, alias="default", log=print):
    """Write a complete backup folder under `root` and return its path."""
    root = Path(root or default_backup_root())
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = stamp, 1
    while (root / name).exists() or (root / f".{name}.partial").exists():
        n += 1
        name = f"{stamp}-{n}"
    partial = root / f".{name}.partial"
    partial.mkdir()
    try:
        kind = vendor(alias)
        counts = content_counts(alias)
        migrations = applied_migrations(alias)
        if kind == "postgresql":
            target = partial / PG_DUMP
            args, env = postgres_command("pg_dump", alias)
            run([*args, "--format=custom", f"--file={target}"], env=env)
        elif kind == "sqlite":
            target = partial / SQLITE_COPY
            connections[alias].close()
            source = sqlite3.connect(f"file:{sqlite_path(alias)}?mode=ro", uri=True)
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            raise BackupError(f"backing up a {kind} database is not supported (PostgreSQL and SQLite are)")
        log(
            f"database ({kind}): {target.name}, {target.stat().st_size:,} bytes, {counts['pages']} pages, "
            f"{counts['revisions']} revisions"
        )

        media = media_root()
        if media is None:
            media_entry = {"skipped": "media is in a storage bucket (STORAGES['default']), which keeps its own copies"}
            log("media: in a storage bucket, not included")
        else:
            archive = partial / MEDIA_ARCHIVE
            files = 0
            with tarfile.open(archive, "w:gz") as tar:
                if media.is_dir():
                    for path in sorted(media.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            tar.add(path, arcname=str(path.relative_to(media)), recursive=False)
                            files += 1
            media_entry = {**file_entry(archive), "files": files, "source": str(media)}
            log(f"media: {archive.name}, {files} files from {media}")

        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {**file_entry(target), "vendor": kind},
            "media": media_entry,
            "counts": counts,
            "migrations": migrations,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        final = root / name
        partial.rename(final)
        return final
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


# ---------------------------------------------------------------- restore


@dataclass
class CheckedBackup:
    path: Path
    manifest: dict

    @property
    def database_file(self):
        return self.path / self.manifest["database"]["file"]

    @property
    def media_archive(self):
        entry = self.manifest["media"]
        return self.path / entry["file"] if "file" in entry else None


def check_backup(path, alias="default"):
    """The backup at `path` if it is complete and intact and fits this database; BackupError otherwise."""
    path = Path(path)
    if not path.is_dir():
        raise BackupError(f"{path} is not a backup folder")
    if path.name.endswith(".partial"):
        raise BackupError(f"{path} is an unfinished backup (the backup was interrupted)")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} has no {MANIFEST}: it is not a complete backup") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{path / MANIFEST} is damaged: {error}") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{path / MANIFEST}: unknown format {manifest.get('format')!r}")
    checked = CheckedBackup(path, manifest)

    entries = [manifest["database"]] + ([manifest["media"]] if "file" in manifest["media"] else [])
    for entry in entries:
        file = path / entry["file"]
        if not file.is_file():
            raise BackupError(f"{file} is missing")
        if file.stat().st_size != entry["bytes"]:
            raise BackupError(f"{file} is {file.stat().st_size:,} bytes, the manifest says {entry['bytes']:,}")
        if sha256(file) != entry["sha256"]:
            raise BackupError(f"{file} does not match its checksum in the manifest")

    kind = manifest["database"]["vendor"]
    if kind != vendor(alias):
        raise BackupError(f"this is a {kind} backup and the database is {vendor(alias)}; restore it into {kind}")
    if kind == "postgresql":
        args, env = postgres_command("pg_restore", alias)
        run([*args, "--list", str(checked.database_file)], env=env)
    else:
        copy = sqlite3.connect(f"file:{checked.database_file}?mode=ro", uri=True)
        try:
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{checked.database_file} is not a usable SQLite database: {error}") from None
        finally:
            copy.close()
        if result != "ok":
            raise BackupError(f"{checked.database_file} fails SQLite's integrity check: {result}")

    archive = checked.media_archive
    if archive is not None:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                files = sum(1 for member in tar.getmembers() if member.isfile())
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{archive} cannot be read: {error}") from None
        if files != manifest["media"]["files"]:
            raise BackupError(f"{archive} holds {files} files, the manifest says {manifest['media']['files']}")
    return checked


def existing_content(alias="default"):
    """What a restore would overwrite, as a list of descriptions (empty when there is nothing)."""
    found = []
    if vendor(alias) == "sqlite":
        path = sqlite_path(alias)
        if path.exists() and path.stat().st_size > 0:
            found.append(f"the SQLite database {path}")
    else:
        with connections[alias].cursor():
            tables = connections[alias].introspection.table_names()
        if tables:
            found.append(f"the PostgreSQL database {connections[alias].settings_dict['NAME']} ({len(tables)} tables)")
    media = media_root()
    if media is not None and media.is_dir() and any(media.iterdir()):
        found.append(f"the media folder {media}")
    connections[alias].close()
    return found


def restore_database(checked, alias="default"):
    connections[alias].close()
    if checked.manifest["database"]["vendor"] == "postgresql":
        # One transaction: drop what is there, load the dump; any error rolls all of it back. The SQL is
        # written out in full first, so that psql never commits a dump that pg_restore could not finish.
        dump_args, dump_env = postgres_command("pg_restore", alias)
        psql_args, psql_env = postgres_command("psql", alias)
        with tempfile.NamedTemporaryFile(prefix="discsite-restore-", suffix=".sql") as sql:
            run(
                [*dump_args, "--no-owner", "--no-privileges", f"--file={sql.name}", str(checked.database_file)],
                env=dump_env,
            )
            run(
                [
                    *psql_args,
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    "--command=DROP SCHEMA IF EXISTS public CASCADE",
                    "--command=CREATE SCHEMA public",
                    "--command=GRANT USAGE ON SCHEMA public TO PUBLIC",
                    f"--file={sql.name}",
                ],
                env=psql_env,
            )
    else:
        target = sqlite_path(alias)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{checked.database_file}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)  # all pages in one step: one write transaction on the destination
        finally:
            destination.close()
            source.close()


def restore_media(checked):
    media = media_root()
    archive = checked.media_archive
    if media is None or archive is None:
        return None
    media.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{media.name}.restoring-", dir=media.parent))
    try:
        # mkdtemp's folder is private (0700); the proxy that serves /media/ must still read it.
        os.chmod(incoming, stat.S_IMODE(media.stat().st_mode) if media.is_dir() else 0o755)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(incoming, filter="data")  # no absolute paths, no "..", no devices
        replaced = None
        if media.exists():
            replaced = media.parent / f".{media.name}.replaced-{incoming.name.rsplit('-', 1)[-1]}"
            media.rename(replaced)
        incoming.rename(media)
        if replaced is not None:
            shutil.rmtree(replaced)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    return media


def restore(checked, alias="default", log=print):
    restore_database(checked, alias)
    log(f"database: restored from {checked.database_file.name}")
    media = restore_media(checked)
    if media is not None:
        log(f"media: {checked.manifest['media']['files']} files restored into {media}")
    else:
        log("media: not part of this backup or not on disk here; left as it is")

    from django.core.cache import cache

    try:
        cache.clear()  # cached pages, site root paths and settings belong to the old content
    except Exception as error:  # a cache that is down will be stale-free anyway once it is back
        log(f"warning: could not clear the cache ({type(error).__name__}: {error}); clear it by hand")

    counts = content_counts(alias)
    if counts != checked.manifest["counts"]:
        raise BackupError(
            f"after the restore the database holds {counts}, the backup had {checked.manifest['counts']}"
        )
    log(f"checked: {counts['pages']} pages and {counts['revisions']} revisions, as in the backup")
    return counts
