"""Production security settings: `check --deploy` is clean with the documented environment, and each switch works.

The production settings read the environment once, at import, so each case runs in a fresh
interpreter with exactly the variables it sets (as test_production_settings.py does).
"""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection

PROJECT_DIR = settings.BASE_DIR
SWITCHES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest.py for the browser tests; never in production
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "BEHIND_HTTPS_PROXY",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUSTED_PROXY_COUNT",
    "CSP_MEDIA_ORIGINS",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_CUSTOM_DOMAIN",
    "DJANGO_SETTINGS_MODULE",
}
# What docs/deploy.md tells an operator to set for a site behind an HTTPS proxy.
DOCUMENTED_ENVIRONMENT = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "discsite.example.org",
    "BEHIND_HTTPS_PROXY": "1",
}
REPORT = textwrap.dedent(
    """
    import json, sys
    from discsite.settings import production as s
    names = [
        "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "DISCSITE_TRUSTED_PROXY_COUNT", "SILENCED_SYSTEM_CHECKS",
        "DISCSITE_CSP_ENABLED", "AXES_FAILURE_LIMIT", "WAGTAILIMAGES_MAX_UPLOAD_SIZE",
        "WAGTAILIMAGES_MAX_IMAGE_PIXELS", "WAGTAILDOCS_MAX_UPLOAD_SIZE", "DEBUG",
    ]
    values = {name: getattr(s, name, None) for name in names}
    values["AXES_COOLOFF_MINUTES"] = s.AXES_COOLOFF_TIME.total_seconds() / 60
    values["PASSWORD_VALIDATORS"] = [item["NAME"].rsplit(".", 1)[-1] for item in s.AUTH_PASSWORD_VALIDATORS]
    values["CSP"] = {key: [str(v) for v in value] for key, value in s.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()}
    values["ADMIN_CSP"] = {key: [str(v) for v in value] for key, value in s.DISCSITE_ADMIN_CSP.items()}
    json.dump(values, sys.stdout)
    """
)


def run(args, **env):
    environment = {key: value for key, value in os.environ.items() if key not in SWITCHES}
    environment.update(DOCUMENTED_ENVIRONMENT, DJANGO_SETTINGS_MODULE="discsite.settings.production")
    environment.update(env)
    environment = {key: value for key, value in environment.items() if value is not None}
    return subprocess.run(  # noqa: S603 (this interpreter, arguments written in this file)
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_settings(**env):
    result = run(["-c", REPORT], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def database_url_for_check(tmp_path):
    """The test run's own PostgreSQL database (migrated, empty of committed users), or a fresh SQLite file."""
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        user = params.get("USER") or "postgres"
        return f"postgres://{user}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"
    return f"sqlite:///{tmp_path / 'check.sqlite3'}"


@pytest.mark.django_db
def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy"], DATABASE_URL=database_url_for_check(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output, output
    assert "ERROR" not in output, output


def test_check_deploy_names_what_is_missing_without_the_https_proxy(tmp_path):
    """Straight over plain HTTP (make serve), the HTTPS settings are off, and check --deploy says so."""
    result = run(
        ["manage.py", "check", "--deploy"],
        BEHIND_HTTPS_PROXY=None,
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
    )
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output


def test_check_deploy_refuses_a_weak_secret_key(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy"],
        SECRET_KEY="not-secret-short",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
    )
    assert "security.W009" in result.stdout + result.stderr


def test_behind_the_https_proxy_everything_is_https_only():
    values = production_settings()
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]  # preload is a documented choice
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["DISCSITE_TRUSTED_PROXY_COUNT"] == 1


def test_https_switches_from_the_environment():
    values = production_settings(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on",
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="1",
        TRUSTED_PROXY_COUNT="2",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SSL", "on"]
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SILENCED_SYSTEM_CHECKS"] is None
    assert values["DISCSITE_TRUSTED_PROXY_COUNT"] == 2


def test_a_malformed_proxy_header_stops_with_one_line():
    result = run(["-c", REPORT], SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode == 78
    assert "SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https'" in result.stderr
    assert "Traceback" not in result.stderr


def test_over_plain_http_nothing_https_only_is_switched_on():
    values = production_settings(BEHIND_HTTPS_PROXY=None)
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SECURE_HSTS_SECONDS"]
    assert values["DISCSITE_TRUSTED_PROXY_COUNT"] == 0


def test_headers_cookies_sessions_uploads_and_accounts():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_HTTPONLY"] is values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["DISCSITE_CSP_ENABLED"] is True
    assert (values["AXES_FAILURE_LIMIT"], values["AXES_COOLOFF_MINUTES"]) == (5, 30)
    assert values["PASSWORD_VALIDATORS"] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert values["WAGTAILIMAGES_MAX_UPLOAD_SIZE"] == 10 * 1024 * 1024
    assert values["WAGTAILIMAGES_MAX_IMAGE_PIXELS"] == 40_000_000
    assert values["WAGTAILDOCS_MAX_UPLOAD_SIZE"] == 40 * 1024 * 1024


def test_the_public_policy_is_strict():
    csp = production_settings()["CSP"]
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "csp.constants.NONCE"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == csp["form-action"] == csp["frame-ancestors"] == ["'self'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


@pytest.mark.parametrize(
    ("env", "origins"),
    [
        ({"AWS_S3_CUSTOM_DOMAIN": "media.example.org"}, ["https://media.example.org"]),
        (
            {"AWS_S3_ENDPOINT_URL": "https://minio.internal:9000"},
            ["https://minio.internal:9000", "https://discsite-media.minio.internal:9000"],
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-west-2"},
            ["https://discsite-media.s3.amazonaws.com", "https://discsite-media.s3.eu-west-2.amazonaws.com"],
        ),
        ({"CSP_MEDIA_ORIGINS": "https://cdn.example.org, https://img.example.org"}, None),
    ],
)
def test_media_in_a_bucket_is_allowed_for_images_and_audio(env, origins):
    values = production_settings(AWS_STORAGE_BUCKET_NAME="discsite-media", **env)
    origins = origins or ["https://cdn.example.org", "https://img.example.org"]
    for policy in (values["CSP"], values["ADMIN_CSP"]):
        assert policy["img-src"][-len(origins) :] == origins
        assert policy["media-src"][-len(origins) :] == origins
        assert policy["script-src"][0] == "'self'"
        assert not any(o in policy["script-src"] for o in origins)


def test_no_secret_in_the_repository():
    """The only keys written in the code are the dev and test settings' throwaway ones, and say so."""
    files = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    names = [name.decode() for name in files if name]
    assert not [name for name in names if re.search(r"(^|/)\.env($|\.)|\.pem$|\.key$", name)]
    literal_keys = []
    for name in names:
        if not name.endswith(".py"):
            continue
        path = PROJECT_DIR / name
        if not path.exists():
            continue
        for match in re.finditer(r"""^\s*SECRET_KEY\s*=\s*["']([^"']*)["']""", path.read_text(encoding="utf-8"), re.M):
            literal_keys.append((name, match.group(1)))
    assert literal_keys, "expected the dev and test settings' keys"
    for name, key in literal_keys:
        assert "not-secret" in key, f"{name} has a literal SECRET_KEY: use the environment"
