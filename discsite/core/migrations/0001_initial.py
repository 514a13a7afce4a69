"""The ground's models, moved here from the discsite app with their tables and rows
(discsite.0009 renames the tables): only Django's record of the models is created here, and
their content types move with them."""

import discsite.core.models
import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models

MOVED = ("sitesettings", "safetynettext", "contentversion")


def relabel_content_types(apps, old_label, new_label):
    """The moved models' content types change app, keeping their ids (and everything that points at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in MOVED:
        # A row already made for the new label (by a post_migrate of an earlier, partial run) points at
        # nothing yet: the old row, which revisions and permissions point at, takes its place.
        if ContentType.objects.filter(app_label=old_label, model=name).exists():
            ContentType.objects.filter(app_label=new_label, model=name).delete()
        ContentType.objects.filter(app_label=old_label, model=name).update(app_label=new_label)


def move_content_types(apps, schema_editor):
    relabel_content_types(apps, "discsite", "core")


def move_content_types_back(apps, schema_editor):
    relabel_content_types(apps, "core", "discsite")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('discsite', '0009_move_ground_models_to_core'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='ContentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.PositiveBigIntegerField(default=1)),
                ('changed_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'content version',
                'db_table': 'core_contentversion',
            },
        ),
        migrations.CreateModel(
            name='SiteSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('editorial_team_name', models.CharField(default='the discsite editorial team', help_text='Shown as the author of content that has no named expert.', max_length=100)),
                ('default_review_interval_months', models.PositiveSmallIntegerField(default=12, help_text='When a clinician approves a page, its next review falls due this many months later.')),
            ],
            options={
                'verbose_name': 'site settings',
            },
        ),
        migrations.CreateModel(
            name='SafetyNetText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('live', models.BooleanField(default=True, editable=False, verbose_name='live')),
                ('has_unpublished_changes', models.BooleanField(default=False, editable=False, verbose_name='has unpublished changes')),
                ('first_published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='first published at')),
                ('last_published_at', models.DateTimeField(editable=False, null=True, verbose_name='last published at')),
                ('go_live_at', models.DateTimeField(blank=True, null=True, verbose_name='go live date/time')),
                ('expire_at', models.DateTimeField(blank=True, null=True, verbose_name='expiry date/time')),
                ('expired', models.BooleanField(default=False, editable=False, verbose_name='expired')),
                ('locked', models.BooleanField(default=False, editable=False, verbose_name='locked')),
                ('locked_at', models.DateTimeField(editable=False, null=True, verbose_name='locked at')),
                ('disclaimer', wagtail.fields.RichTextField(default='<p>This site gives general information about lumbar disc herniation. It does not replace advice from a doctor who knows your situation.</p>', help_text='Shown in the footer of every page.')),
                ('urgent_care_title', models.CharField(default='Get medical help immediately if you have', help_text='The heading of the urgent-care card on every health page.', max_length=120)),
                ('urgent_care_symptoms', models.TextField(default='new problems controlling your bladder or bowels\nnumbness around your buttocks, genitals or inner thighs\nleg weakness that is getting worse', help_text='The red-flag symptoms, one per line.')),
                ('urgent_care_action', models.CharField(default='Call your local emergency number or go to an emergency department now.', help_text='What the reader should do.', max_length=255)),
                ('latest_revision', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailcore.revision', verbose_name='latest revision')),
                ('live_revision', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailcore.revision', verbose_name='live revision')),
                ('locked_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='locked_%(class)ss', to=settings.AUTH_USER_MODEL, verbose_name='locked by')),
            ],
            options={
                'verbose_name': 'safety-net text',
                'verbose_name_plural': 'safety-net texts',
            },
            bases=(discsite.core.models.PublishGateMixin, models.Model),
        ),
            ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
