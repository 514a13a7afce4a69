"""The test suite: fast hashing, mail kept in memory, no debug."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-discsite"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
DISCSITE_ALLOW_DEMO_USERS = True
DISCSITE_ALLOW_SYNTHETIC_CONTENT = True
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
