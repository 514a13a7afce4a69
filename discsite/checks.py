"""Deployment checks (`manage.py check --deploy`) for what Django's own cannot know about this site.

- The development switch (demo users) must be off.
- The security middleware's switches (Content-Security-Policy, sign-in throttling) must be on.
- No demo login may still work: a database copied from a developer's machine (`make run`
  creates admin/editor/clinician/moderator with the password "changeme") must not go live
  with them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from discsite.management.commands.create_demo_users import DEMO_PASSWORD, DEMO_USERS


@register(Tags.security, deploy=True)
def development_switches_are_off(app_configs, **kwargs):
    problems = []
    for name in ("DISCSITE_ALLOW_DEMO_USERS",):
        if getattr(settings, name, False):
            problems.append(Error(f"{name} is on: it is for development only.", id="discsite.E001"))
    for name, what in (("DISCSITE_CSP_ENABLED", "Content-Security-Policy"), ("AXES_ENABLED", "sign-in throttling")):
        if not getattr(settings, name, True):
            problems.append(Warning(f"{name} is off: the site runs without its {what}.", id="discsite.W001"))
    return problems


@register(Tags.security, deploy=True)
def no_demo_logins(app_configs, **kwargs):
    try:
        accounts = list(
            get_user_model()
            .objects.filter(username__in=DEMO_USERS, is_active=True)
            .values_list("username", "password")
        )
    except DatabaseError:  # no database yet, or not migrated: nothing to find
        return []
    # hashers.check_password, not User.check_password: a check must not rehash and save a password.
    return [
        Error(
            f"The demo user '{username}' can still sign in with the demo password.",
            hint=f"Give it a real password (manage.py changepassword {username}) or deactivate it.",
            id="discsite.E002",
        )
        for username, password in accounts
        if check_password(DEMO_PASSWORD, password)
    ]
