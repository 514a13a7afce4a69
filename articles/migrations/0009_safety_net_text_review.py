"""The safety-net texts (urgent-care card, disclaimer) are clinically reviewed: the Clinical review
workflow is assigned to the snippet, editors may change them, moderators may also publish."""

from django.db import migrations

GROUP_PERMISSIONS = {
    "Editors": ["change"],
    "Moderators": ["change", "publish", "lock", "unlock"],
}


def assign(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")

    content_type, _ = ContentType.objects.get_or_create(app_label="discsite", model="safetynettext")
    workflow = Workflow.objects.filter(active=True, name="Clinical review").order_by("pk").first()
    if workflow is not None:
        WorkflowContentType.objects.update_or_create(content_type=content_type, defaults={"workflow": workflow})
    for group_name, actions in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_safetynettext",
                defaults={"name": f"Can {action} safety-net text"},
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_review_topics_and_experts"),
        ("discsite", "0008_safety_net_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]
