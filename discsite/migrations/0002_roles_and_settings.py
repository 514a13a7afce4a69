"""Create the three editorial roles and the single site-settings row.

The settings row is created here so that no reader's request ever has to
write it (Wagtail's settings `load()` creates the row on first access).
"""

from django.db import migrations

ROLES = ["Editors", "Clinical reviewers", "Moderators"]


def create_roles_and_settings(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    SiteSettings = apps.get_model("discsite", "SiteSettings")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    if not SiteSettings.objects.exists():
        SiteSettings.objects.create()


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("discsite", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles_and_settings, remove_roles)]
