"""Site search: the first synonyms, and who may manage synonyms and promoted results.

Editors and Moderators may add, change, delete and view search synonyms (a snippet)
and promoted search results (wagtail.contrib.search_promotions). The permission rows
are created here if Django's post_migrate signal has not made them yet (a fresh
database runs every migration before that signal).
"""

from django.db import migrations

SYNONYMS = {
    "herniated disc": "slipped disc, ruptured disc, prolapsed disc, bulging disc, disc herniation",
    "leg pain": "sciatica",
    "physiotherapy": "physical therapy",
}
GROUPS = ["Editors", "Moderators"]
ACTIONS = ["add", "change", "delete", "view"]
MODELS = [
    # (app label, model name, verbose name)
    ("discsite", "searchsynonym", "search synonym"),
    ("wagtailsearchpromotions", "searchpromotion", "search promotion"),
]


def add_synonyms_and_permissions(apps, schema_editor):
    SearchSynonym = apps.get_model("discsite", "SearchSynonym")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    for term, alternatives in SYNONYMS.items():
        SearchSynonym.objects.get_or_create(term=term, defaults={"alternatives": alternatives})

    permissions = []
    for app_label, model, verbose_name in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            permissions.append(permission)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def remove_synonyms(apps, schema_editor):
    apps.get_model("discsite", "SearchSynonym").objects.filter(term__in=SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("discsite", "0004_searchsynonym"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_synonyms_and_permissions, remove_synonyms)]
