"""Every environment switch of the production settings (docs/deploy.md), and gunicorn's config file.

The production settings read the environment once, at import, so each case imports
them in a fresh interpreter with exactly the variables it sets.
"""

import importlib
import json
import os
import runpy
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

import discsite.wsgi
from articles import readability

PROJECT_DIR = settings.BASE_DIR
SWITCHES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "DATABASE_PREPARED_STATEMENTS",
    "REDIS_URL",
    "WHITENOISE_MAX_AGE",
    "BEHIND_HTTPS_PROXY",
    "OPENSEARCH_URL",
    "OPENSEARCH_BACKEND",
    "OPENSEARCH_INDEX_PREFIX",
    "OPENSEARCH_TIMEOUT",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "AWS_QUERYSTRING_AUTH",
    "DJANGO_SETTINGS_MODULE",
    "PYTHONPATH",
}
REPORT = textwrap.dedent(
    """
    import json, sys
    from discsite.settings import production as s
    json.dump({
        "DEBUG": s.DEBUG,
        "DATABASE": {key: s.DATABASES["default"][key] for key in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")},
        "DATABASE_OPTIONS": s.DATABASES["default"].get("OPTIONS", {}),
        "CACHES": s.CACHES["default"],
        "STORAGES": s.STORAGES,
        "WHITENOISE_MAX_AGE": s.WHITENOISE_MAX_AGE,
        "SEARCH": s.WAGTAILSEARCH_BACKENDS["default"],
        "SECURE_PROXY_SSL_HEADER": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
        "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", False),
        "CSRF_COOKIE_SECURE": getattr(s, "CSRF_COOKIE_SECURE", False),
        "DISCSITE_ALLOW_DEMO_USERS": s.DISCSITE_ALLOW_DEMO_USERS,
    }, sys.stdout)
    """
)


