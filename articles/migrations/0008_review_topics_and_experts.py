"""Every page readers see is clinically reviewed: assign the Clinical review workflow to the home
page (and so the section pages under it) and to the topic and expert indexes (health pages use
it whatever is assigned)."""

from django.db import migrations


def assign(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    workflow = Workflow.objects.filter(active=True, name="Clinical review").order_by("pk").first()
    if workflow is None:
        return
    for app_label, model_name in (
        ("discsite", "HomePage"),
        ("articles", "TopicIndexPage"),
        ("experts", "ExpertIndexPage"),
    ):
        for index in apps.get_model(app_label, model_name).objects.all():
            WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_review_fingerprints"),
        ("experts", "0001_initial"),
        ("discsite", "0007_content_version"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]
