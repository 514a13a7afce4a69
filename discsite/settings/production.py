"""Production: every secret and host comes from the environment.

Missing values stop the process with a one-line explanation instead of a
traceback, so an operator sees at once what to set.
"""

import os
import sys

from .base import *  # noqa: F403


def required_env(name, hint):
    value = os.environ.get(name, "").strip()
    if not value:
        sys.stderr.write(f"discsite: the production settings need the {name} environment variable ({hint}).\n")
        raise SystemExit(78)  # EX_CONFIG
    return value


DEBUG = False
SECRET_KEY = required_env("SECRET_KEY", "a long random string, kept out of the repository")
ALLOWED_HOSTS = env_list(  # noqa: F405
    "ALLOWED_HOSTS", required_env("ALLOWED_HOSTS", "comma-separated host names, e.g. example.org")
)
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
DISCSITE_ALLOW_DEMO_USERS = False

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "discsite <noreply@localhost>")
