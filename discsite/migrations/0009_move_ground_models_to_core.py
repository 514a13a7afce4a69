"""The site settings, the safety-net texts and the content version move to the ground app (core).

A move, not a drop and re-create: the tables are renamed to the names the core app gives them
and keep every row; the models leave this app's state here and enter core's in its 0001, which
also moves their content types, so revisions, workflow states, permissions and log entries that
point at them stay theirs."""

from django.db import migrations

MOVED = ("sitesettings", "safetynettext", "contentversion")


class Migration(migrations.Migration):
    dependencies = [("discsite", "0008_safety_net_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name, f"core_{name}") for name in MOVED],
            state_operations=[
                migrations.RemoveField("safetynettext", "latest_revision"),
                migrations.RemoveField("safetynettext", "live_revision"),
                migrations.RemoveField("safetynettext", "locked_by"),
                *(migrations.DeleteModel(name) for name in MOVED),
            ],
        )
    ]