def run_python(code, **env):
    environment = {key: value for key, value in os.environ.items() if key not in SWITCHES}
    environment.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    environment.update(env)
    return subprocess.run(  # noqa: S603 (this interpreter, code written in this file)
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production_settings(**env):
    result = run_python(REPORT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_one_machine_sqlite_local_memory_cache_database_search_disk_media():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["DATABASE"] == {
        "ENGINE": "django.db.backends.sqlite3",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    assert values["CACHES"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["WHITENOISE_MAX_AGE"] == 3600
    assert values["SEARCH"] == {"BACKEND": "discsite.search_backend"}
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["DISCSITE_ALLOW_DEMO_USERS"] is False


def test_postgresql_with_persistent_connections():
    values = production_settings(DATABASE_URL="postgres://discsite@db.internal:5432/discsite", CONN_MAX_AGE="300")
    assert values["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True,
    }
    assert production_settings(CONN_MAX_AGE="0")["DATABASE"]["CONN_MAX_AGE"] == 0


def test_postgresql_prepares_repeated_queries_unless_told_not_to():
    postgresql = "postgres://discsite@db.internal:5432/discsite"
    prepared = {"server_side_binding": True, "prepare_threshold": 5}
    assert production_settings(DATABASE_URL=postgresql)["DATABASE_OPTIONS"] == prepared
    assert production_settings(DATABASE_URL=postgresql, DATABASE_PREPARED_STATEMENTS="0")["DATABASE_OPTIONS"] == {}
    assert production_settings(DATABASE_PREPARED_STATEMENTS="1")["DATABASE_OPTIONS"] == {}  # SQLite: nothing to do


def test_redis_cache_from_redis_url():
    values = production_settings(REDIS_URL="redis://cache.internal:6379/1")
    assert values["CACHES"] == {
        "BACKEND": "discsite.core.cache_backend.ResilientRedisCache",  # Django's RedisCache, outage-proof
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_static_files_cache_lifetime_for_unhashed_names():
    assert production_settings(WHITENOISE_MAX_AGE="600")["WHITENOISE_MAX_AGE"] == 600


def test_behind_an_https_proxy():
    values = production_settings(BEHIND_HTTPS_PROXY="1")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


@pytest.fixture
def fake_opensearch_client(tmp_path):
    """An importable stand-in for the opensearch-py package, which the project does not install."""
    (tmp_path / "opensearchpy").mkdir()
    (tmp_path / "opensearchpy" / "__init__.py").write_text("")
    return str(tmp_path)


def test_opensearch_from_opensearch_url(fake_opensearch_client):
    values = production_settings(
        OPENSEARCH_URL="https://search.internal:9200, https://search2.internal:9200",
        PYTHONPATH=fake_opensearch_client,
    )
    assert values["SEARCH"] == {
        "BACKEND": "wagtail.search.backends.opensearch2",
        "URLS": ["https://search.internal:9200", "https://search2.internal:9200"],
        "INDEX_PREFIX": "discsite_",
        "TIMEOUT": 5,
    }
    values = production_settings(
        OPENSEARCH_URL="https://search.internal:9200",
        OPENSEARCH_BACKEND="opensearch3",
        OPENSEARCH_INDEX_PREFIX="staging_",
        PYTHONPATH=fake_opensearch_client,
    )
    assert values["SEARCH"]["BACKEND"] == "wagtail.search.backends.opensearch3"
    assert values["SEARCH"]["INDEX_PREFIX"] == "staging_"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENSEARCH_BACKEND": "solr"}, "OPENSEARCH_BACKEND must be one of opensearch2, opensearch3"),
        ({"OPENSEARCH_BACKEND": "elasticsearch8"}, "the elasticsearch package is not installed"),
    ],
)
def test_opensearch_misconfiguration_stops_with_one_line(env, message):
    result = run_python(REPORT, OPENSEARCH_URL="https://search.internal:9200", **env)
    assert result.returncode == 78
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_s3_media_from_the_bucket_name():
    values = production_settings(
        AWS_STORAGE_BUCKET_NAME="discsite-media",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_S3_ENDPOINT_URL="https://s3.eu-west-2.amazonaws.com",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
    )
    assert values["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "discsite-media",
            "region_name": "eu-west-2",
            "endpoint_url": "https://s3.eu-west-2.amazonaws.com",
            "custom_domain": "media.example.org",
            "location": "media",
            "querystring_auth": False,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_s3_storage_is_installed_and_builds_public_media_urls():
    """django-storages loads with these options and gives plain URLs on the media host (no network needed)."""
    code = textwrap.dedent(
        """
        import django, os
        os.environ["DJANGO_SETTINGS_MODULE"] = "discsite.settings.production"
        django.setup()
        from django.core.files.storage import default_storage
        print(type(default_storage._wrapped if hasattr(default_storage, "_wrapped") else default_storage).__name__)
        print(default_storage.url("images/spine.jpg"))
        """
    )
    result = run_python(
        code,
        AWS_STORAGE_BUCKET_NAME="discsite-media",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "https://media.example.org/media/images/spine.jpg"]


# ---------------------------------------------------------------- gunicorn.conf.py


def gunicorn_config(monkeypatch, **env):
    for name in (
        "BIND",
        "PORT",
        "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT",
        "ACCESS_LOG",
        "MAX_REQUESTS",
        "CONTROL_SOCKET",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))


def test_each_server_worker_reads_the_pronouncing_dictionary_as_it_starts(monkeypatch):
    """Not on an editor's first save, import or keystroke in a new worker (about 1.2 s: textstat's CMUdict)."""
    calls = []
    monkeypatch.setattr(readability, "load_pronunciations", lambda: calls.append("loaded"))
    importlib.reload(discsite.wsgi)  # what a worker runs as it starts, with the apps already loaded here
    assert calls == ["loaded"]
    assert readability.reading_level(readability.WARMING_TEXT)[0] is not None, "the warming text is graded"


def test_gunicorn_defaults_to_loopback_two_sync_workers_and_logs_to_stderr(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert config["wsgi_app"] == "discsite.wsgi:application"
    assert config["bind"] == "127.0.0.1:8000"
    assert config["worker_class"] == "sync"
    assert config["workers"] == 2
    assert config["timeout"] == 30
    assert config["accesslog"] == "/dev/stderr"
    assert config["errorlog"] == "-"
    assert config["control_socket_disable"] is True  # one per user by default: servers would share it


def test_gunicorn_settings_from_the_environment(monkeypatch):
    assert gunicorn_config(monkeypatch, PORT="9000")["bind"] == "127.0.0.1:9000"
    config = gunicorn_config(
        monkeypatch,
        BIND="0.0.0.0:8080",
        WEB_CONCURRENCY="4",
        GUNICORN_TIMEOUT="60",
        ACCESS_LOG="",
        MAX_REQUESTS="1000",
    )
    assert config["bind"] == "0.0.0.0:8080"
    assert (config["workers"], config["timeout"], config["accesslog"]) == (4, 60, None)
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    config = gunicorn_config(monkeypatch, CONTROL_SOCKET="/run/discsite/gunicorn.ctl")
    assert config["control_socket"] == "/run/discsite/gunicorn.ctl"
    assert "control_socket_disable" not in config
