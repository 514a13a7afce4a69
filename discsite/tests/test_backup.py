"""`manage.py backup` and `manage.py restore` round-trip the seeded site, on the database the suite runs on.

Each test works on a database of its own, never the test database: a temporary SQLite file, or a
temporary PostgreSQL database (`discsite_backup_test_<random>`, dropped afterwards) on the server of
DATABASE_URL. The commands run in subprocesses, as an operator runs them, with a settings module
whose MEDIA_ROOT is a temporary folder too.

The site is migrated and seeded, given a draft revision and an image with its file, and backed up;
then it is damaged (a page deleted, a revision added, media files deleted and added), a restore
without --force must refuse and change nothing, and a restore with --force must bring back every
page and every revision (same ids, titles, live flags, revision counts and contents), every row of
every table, and the media folder file for file. A restore into a fresh, empty database must do the
same. A damaged or incomplete backup is refused before anything is touched.
"""

import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Printed by `manage.py shell -c`: everything the round trip must preserve.
SNAPSHOT = """
import hashlib, json
from django.apps import apps
from django.db import connection
from wagtail.models import Page, Revision

pages = [
    {
        "id": page.id, "title": page.title, "draft_title": page.draft_title, "slug": page.slug, "path": page.path,
        "live": page.live, "has_unpublished_changes": page.has_unpublished_changes,
        "latest_revision_id": page.latest_revision_id, "live_revision_id": page.live_revision_id,
        "type": page.content_type.model,
        "revisions": list(Revision.page_revisions.filter(object_id=str(page.id)).order_by("id").values_list("id", flat=True)),
    }
    for page in Page.objects.order_by("id")
]
revisions = [
    {
        "id": revision.id, "object_id": revision.object_id, "created_at": revision.created_at.isoformat(),
        "content": hashlib.sha256(json.dumps(revision.content, sort_keys=True).encode()).hexdigest(),
    }
    for revision in Revision.objects.order_by("id")
]
tables = set(connection.introspection.table_names())
rows = {
    model._meta.label: model._default_manager.count() for model in apps.get_models() if model._meta.db_table in tables
}
print(json.dumps({"pages": pages, "revisions": revisions, "rows": rows}))
"""

# Content beyond the seed: a draft revision on a live page, and an image whose file is in MEDIA_ROOT.
ADD_CONTENT = """
import io
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from articles.models import QuestionPage

page = QuestionPage.objects.live().order_by("id").first()
page.summary = "A draft change that is not live yet."
page.save_revision()
buffer = io.BytesIO()
PILImage.new("RGB", (40, 30), "teal").save(buffer, "PNG")
Image.objects.create(title="Spine diagram", file=ImageFile(buffer, name="spine.png"))
"""

# Damage done after the backup, which the restore must undo.
DAMAGE = """
from wagtail.images.models import Image
from articles.models import ArticlePage, QuestionPage

QuestionPage.objects.live().order_by("id").last().delete()
article = ArticlePage.objects.order_by("id").first()
article.title = "Edited after the backup"
article.save_revision()
for image in Image.objects.all():
    image.file.storage.delete(image.file.name)
"""


