"""Settings shared by every environment.

Safe by default: DEBUG is off, there is no secret key unless the environment
gives one, and no host is allowed unless listed. dev.py and test.py relax this
for a developer's machine; production.py insists on real values.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name, default=""):
    """A comma-separated environment variable as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "wagtail.contrib.settings",
    # Purges a CDN on publish when WAGTAILFRONTENDCACHE is set (production settings, from the environment).
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.api.v2",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Content-Security-Policy (its system checks) and sign-in throttling; see "Security" below.
    "csp",
    "axes",
    # The project's apps come after Wagtail's, so that their ready() can adjust what Wagtail set up
    # (articles replaces Wagtail's workflow emails for health content).
    # The ground, the apps on it, the site on top (README, "What is here").
    "discsite.core",
    "experts",
    "articles",
    "discsite",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Next to SecurityMiddleware, so that every response gets these headers (discsite/security.py).
    "discsite.security.PermissionsPolicyMiddleware",
    "discsite.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The database unreachable: a styled 503 with Retry-After, not a 500 (discsite/outage.py).
    "discsite.outage.DatabaseUnavailableMiddleware",
    # Whole responses for anonymous readers, before anything reads the session (discsite/core/middleware.py).
    "discsite.core.middleware.PageCacheMiddleware",
    # gzip for public responses only, the same for every anonymous reader: they carry no secret for
    # BREACH to recover; the admin, signed-in and cookie-setting responses are never compressed. Inside
    # the page cache, which keeps each encoding as sent; outside everything that writes the body.
    "discsite.core.middleware.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "discsite.urls"
WSGI_APPLICATION = "discsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL names another database
# (postgres://user@host:port/name for PostgreSQL through psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# On PostgreSQL, values travel apart from the SQL (server-side binding), so a query has the same
# text whatever its values, and psycopg prepares it once it has run 5 times on a connection:
# PostgreSQL then stops planning it afresh on every request (planning a page's joins costs more
# than running them). Django leaves this off unless told. Off with DATABASE_PREPARED_STATEMENTS=0,
# e.g. behind a PgBouncer that does not keep prepared statements (transaction pooling before 1.21).
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1"
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when REDIS_URL is set: Django's RedisCache, which answers as an empty cache while Redis is
# unreachable (pages rendered afresh, never an error page; discsite/core/cache_backend.py).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "discsite.core.cache_backend.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Logs: one JSON object per line on stderr (discsite/logging.py), for the process supervisor or
# container runtime to collect; gunicorn's own logs use the same format (gunicorn.conf.py).
# Requests carry method, path and status, never headers, cookies or query strings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,  # gunicorn configured its loggers before Django started
    "formatters": {"json": {"()": "discsite.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Replaces Django's defaults (console only with DEBUG, mail_admins); records go to the root's handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "level": "WARNING", "propagate": True},
        **{
            name: {"handlers": [], "level": os.environ.get("LOG_LEVEL", "INFO").upper(), "propagate": True}
            for name in ("discsite", "articles", "experts", "wagtail")
        },
    },
}
# Load balancers call the health checks over plain HTTP, behind the proxy that redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Complex page models can exceed Django's default of 1000 fields per form in the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = "discsite"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Wagtail's database backend (PostgreSQL full-text search, SQLite FTS5), ranking faster on SQLite.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "discsite.search_backend"}}
# Health content must be clinically re-approved after any edit made during review.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No avatars from gravatar.com: nothing in the admin may call out to another host.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Unambiguous dates in the admin ("23 Jan 2025"); discsite/formats/en_GB lets forms read them back.
WAGTAIL_DATE_FORMAT = "%d %b %Y"
WAGTAIL_DATETIME_FORMAT = "%d %b %Y %H:%M"
FORMAT_MODULE_PATH = ["discsite.formats"]
# Audio answers and patient handouts; nothing executable or scriptable.
WAGTAILDOCS_EXTENSIONS = ["pdf", "mp3", "m4a", "ogg", "wav"]
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]  # never SVG: it can carry script
# Upload limits (the proxy's client_max_body_size in docs/deploy.md is above the largest).
# A 10 MB photo is plenty for the web; 40 megapixels (e.g. 8000 x 5000) bounds the memory that
# decoding one upload can take, so a small "decompression bomb" file is refused too.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Documents are mostly audio answers: a few minutes of speech is a few MB; 40 MB leaves room for a
# long interview in WAV.
WAGTAILDOCS_MAX_UPLOAD_SIZE = 40 * 1024 * 1024
# Documents always through Wagtail's serve view, whatever the storage (an S3 bucket included), so
# that readers get only documents a live page shows (discsite/media_access.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Media that pages use is versioned: a change to what readers see of it is a new row, and the
# pages using it go back to review (articles/media_versions.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "articles.media_versions.VersionedImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "articles.media_versions.VersionedDocumentForm"
TAGGIT_CASE_INSENSITIVE = True

