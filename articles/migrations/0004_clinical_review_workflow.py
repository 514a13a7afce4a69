"""Create the "Clinical review" workflow: a clinical review task, then an editorial sign-off.

Health content always uses this workflow (HealthContentPage.get_workflow); the
workflow is also assigned nowhere in the tree, so other pages keep Wagtail's
"Moderators approval".
"""

from django.db import migrations

WORKFLOW_NAME = "Clinical review"
CLINICAL_TASK_NAME = "Clinical review"
EDITORIAL_TASK_NAME = "Editorial sign-off"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ClinicalReviewTask = apps.get_model("articles", "ClinicalReviewTask")

    if ClinicalReviewTask.objects.exists():
        return
    reviewers, _ = Group.objects.get_or_create(name="Clinical reviewers")
    moderators, _ = Group.objects.get_or_create(name="Moderators")

    clinical = ClinicalReviewTask.objects.create(
        name=CLINICAL_TASK_NAME,
        content_type=ContentType.objects.get_or_create(app_label="articles", model="clinicalreviewtask")[0],
        active=True,
    )
    clinical.groups.set([reviewers])
    editorial = GroupApprovalTask.objects.create(
        name=EDITORIAL_TASK_NAME,
        content_type=ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")[0],
        active=True,
    )
    editorial.groups.set([moderators])
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=clinical, sort_order=0)
    WorkflowTask.objects.create(workflow=workflow, task=editorial, sort_order=1)


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()
    apps.get_model("articles", "ClinicalReviewTask").objects.filter(name=CLINICAL_TASK_NAME).delete()
    apps.get_model("wagtailcore", "GroupApprovalTask").objects.filter(name=EDITORIAL_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_clinical_review_task"),
        ("discsite", "0002_roles_and_settings"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
