"""Wagtail's search index on PostgreSQL, at 100,000 pages: narrow rows, and two indexes for its own upkeep.

1. Each entry's long `body` (and `body_text`) stored apart. A row of the index carries the page's whole
   body twice, as a tsvector and as text (about 4 kB), and PostgreSQL kept most of it in the row itself,
   so a search read a page of the table for almost every entry it matched (250 MB at 100,000 pages).
   The public search reads many entries' content type, key and title and the body of only the best few
   (discsite/search_index.py), so the body goes to the table's TOAST storage once a row passes 128 bytes
   (`toast_tuple_target`) while the title, the autocomplete words and the title's text stay in the row
   (`STORAGE MAIN`): the rows then take about 40 MB at 100,000 pages. The rows already there are
   rewritten once, so that they take the same layout.
2. modelsearch's PostgreSQL backend, every time it indexes an object, averages the length of every title
   in the index and then sets the title norm of the entries still at 1.0 (new ones): it read the whole
   table twice for each page saved, about 80 ms at 100,000 pages, 18 times in one document's import.
   One index holds each title's length and the title (an index-only scan, a third of the table) and one
   holds only the entries at 1.0.

These are PostgreSQL's own storage settings and indexes, added as migration 0006 adds its GIN index:
they change no column and no result. SQLite uses FTS5. discsite/tests/test_search_backend.py fails if an
upgrade of Wagtail or modelsearch rebuilds the table without them.
"""

from django.db import migrations

TABLE = "wagtailsearch_indexentry"
KEPT_IN_ROW = ("title", "autocomplete", "title_text")
INDEXES = {
    "discsite_indexentry_title_length": f"ON {TABLE} ((length(title))) INCLUDE (title)",
    "discsite_indexentry_new_title_norm": f"ON {TABLE} (id) WHERE title_norm = 1.0",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} " + ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in KEPT_IN_ROW)
    )
    # A new version of each row, laid out under the settings above (an update writes the whole row again).
    schema_editor.execute(f"UPDATE {TABLE} SET body = body")  # noqa: S608
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} " + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in KEPT_IN_ROW)
    )


class Migration(migrations.Migration):
    dependencies = [("discsite", "0011_import_text_checksum"), ("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(forwards, backwards)]
