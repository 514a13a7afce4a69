"""The structure version: a second row of the content-version table (see discsite.core.caching), which
every change a reader could see moves on, except the publication of an answer or an article."""

from django.db import migrations


def create_the_row(apps, schema_editor):
    ContentVersion = apps.get_model("core", "ContentVersion")
    ContentVersion.objects.get_or_create(pk=2)


def remove_the_row(apps, schema_editor):
    apps.get_model("core", "ContentVersion").objects.filter(pk=2).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_the_row, remove_the_row)]
