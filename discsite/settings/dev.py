"""A developer's machine: debug on, a throwaway key, mail to the console."""

import os
import re
import sys

from .base import *  # noqa: F403

DEBUG = True
# A key for local development only; production.py never falls back to it.
SECRET_KEY = "dev-only-not-secret-discsite"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DISCSITE_ALLOW_DEMO_USERS = True


def runserver_base_url(argv, default="http://127.0.0.1:8000"):
    """The address `manage.py runserver [addr:]port` serves at (`make run`: 127.0.0.1:8000), for the
    links in the admin's e-mails; an address that listens everywhere is reached as 127.0.0.1."""
    if "runserver" not in argv:
        return default
    positional = [arg for arg in argv[argv.index("runserver") + 1 :] if not arg.startswith("-")]
    match = re.fullmatch(
        r"(?:(?P<addr>\[[0-9a-fA-F:]+\]|[\w.-]+):)?(?P<port>\d+)", positional[0] if positional else ""
    )
    if match is None:
        return default
    addr = match["addr"] or "127.0.0.1"
    if addr in ("0", "0.0.0.0", "[::]"):  # noqa: S104 (an address to link to, not to listen on)
        addr = "127.0.0.1"
    return f"http://{addr}:{match['port']}"


# Links in e-mails point where this development server answers, unless WAGTAILADMIN_BASE_URL says
# otherwise (a forwarded port, a container, another machine's name).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL") or runserver_base_url(sys.argv)
