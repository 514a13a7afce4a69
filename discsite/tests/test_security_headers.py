"""Security headers on every response: CSP (public and admin), Permissions-Policy, framing, HTTPS behind a proxy.

The test settings switch the Content-Security-Policy off (some browser tests inject scripts);
these tests switch it on, as it is everywhere else.
"""

import re

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page

from discsite.security import permissions_policy

pytestmark = pytest.mark.usefixtures("seeded")

PUBLIC_PAGES = [
    "/",
    "/questions/",
    "/questions/relieve-lower-back-stiffness/",
    "/articles/",
    "/articles/herniated-discs-and-back-muscle-spasms/",
    "/experts/",
    "/topics/",
    "/search/?q=disc+pain",
    "/search/?q=nothing-matches-this",
    "/no-such-page/",
]
DATA_BLOCK_TYPES = {"application/ld+json", "application/json"}


@pytest.fixture(autouse=True)
def _csp_on(settings):
    settings.DISCSITE_CSP_ENABLED = True


def directives(header):
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_get_the_strict_policy_and_the_other_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "no nonce unless a template asks for one"
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == policy["form-action"] == policy["frame-ancestors"] == ["'self'"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script_or_style_the_policy_would_block(client, path):
    """Every <script> is a file from this site or a data block (JSON-LD), which browsers never run."""
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    for script in soup.find_all("script"):
        if script.get("src"):
            assert script["src"].startswith("/"), script
        else:
            assert script.get("type") in DATA_BLOCK_TYPES, f"inline script without a nonce: {script}"
    assert not soup.find_all("style"), "inline <style> is blocked by style-src 'self'"
    assert not soup.find_all(style=True), "style attributes are blocked by style-src 'self'"
    assert not [tag for tag in soup.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]
    for link in soup.find_all("link", rel="stylesheet"):
        assert link["href"].startswith("/"), link


def test_a_template_that_asks_for_a_nonce_gets_it_in_the_header(rf, settings):
    from django.http import HttpResponse

    from discsite.security import ContentSecurityPolicyMiddleware

    request = rf.get("/")

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    response = ContentSecurityPolicyMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]


def test_the_admin_gets_a_policy_it_works_with(admin_client):
    page = Page.objects.get(slug="relieve-lower-back-stiffness")
    for path in ("/admin/", f"/admin/pages/{page.pk}/edit/", "/admin/images/", "/admin/documents/"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"


def test_the_preview_panel_may_frame_the_preview(admin_client):
    """Wagtail's preview views answer SAMEORIGIN themselves; the admin policy allows framing by this origin."""
    page = Page.objects.get(slug="relieve-lower-back-stiffness")
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/preview/?in_preview_panel=true")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]


def test_the_csp_switch_turns_the_header_off(client, settings):
    settings.DISCSITE_CSP_ENABLED = False
    assert "Content-Security-Policy" not in client.get("/")


def test_other_responses_get_the_headers_too(client):
    for path in ("/api/v2/pages/", "/feed/", "/sitemap.xml", "/robots.txt"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response, path
        assert "Permissions-Policy" in response, path
        assert response["X-Content-Type-Options"] == "nosniff"


def test_permissions_policy_format():
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"


# ---------------------------------------------------------------- HTTPS behind a proxy


@pytest.fixture
def behind_https_proxy(settings):
    """What production.py sets with BEHIND_HTTPS_PROXY=1 (SecurityMiddleware reads it when the client starts)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def test_plain_http_is_redirected_to_https(behind_https_proxy, client):
    response = client.get("/questions/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/questions/?page=2"


def test_a_forged_proto_header_from_the_client_is_what_the_proxy_overwrites(behind_https_proxy, client):
    """The proxy sets X-Forwarded-Proto itself (docs/deploy.md), so only its value reaches Django."""
    response = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 301


def test_https_through_the_proxy_is_served_with_hsts(behind_https_proxy, client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_health_checks_are_not_redirected(behind_https_proxy, client):
    for path in ("/healthz", "/readyz"):
        assert client.get(path).status_code != 301, path


def test_cookies_are_secure_and_http_only_behind_the_proxy(behind_https_proxy, client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "a long passphrase 42")
    csrf = client.get("/admin/login/", headers={"X-Forwarded-Proto": "https"}).cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/",
        {"username": "boss", "password": "a long passphrase 42"},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
