"""The ground's models moved from the discsite app to core: a database made before the move keeps
every row, and everything that pointed at them (content types, revisions, permissions) still does.

Runs the real migrations: back to the state of a database migrated before the move, rows written
there through that state's models, then forward again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_THE_MOVE = [("core", None), ("discsite", "0008_safety_net_text")]


def migrate(targets):
    """Migrate to `targets` and return the models as they stand there."""
    executor = MigrationExecutor(connection)
    return executor.migrate(targets).apps


@pytest.fixture
def before_the_move(_restore_migrated_state, django_db_serialized_rollback, transactional_db):
    """The database as a site migrated before the move left it; migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = migrate(BEFORE_THE_MOVE)
    yield old_apps
    migrate(latest)


def test_moving_the_ground_models_keeps_their_rows_and_what_points_at_them(before_the_move):
    old = before_the_move
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    Revision = old.get_model("wagtailcore", "Revision")

    old_settings = old.get_model("discsite", "SiteSettings").objects.create(editorial_team_name="the spine desk")
    old_texts = old.get_model("discsite", "SafetyNetText").objects.create(urgent_care_title="Call 999 if you have")
    old.get_model("discsite", "ContentVersion").objects.update_or_create(pk=1, defaults={"value": 41})
    texts_type = ContentType.objects.get_or_create(app_label="discsite", model="safetynettext")[0]
    revision = Revision.objects.create(
        content_type=texts_type,
        base_content_type=texts_type,
        object_id=str(old_texts.pk),
        content={"urgent_care_title": "Call 999 if you have"},
        object_str="Urgent-care card and disclaimer",
        created_at=timezone.now(),
    )
    change_texts = Permission.objects.get_or_create(
        content_type=texts_type, codename="change_safetynettext", defaults={"name": "Can change safety-net text"}
    )[0]
    group = Group.objects.create(name="Spine editors")
    group.permissions.add(change_texts)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup
    from django.contrib.contenttypes.models import ContentType as CurrentContentType
    from wagtail.models import Revision as CurrentRevision

    from discsite.core.caching import read_content_version
    from discsite.core.models import ContentVersion, SafetyNetText, SiteSettings

    assert SiteSettings.objects.get(pk=old_settings.pk).editorial_team_name == "the spine desk"
    assert SafetyNetText.objects.get(pk=old_texts.pk).urgent_care_title == "Call 999 if you have"
    assert ContentVersion.objects.get(pk=1).value == 41
    assert read_content_version() == 41
    assert CurrentContentType.objects.filter(pk=texts_type.pk).values_list("app_label", "model").get() == (
        "core",
        "safetynettext",
    )
    assert CurrentContentType.objects.get_for_model(SafetyNetText).pk == texts_type.pk
    assert not CurrentContentType.objects.filter(app_label="discsite", model__in=["safetynettext", "sitesettings"])
    assert CurrentRevision.objects.get(pk=revision.pk).content_object == SafetyNetText.objects.get(pk=old_texts.pk)
    assert CurrentGroup.objects.get(name="Spine editors").permissions.get().natural_key() == (
        "change_safetynettext",
        "core",
        "safetynettext",
    )
