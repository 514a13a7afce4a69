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

# ---------------------------------------------------------------- serving (docs/deploy.md)

# Persistent database connections: each worker keeps its connection for CONN_MAX_AGE seconds
# (0 closes it after every request) and checks it before reusing it (CONN_HEALTH_CHECKS, set in
# base.py), so a restarted database costs a reconnect, not an error.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405

# Static files are hashed and compressed by collectstatic (CompressedManifestStaticFilesStorage
# above); whitenoise serves hashed names with "Cache-Control: max-age=315360000, public, immutable"
# and anything else (an unhashed name) for WHITENOISE_MAX_AGE seconds.
WHITENOISE_MAX_AGE = int(os.environ.get("WHITENOISE_MAX_AGE", "3600"))


# Behind a proxy that terminates HTTPS (BEHIND_HTTPS_PROXY=1): trust the header it sets to say a
# request came over HTTPS (SECURE_PROXY_SSL_HEADER, default "X-Forwarded-Proto: https"), redirect
# plain HTTP to HTTPS (except the health checks, base.py), send cookies over HTTPS only, tell
# browsers to use nothing but HTTPS for a year (HSTS, subdomains included), and take the client's
# address for sign-in throttling from the proxy's X-Forwarded-For. Leave it unset only when
# gunicorn is reached directly over plain HTTP (make serve, make bench on 127.0.0.1); then
# `check --deploy` rightly warns. HSTS preload is off: it commits the whole domain to HTTPS for
# months and is slow to undo; set SECURE_HSTS_PRELOAD=1 only when you own the domain and mean it.
def proxy_ssl_header(value):
    """'X-Forwarded-Proto: https' -> ('HTTP_X_FORWARDED_PROTO', 'https'), as Django wants it."""
    name, separator, expected = value.partition(":")
    if not separator or not name.strip() or not expected.strip():
        sys.stderr.write(
            f"discsite: SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https' (got {value!r}).\n"
        )
        raise SystemExit(78)
    return ("HTTP_" + name.strip().upper().replace("-", "_"), expected.strip())


if os.environ.get("BEHIND_HTTPS_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"))
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "0") == "1"
    DISCSITE_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
    if not SECURE_HSTS_PRELOAD:
        # "security.W021: SECURE_HSTS_PRELOAD is not True": preload is a choice, explained above.
        SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]

# Search: Wagtail's database backend (base.py) unless OPENSEARCH_URL names a cluster
# (comma-separated URLs, credentials in the URL if needed). After switching, run
# `manage.py update_index` once. OPENSEARCH_BACKEND picks the client for other versions.
search_clients = {
    "opensearch2": "opensearchpy",
    "opensearch3": "opensearchpy",
    "elasticsearch8": "elasticsearch",
    "elasticsearch9": "elasticsearch",
}
if os.environ.get("OPENSEARCH_URL", "").strip():
    import importlib.util

    search_backend = os.environ.get("OPENSEARCH_BACKEND", "opensearch2")
    if search_backend not in search_clients:
        sys.stderr.write(
            f"discsite: OPENSEARCH_BACKEND must be one of {', '.join(search_clients)} (got {search_backend!r}).\n"
        )
        raise SystemExit(78)
    client = search_clients[search_backend]
    if importlib.util.find_spec(client) is None:
        sys.stderr.write(
            f"discsite: OPENSEARCH_URL is set but the {client} package is not installed "
            f"(pip install '{client.replace('opensearchpy', 'opensearch-py')}', see docs/deploy.md).\n"
        )
        raise SystemExit(78)
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{search_backend}",
            "URLS": env_list("OPENSEARCH_URL"),  # noqa: F405
            "INDEX_PREFIX": os.environ.get("OPENSEARCH_INDEX_PREFIX", "discsite_"),
            "TIMEOUT": int(os.environ.get("OPENSEARCH_TIMEOUT", "5")),
        }
    }

# Media (images, audio, documents) in an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is
# set; otherwise on this machine's disk (MEDIA_ROOT). The keys come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or the machine's role), read by boto3, never from this file.
if os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"].strip(),
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Another S3-compatible service (MinIO, Cloudflare R2, DigitalOcean Spaces, ...).
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            # A CDN or the bucket's public host name, for media URLs in pages.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            # Public media (what readers see) has plain, cacheable URLs; set AWS_QUERYSTRING_AUTH=1
            # for a private bucket, and URLs are signed and expire.
            "querystring_auth": os.environ.get("AWS_QUERYSTRING_AUTH", "0") == "1",
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def media_origins():
    """Where images and audio come from when they are not on this host, for the Content-Security-Policy.

    CSP_MEDIA_ORIGINS (comma-separated) if set; else the bucket's public host: AWS_S3_CUSTOM_DOMAIN,
    the AWS_S3_ENDPOINT_URL's origin, or the bucket's own amazonaws.com names.
    """
    if os.environ.get("CSP_MEDIA_ORIGINS", "").strip():
        return env_list("CSP_MEDIA_ORIGINS")  # noqa: F405
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return []
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip():
        return [f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN'].strip()}"]
    if os.environ.get("AWS_S3_ENDPOINT_URL", "").strip():
        from urllib.parse import urlsplit

        endpoint = urlsplit(os.environ["AWS_S3_ENDPOINT_URL"].strip())
        return [f"{endpoint.scheme}://{endpoint.netloc}", f"{endpoint.scheme}://{bucket}.{endpoint.netloc}"]
    region = os.environ.get("AWS_S3_REGION_NAME", "").strip()
    return [f"https://{bucket}.s3.amazonaws.com"] + ([f"https://{bucket}.s3.{region}.amazonaws.com"] if region else [])


# Images and audio from the media host, on the public pages and in the admin (discsite/security.py).
for directives in (CONTENT_SECURITY_POLICY["DIRECTIVES"], DISCSITE_ADMIN_CSP):  # noqa: F405
    for directive in ("img-src", "media-src"):
        directives[directive] = [*directives[directive], *media_origins()]

# ---------------------------------------------------------------- CDN purging (docs/deploy.md)

# A CDN or caching proxy in front of the site is told to drop a page when it is published or
# unpublished (wagtail.contrib.frontend_cache), with the pages that show it (discsite/core/caching.py).
# Pick one: FRONTEND_CACHE_PURGE_URL for Varnish/Squid/nginx (an HTTP PURGE endpoint),
# CLOUDFLARE_API_TOKEN + CLOUDFLARE_ZONE_ID, or CLOUDFRONT_DISTRIBUTION_ID (AWS credentials
# from the usual AWS_* variables).
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }
elif os.environ.get("CLOUDFLARE_API_TOKEN") and os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": os.environ["CLOUDFLARE_API_TOKEN"],
            "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        }
    }
elif os.environ.get("CLOUDFRONT_DISTRIBUTION_ID"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": os.environ["CLOUDFRONT_DISTRIBUTION_ID"],
        }
    }
