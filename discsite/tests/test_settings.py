"""Settings: production refuses to start without its secrets; SQLite or PostgreSQL from the environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from discsite.settings.dev import runserver_base_url

PROJECT_DIR = settings.BASE_DIR


def run_production_settings(**env):
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="discsite.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = run_production_settings(**env)
    assert result.returncode != 0
    assert f"the production settings need the {missing} environment variable" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_starts_with_its_secrets():
    result = run_production_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr


def test_base_settings_are_safe_by_default():
    from discsite.settings import base

    assert base.DEBUG is False
    assert base.DISCSITE_ALLOW_DEMO_USERS is False


def test_database_comes_from_database_url():
    import dj_database_url

    config = dj_database_url.parse("postgres://postgres@127.0.0.1:5432/discsite")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    engine = settings.DATABASES["default"]["ENGINE"]
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert engine.endswith(expected)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ("manage.py runserver 127.0.0.1:8000", "http://127.0.0.1:8000"),  # make run
        ("manage.py runserver", "http://127.0.0.1:8000"),
        ("manage.py runserver 8001", "http://127.0.0.1:8001"),
        ("manage.py runserver 0.0.0.0:8080 --noreload", "http://127.0.0.1:8080"),
        ("manage.py runserver --noreload localhost:9000", "http://localhost:9000"),
        ("manage.py runserver [::1]:8002", "http://[::1]:8002"),
        ("manage.py review_due --start-workflows", "http://127.0.0.1:8000"),
    ],
)
def test_in_development_email_links_follow_the_address_runserver_serves(argv, expected):
    assert runserver_base_url(argv.split()) == expected
