from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_users_are_created_in_their_groups():
    call_command("create_demo_users", stdout=StringIO())
    call_command("create_demo_users", stdout=StringIO())  # a second run is harmless
    expected = {"admin": [], "editor": ["Editors"], "clinician": ["Clinical reviewers"], "moderator": ["Moderators"]}
    for username, groups in expected.items():
        user = authenticate(username=username, password="changeme")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == groups
        assert user.is_superuser == (username == "admin")


def test_demo_users_are_refused_where_the_settings_do_not_allow_them(settings):
    settings.DISCSITE_ALLOW_DEMO_USERS = False
    with pytest.raises(CommandError, match="only for development"):
        call_command("create_demo_users", stdout=StringIO())
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()


def test_production_settings_never_allow_demo_users():
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {**os.environ, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}
    env["DJANGO_SETTINGS_MODULE"] = "discsite.settings.production"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DISCSITE_ALLOW_DEMO_USERS)",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"
