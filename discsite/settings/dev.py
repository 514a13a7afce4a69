"""A developer's machine: debug on, a throwaway key, mail to the console."""

from .base import *  # noqa: F403

DEBUG = True
# A key for local development only; production.py never falls back to it.
SECRET_KEY = "dev-only-not-secret-discsite"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DISCSITE_ALLOW_DEMO_USERS = True
DISCSITE_ALLOW_SYNTHETIC_CONTENT = True
