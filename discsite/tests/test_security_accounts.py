"""Accounts: sign-in throttling (django-axes), password-reset limits, password rules, sessions, no demo logins in production."""

import os
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from discsite import accounts, checks

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def sign_in(client, password, username="boss", **extra):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/", **extra})


def signed_in(client):
    return client.get("/admin/").status_code == 200


def fail(client, times, username="boss"):
    return [sign_in(client, f"wrong {attempt}", username) for attempt in range(times)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, boss):
    responses = fail(client, 5)
    assert [response.status_code for response in responses[:4]] == [200] * 4  # the form again, with its error
    assert all(LOCKED not in response.content.decode() for response in responses[:4])
    assert responses[4].status_code == 429
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    html = " ".join(response.content.decode().split())
    assert LOCKED in html
    assert "blocked for 30 minutes" in html
    assert "after 5 wrong passwords in a row" in html
    assert "ask an administrator to unlock your account" in html
    assert "“boss”" in html
    assert not signed_in(client)


def test_the_lockout_page_is_wagtails_sign_in_page_not_a_bare_error(client, boss):
    fail(client, 5)
    html = sign_in(client, PASSWORD).content.decode()
    assert "wagtailadmin/css/core" in html, "styled like the admin"
    assert 'class="login-form"' in html, "the form is still there for when the wait is over"
    assert 'role="alert"' in html
    assert "<title>Sign-in blocked" in html


