"""The Clinical review workflow's last step becomes an EditorialSignOffTask.

The existing "Editorial sign-off" group approval task keeps its row, its groups and its task
states (pages waiting for sign-off stay where they are): the migration adds the subclass row
beside it and points its content type at the new type.
"""

import django.db.models.deletion
from django.db import migrations, models

EDITORIAL_TASK_NAME = "Editorial sign-off"


def sign_off_tasks(apps):
    """The group approval tasks that sign off the Clinical review workflow (the migration 0004 made one)."""
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ClinicalReviewTask = apps.get_model("articles", "ClinicalReviewTask")
    workflows = apps.get_model("wagtailcore", "Workflow").objects.filter(
        workflow_tasks__task__in=ClinicalReviewTask.objects.all()
    )
    return GroupApprovalTask.objects.filter(
        name=EDITORIAL_TASK_NAME, workflow_tasks__workflow__in=workflows
    ).distinct()


def to_sign_off_task(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    EditorialSignOffTask = apps.get_model("articles", "EditorialSignOffTask")
    content_type = ContentType.objects.get_or_create(app_label="articles", model="editorialsignofftask")[0]
    for task in sign_off_tasks(apps):
        # Saving the subclass with the parent's key updates the parent rows and adds the subclass row.
        EditorialSignOffTask(
            pk=task.pk, task_ptr_id=task.pk, name=task.name, active=task.active, content_type=content_type
        ).save()


def to_group_approval_task(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")[0]
    ids = list(apps.get_model("articles", "EditorialSignOffTask").objects.values_list("pk", flat=True))
    apps.get_model("wagtailcore", "Task").objects.filter(pk__in=ids).update(content_type=content_type)
    # Dropping the subclass table (the reverse of CreateModel) leaves the group approval tasks as they were.


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_safety_net_text_review"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="EditorialSignOffTask",
            fields=[
                (
                    "groupapprovaltask_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.groupapprovaltask",
                    ),
                ),
            ],
            options={
                "verbose_name": "editorial sign-off task",
                "verbose_name_plural": "editorial sign-off tasks",
            },
            bases=("wagtailcore.groupapprovaltask",),
        ),
        migrations.RunPython(to_sign_off_task, to_group_approval_task),
    ]
