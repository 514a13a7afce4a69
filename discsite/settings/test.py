"""The test suite: fast hashing, mail kept in memory, no debug."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-discsite"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
DISCSITE_ALLOW_DEMO_USERS = True
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Off unless a test turns them on with override_settings (discsite/tests/test_security_*.py):
# sign-in throttling would refuse Django's test Client.login (it passes no request), and the
# Content-Security-Policy would block the scripts some browser tests inject (axe-core).
AXES_ENABLED = False
DISCSITE_CSP_ENABLED = False

# Whole-response caching would answer a test's second request without rendering (no
# response.context); the cache's own tests turn it on (discsite/tests/test_caching.py).
DISCSITE_PAGE_CACHE = False

# The site's skeleton tree (home page and sections) for test factories that are not told where
# a page goes (discsite/core/factories.py): the site's own, named here so the apps need not import it.
DISCSITE_SITE_TREE_BUILDER = "discsite.factories.build_site_tree"
