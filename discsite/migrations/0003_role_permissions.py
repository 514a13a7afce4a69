"""What each role may do, on top of Wagtail's default Editors and Moderators.

- Editors: reach the admin; add and change pages anywhere (health content then goes
  through the clinical review workflow, others through "Moderators approval"); no publish.
- Clinical reviewers: reach the admin, and lock pages (to hold one still while reviewing it).
  They see drafts, previews and comparisons and act only while a page waits at their
  workflow step (the task gives them that access). Wagtail opens its revision views only to
  users with some page permission; lock is the one that changes no content.
- Moderators: add, change, publish (and so unpublish), lock and unlock pages.
"""

from django.db import migrations

PAGE_PERMISSIONS = {
    "Editors": ["add_page", "change_page"],
    "Clinical reviewers": ["lock_page"],
    "Moderators": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
NEVER = {
    "Editors": ["publish_page", "bulk_delete_page"],
    "Clinical reviewers": ["add_page", "change_page", "publish_page", "bulk_delete_page"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    page_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    root = Page.objects.filter(depth=1).first()
    for name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        if root is None:
            continue
        for codename in codenames:
            permission = Permission.objects.get(content_type=page_ct, codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        GroupPagePermission.objects.filter(group=group, permission__codename__in=NEVER.get(name, [])).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("discsite", "0002_roles_and_settings"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