# Set by dev settings only: `create_demo_users` refuses to run anywhere else.
DISCSITE_ALLOW_DEMO_USERS = False

# ---------------------------------------------------------------- security (README "Security")
# What applies everywhere. HTTPS-only settings (HSTS, redirect, secure cookies) are in production.py.

# Sign-in throttling (django-axes, discsite/accounts.py): 5 wrong passwords in a row for one
# username from one address block that pair for 30 minutes, even with the right password; a
# successful sign-in clears the count. Unlock sooner: `manage.py axes_reset_username <username>`.
# On top of that, 20 wrong passwords from one address, whatever the usernames, block sign-in from
# that address for the same 30 minutes (`manage.py axes_reset_ip <address>` unlocks it), so one
# address cannot try a password against every account. Why 20: a clinic's staff often share one
# public address (the office's router), and 20 leaves room for four colleagues to use up their
# own 5 before the whole office is locked out, while an attacker gets 20 guesses per address per
# half hour in all, not 5 for each of the site's accounts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "discsite.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "discsite.accounts.client_ip"
AXES_HANDLER = "discsite.accounts.AddressLimitedAxesHandler"  # axes' database handler + the per-address limit
DISCSITE_SIGNIN_ADDRESS_FAILURE_LIMIT = 20
# Password-reset mail (Wagtail's /admin/password_reset/, discsite/accounts.py): at most 3 requests
# an hour for one e-mail address (a mistyped or slow first mail can be asked for twice more) and
# 10 from one address (a shared office where several people forget a password the same hour).
# Beyond either, no mail is sent and the usual "Check your email" page is shown. Counted in the
# cache: Redis (REDIS_URL) shares the counts between processes; without it, each process counts
# alone. If the cache is down the limit is skipped (logged), never an error page.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "discsite.accounts.ThrottledPasswordResetForm"  # noqa: S105 (a dotted path)
DISCSITE_PASSWORD_RESET_PER_EMAIL = 3
DISCSITE_PASSWORD_RESET_PER_ADDRESS = 10
DISCSITE_PASSWORD_RESET_WINDOW = datetime.timedelta(hours=1)
# Proxies in front of the site that append to X-Forwarded-For (production.py sets 1 behind the HTTPS proxy).
DISCSITE_TRUSTED_PROXY_COUNT = 0

# Staff sessions end 8 hours after sign-in, and when the browser closes unless "Remember me" was
# ticked (Wagtail then keeps the cookie for SESSION_COOKIE_AGE). Readers have no session at all.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Wagtail's admin reads the CSRF token from the page, never from the cookie, so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No other site may frame these pages. Wagtail's preview panel frames its own preview views, which
# send "X-Frame-Options: SAMEORIGIN" themselves (wagtail.utils.decorators.xframe_options_sameorigin_override),
# so DENY everywhere else costs the preview nothing. Browsers that know CSP use frame-ancestors below.
X_FRAME_OPTIONS = "DENY"

# Browser features a patient-education site never uses, turned off for every page and any script
# on it (discsite/security.py).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Content-Security-Policy (django-csp, discsite/security.py). The public site: nothing from other
# hosts, no inline script or style. production.py adds the media host when media is in a bucket.
DISCSITE_CSP_ENABLED = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],  # the nonce only when a template asks for it
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
# Wagtail's admin (and the previews it renders) still writes some inline scripts and styles.
DISCSITE_ADMIN_CSP_PREFIXES = ["/admin/"]
DISCSITE_ADMIN_CSP = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
}
# The admin dashboard would otherwise ask releases.wagtail.io for news of new versions.
WAGTAIL_ENABLE_UPDATE_CHECK = False