def listing(folder):
    """{relative path: sha256} of every file under `folder`."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class Site:
    """One copy of the site: a database URL and a media folder, driven through manage.py."""

    def __init__(self, tmp_path, database_url, media):
        self.media = media
        settings_dir = tmp_path / "settings"
        settings_dir.mkdir(exist_ok=True)
        (settings_dir / "backup_test_settings.py").write_text(
            f"from discsite.settings.test import *  # noqa: F403\nMEDIA_ROOT = {str(media)!r}\n"
        )
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BACKUP_DIR"}
            },
            "DJANGO_SETTINGS_MODULE": "backup_test_settings",
            "PYTHONPATH": str(settings_dir),
            "DATABASE_URL": database_url,
        }

    def manage(self, *args, check=True):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if check:
            assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def snapshot(self):
        return json.loads(self.manage("shell", "-v0", "-c", SNAPSHOT).stdout.strip().splitlines()[-1])


def round_trip(tmp_path, database_url, fresh_database_url):
    site = Site(tmp_path, database_url, tmp_path / "media")
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed", "-v0")
    site.manage("shell", "-c", ADD_CONTENT)
    before = site.snapshot()
    media_before = listing(site.media)
    media_mode = stat.S_IMODE(site.media.stat().st_mode)
    assert len(before["pages"]) == 31  # the root, the home page and the 29 pages under it
    assert any(page["has_unpublished_changes"] and page["live"] for page in before["pages"])
    assert any(len(page["revisions"]) >= 2 for page in before["pages"])
    assert [path for path in media_before if path.startswith("original_images/")] == ["original_images/spine.png"]

    result = site.manage("backup", "--output-dir", str(tmp_path / "backups"))
    backup = Path(result.stdout.strip())
    assert backup.parent == tmp_path / "backups"
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"] == {"pages": len(before["pages"]), "revisions": len(before["revisions"])}
    assert manifest["media"]["files"] == len(media_before)
    assert not list((tmp_path / "backups").glob(".*.partial"))

    # Damage the site, then see a restore without --force refuse and change nothing.
    site.manage("shell", "-c", DAMAGE)
    (site.media / "stray.txt").write_text("added after the backup")
    damaged, media_damaged = site.snapshot(), listing(site.media)
    assert damaged != before
    assert media_damaged != media_before
    refused = site.manage("restore", str(backup), check=False)
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    assert site.snapshot() == damaged
    assert listing(site.media) == media_damaged

    # A damaged or incomplete backup is refused before anything is touched.
    broken = tmp_path / "broken"
    shutil.copytree(backup, broken)
    database_file = broken / manifest["database"]["file"]
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database_file.write_bytes(bytes(data))
    result = site.manage("restore", str(broken), "--force", check=False)
    assert result.returncode != 0
    assert "checksum" in result.stderr
    (broken / "manifest.json").unlink()
    result = site.manage("restore", str(broken), "--force", check=False)
    assert result.returncode != 0
    assert "not a complete backup" in result.stderr
    assert site.snapshot() == damaged

    # The restore brings back every page, revision, row and media file.
    result = site.manage("restore", str(backup), "--force")
    assert f"{len(before['pages'])} pages and {len(before['revisions'])} revisions, as in the backup" in result.stderr
    after = site.snapshot()
    assert after["pages"] == before["pages"]
    assert after["revisions"] == before["revisions"]
    assert after["rows"] == before["rows"]
    assert listing(site.media) == media_before
    assert stat.S_IMODE(site.media.stat().st_mode) == media_mode  # still readable by the proxy serving /media/
    assert not [path for path in site.media.parent.iterdir() if path.name.startswith(".media.")]

    # And into a fresh, empty database and media folder (a new machine), with nothing to overwrite.
    fresh = Site(tmp_path, fresh_database_url, tmp_path / "fresh-media")
    fresh.manage("restore", str(backup))
    assert fresh.snapshot() == before
    assert listing(fresh.media) == media_before
    assert stat.S_IMODE(fresh.media.stat().st_mode) == 0o755
    # The restored database is the migrated schema: nothing left to apply.
    fresh.manage("migrate", "--check")


@pytest.mark.skipif(ON_POSTGRES, reason="the suite runs on PostgreSQL: the PostgreSQL round trip runs instead")
def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", f"sqlite:///{tmp_path / 'fresh' / 'new.sqlite3'}")


@pytest.fixture
def postgres_databases():
    """Two empty PostgreSQL databases on the suite's server, dropped afterwards."""
    import psycopg

    assert shutil.which("pg_dump"), "pg_dump is not installed (apt-get install postgresql-client)"
    assert shutil.which("pg_restore"), "pg_restore is not installed (apt-get install postgresql-client)"
    parts = urlsplit(os.environ["DATABASE_URL"])
    names = [f"discsite_backup_test_{secrets.token_hex(4)}{suffix}" for suffix in ("", "_fresh")]
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [urlunsplit(parts._replace(path=f"/{name}")) for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not ON_POSTGRES, reason="the suite runs on SQLite: the PostgreSQL round trip runs in its own pass")
def test_backup_and_restore_round_trip_on_postgresql(tmp_path, postgres_databases):
    round_trip(tmp_path, *postgres_databases)