def test_an_administrator_unlocks_with_axes_reset_username(client, boss):
    fail(client, 5)
    assert sign_in(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "boss", stdout=open(os.devnull, "w"))  # noqa: SIM115
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_count(client, boss):
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.post("/admin/logout/")
    assert not signed_in(client)
    fail(client, 4)  # 8 failures in all, but never 5 in a row
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_is_for_that_username_from_that_address(client, boss, django_user_model):
    django_user_model.objects.create_user("colleague", password=PASSWORD, is_staff=True, is_superuser=True)
    fail(client, 5)
    assert sign_in(client, PASSWORD, "colleague").status_code == 302, "another username from the same address"
    client.post("/admin/logout/")
    response = client.post(
        "/admin/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )  # the same username from elsewhere
    assert response.status_code == 302


def test_attempts_are_recorded_for_the_admin_to_see(client, boss):
    fail(client, 3)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("boss", "127.0.0.1", 3)


def test_hostile_sign_in_input_is_refused_without_a_server_error(client, boss):
    for username in ("x" * 10_000, "nul\x00byte", "' OR 1=1 --", "{{ 7*7 }}", "é" * 300, ""):
        response = sign_in(client, "whatever", username)
        assert response.status_code in (200, 429), username[:20]
    response = client.post("/admin/login/", {"username": ["a", "b"], "password": ["c", "d"]})
    assert response.status_code in (200, 429)


# ---------------------------------------------------------------- one address against many usernames

ADDRESS_LIMIT = 20  # failures from one address, whatever the usernames (settings/base.py)


def sign_in_from(client, address, password, username="boss", **meta):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", data, REMOTE_ADDR=address, **meta)


def spray(client, count, address="127.0.0.1", **meta):
    """One wrong password tried against `count` different usernames, once each, from one address."""
    return [sign_in_from(client, address, "Spring2025!", f"user{n}", **meta) for n in range(count)]


def test_one_address_trying_one_password_against_many_usernames_is_locked_out(client, boss):
    responses = spray(client, 40)
    codes = [response.status_code for response in responses]
    assert codes[: ADDRESS_LIMIT - 1] == [200] * (ADDRESS_LIMIT - 1), "the form again, with its error"
    assert codes[ADDRESS_LIMIT - 1 :] == [429] * (40 - ADDRESS_LIMIT + 1), "locked from the 20th failure on"
    response = sign_in(client, PASSWORD)  # even the right password of a real account, from that address
    assert response.status_code == 429
    assert not signed_in(client)
    html = " ".join(response.content.decode().split())
    assert LOCKED in html
    assert "wagtailadmin/css/core" in html, "the styled lockout page, not a bare error"
    assert "<title>Sign-in blocked" in html
    assert "Signing in from this address is blocked for 30 minutes" in html
    assert f"after {ADDRESS_LIMIT} wrong passwords in a row" in html
    assert "“boss”" not in html, "the lock is on the address, not on one username"


def test_an_address_lockout_leaves_other_addresses_alone(client, boss):
    spray(client, ADDRESS_LIMIT)
    assert sign_in(client, PASSWORD).status_code == 429
    assert sign_in_from(client, "203.0.113.9", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_forged_forwarded_for_header_does_not_spread_the_attempts(client, boss):
    # No trusted proxy (test settings): X-Forwarded-For is the client's own words and is not the address.
    responses = [
        sign_in_from(client, "127.0.0.1", "Spring2025!", f"user{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(ADDRESS_LIMIT)
    ]
    assert responses[-1].status_code == 429


def test_failures_below_the_address_limit_lock_nobody_else(client, boss, django_user_model):
    """A shared office: three colleagues each get a password wrong four times, the fourth signs in."""
    for name in ("ann", "ben", "cat"):
        for _ in range(4):
            sign_in_from(client, "127.0.0.1", "wrong", name)
    assert sign_in(client, PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_address_with_axes_reset_ip(client, boss):
    spray(client, ADDRESS_LIMIT)
    assert sign_in(client, PASSWORD).status_code == 429
    call_command("axes_reset_ip", "127.0.0.1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert sign_in(client, PASSWORD).status_code == 302


# ---------------------------------------------------------------- password-reset mail


RESET_PER_ADDRESS = 10  # requests an hour from one address (settings/base.py)
RESET_PER_EMAIL = 3  # requests an hour for one e-mail address
DONE = "/admin/password_reset/done/"


def reset(client, email, address="127.0.0.1"):
    return client.post("/admin/password_reset/", {"email": email}, REMOTE_ADDR=address)


def test_password_reset_mail_is_limited_per_email_address(client, boss):
    responses = [reset(client, "Boss@Example.com ", f"198.51.100.{n}") for n in range(RESET_PER_EMAIL + 3)]
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, DONE)] * len(responses), (
        "the same neutral page, sent or not"
    )
    assert len(mail.outbox) == RESET_PER_EMAIL
    assert all(message.to == ["boss@example.com"] for message in mail.outbox)


def test_password_reset_mail_is_limited_per_address(client, django_user_model):
    count = RESET_PER_ADDRESS + 3
    for n in range(count):
        django_user_model.objects.create_user(f"staff{n}", f"staff{n}@example.com", PASSWORD, is_staff=True)
    responses = [reset(client, f"staff{n}@example.com") for n in range(count)]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, DONE)}
    assert len(mail.outbox) == RESET_PER_ADDRESS
    assert reset(client, "staff0@example.com", "203.0.113.9").status_code == 302  # another address
    assert len(mail.outbox) == RESET_PER_ADDRESS + 1


def test_the_limited_answer_says_no_more_than_the_usual_one(client, boss):
    for n in range(RESET_PER_EMAIL):
        reset(client, "boss@example.com", f"198.51.100.{n}")
    limited = client.post("/admin/password_reset/", {"email": "boss@example.com"}, follow=True)
    unknown = client.post("/admin/password_reset/", {"email": "nobody@example.com"}, follow=True)
    assert limited.status_code == unknown.status_code == 200
    assert limited.redirect_chain == unknown.redirect_chain == [(DONE, 302)]
    assert main_text(limited) == main_text(unknown)
    assert "if an account exists for this address" in limited.content.decode()
    assert len(mail.outbox) == RESET_PER_EMAIL


def main_text(response):
    """The page's <main>, the part that differs between answers (the head carries a fresh CSRF token)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.DOTALL).group()


UNREACHABLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_without_its_cache_the_reset_limit_fails_open_and_sign_in_still_works(client, boss):
    with override_settings(CACHES=UNREACHABLE_CACHE):
        for _ in range(RESET_PER_EMAIL + 1):
            response = reset(client, "boss@example.com")
            assert (response.status_code, response["Location"]) == (302, DONE)
        assert len(mail.outbox) == RESET_PER_EMAIL + 1, "no count to hold them back: sent (fail open)"
        assert sign_in(client, "wrong").status_code == 200
        assert sign_in(client, PASSWORD).status_code == 302


# ---------------------------------------------------------------- the client's address behind proxies


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's own words
        (1, "198.51.100.7", "10.0.0.1", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "10.0.0.1", "198.51.100.7"),  # the client wrote the first entry
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "10.0.0.1", "198.51.100.7"),
        (1, "", "10.0.0.1", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
        (1, "2001:db8::1", "10.0.0.1", "2001:db8::1"),
        (3, "198.51.100.7", "10.0.0.1", "10.0.0.1"),  # fewer entries than proxies
    ],
)
def test_client_ip_behind_trusted_proxies(settings, count, forwarded, remote, expected):
    settings.DISCSITE_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert accounts.client_ip(request) == expected


# ---------------------------------------------------------------- passwords and sessions


@pytest.mark.parametrize("password", ["changeme", "12345678901", "short", "password123", "boss-boss"])
def test_weak_passwords_are_refused(password, django_user_model):
    user = django_user_model(username="boss-boss", email="boss@example.com")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, django_user_model):
    response = admin_client.post(
        "/admin/users/new/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "first_name": "New",
            "last_name": "Bie",
            "password1": "changeme",
            "password2": "changeme",
        },
    )
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not django_user_model.objects.filter(username="newbie").exists()


def test_a_session_ends_with_the_browser_unless_remembered_and_after_eight_hours_at_most(client, boss):
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert not response.cookies["sessionid"]["max-age"], "a browser-session cookie"
    assert client.session.get_expiry_age() <= 8 * 60 * 60
    client.post("/admin/logout/")
    response = sign_in(client, PASSWORD, remember="on")
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60


# ---------------------------------------------------------------- production: no demo logins, no dev switches


def test_check_deploy_finds_a_demo_login_that_still_works(django_user_model):
    django_user_model.objects.create_user("admin", password="changeme")
    django_user_model.objects.create_user("editor", password="a real passphrase now")
    django_user_model.objects.create_user("moderator", password="changeme", is_active=False)
    problems = checks.no_demo_logins(None)
    assert [problem.id for problem in problems] == ["discsite.E002"]
    assert "'admin'" in problems[0].msg


def test_check_deploy_finds_development_switches(settings):
    settings.DISCSITE_ALLOW_DEMO_USERS = True
    settings.DISCSITE_CSP_ENABLED = False
    ids = sorted(problem.id for problem in checks.development_switches_are_off(None))
    assert ids == ["discsite.E001", "discsite.W001"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["create_demo_users"], "Demo users are only for development"),
    ],
)
def test_demo_users_are_refused_under_the_production_settings(command, message, tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="discsite.settings.production",
        SECRET_KEY="test-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, arguments written in this file)
        [sys.executable, "manage.py", *command],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
