"""The urgent-care card and the disclaimer move out of the site settings into a snippet that is
clinically reviewed (now core.SafetyNetText). The texts in force become its live version."""

import discsite.core.models
import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def move_texts_from_site_settings(apps, schema_editor):
    SiteSettings = apps.get_model("discsite", "SiteSettings")
    SafetyNetText = apps.get_model("discsite", "SafetyNetText")
    if SafetyNetText.objects.exists():
        return
    current = SiteSettings.objects.order_by("pk").first()
    texts = {}
    if current is not None:
        texts = {
            name: getattr(current, name)
            for name in ("disclaimer", "urgent_care_title", "urgent_care_symptoms", "urgent_care_action")
        }
    SafetyNetText.objects.create(live=True, **texts)


class Migration(migrations.Migration):
    dependencies = [
        ("discsite", "0007_content_version"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SafetyNetText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("live", models.BooleanField(default=True, editable=False, verbose_name="live")),
                (
                    "has_unpublished_changes",
                    models.BooleanField(default=False, editable=False, verbose_name="has unpublished changes"),
                ),
                (
                    "first_published_at",
                    models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="first published at"),
                ),
                (
                    "last_published_at",
                    models.DateTimeField(editable=False, null=True, verbose_name="last published at"),
                ),
                ("go_live_at", models.DateTimeField(blank=True, null=True, verbose_name="go live date/time")),
                ("expire_at", models.DateTimeField(blank=True, null=True, verbose_name="expiry date/time")),
                ("expired", models.BooleanField(default=False, editable=False, verbose_name="expired")),
                ("locked", models.BooleanField(default=False, editable=False, verbose_name="locked")),
                ("locked_at", models.DateTimeField(editable=False, null=True, verbose_name="locked at")),
                (
                    "disclaimer",
                    wagtail.fields.RichTextField(
                        default="<p>This site gives general information about lumbar disc herniation. It does not replace advice from a doctor who knows your situation.</p>",
                        help_text="Shown in the footer of every page.",
                    ),
                ),
                (
                    "urgent_care_title",
                    models.CharField(
                        default="Get medical help immediately if you have",
                        help_text="The heading of the urgent-care card on every health page.",
                        max_length=120,
                    ),
                ),
                (
                    "urgent_care_symptoms",
                    models.TextField(
                        default="new problems controlling your bladder or bowels\nnumbness around your buttocks, genitals or inner thighs\nleg weakness that is getting worse",
                        help_text="The red-flag symptoms, one per line.",
                    ),
                ),
                (
                    "urgent_care_action",
                    models.CharField(
                        default="Call your local emergency number or go to an emergency department now.",
                        help_text="What the reader should do.",
                        max_length=255,
                    ),
                ),
                (
                    "latest_revision",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailcore.revision",
                        verbose_name="latest revision",
                    ),
                ),
                (
                    "live_revision",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailcore.revision",
                        verbose_name="live revision",
                    ),
                ),
                (
                    "locked_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="locked_%(class)ss",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="locked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "safety-net text",
                "verbose_name_plural": "safety-net texts",
            },
            bases=(discsite.core.models.PublishGateMixin, models.Model),
        ),
        migrations.RunPython(move_texts_from_site_settings, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="sitesettings",
            name="disclaimer",
        ),
        migrations.RemoveField(
            model_name="sitesettings",
            name="urgent_care_action",
        ),
        migrations.RemoveField(
            model_name="sitesettings",
            name="urgent_care_symptoms",
        ),
        migrations.RemoveField(
            model_name="sitesettings",
            name="urgent_care_title",
        ),
    ]
