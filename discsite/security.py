"""Security headers that Django does not send itself: Content-Security-Policy and Permissions-Policy.

Both middlewares sit near the top of MIDDLEWARE, just after Django's SecurityMiddleware, so that
every response gets them: pages served from a cache, error pages and the 503 page included.

Content-Security-Policy (django-csp)
    The public site gets `settings.CONTENT_SECURITY_POLICY`: scripts, styles, fonts and frames
    from this origin only, images also as `data:` URIs, no plugins, no `<base>` from elsewhere,
    forms posting only here, and framing only by this origin. The public templates have no
    inline script and no inline style. The JSON-LD in every page's head
    (`<script type="application/ld+json">`) is a *data block*: browsers never execute it, so
    script-src does not apply to it and it needs no nonce (the HTML standard's "prepare the
    script element" stops at its type before the CSP check). An inline script that is meant to
    run would need `nonce="{{ request.csp_nonce }}"`: django-csp then adds that request's nonce
    to script-src. Keep such scripts off pages that a cache may serve to someone else (a cached
    page would carry a stale nonce); put code in a static file instead.

    Wagtail's admin (`/admin/`) gets `settings.DISCSITE_ADMIN_CSP`. The admin still writes a
    few inline scripts (InlinePanel, date pickers) and inline styles, so its policy allows
    them, but it keeps everything else as strict as the public one: no other host for
    scripts, styles, images, fonts, connections or frames; no plugins; framing by this origin
    only (Wagtail's preview panel is a same-origin iframe). The previews it shows are rendered
    under `/admin/` too, so they are checked against the admin's policy.

    Documents (`/documents/<id>/<file>`) are served by Wagtail with its own stricter
    `Content-Security-Policy: default-src 'none'`, which this middleware leaves in place.

    `settings.DISCSITE_CSP_ENABLED` switches the header off; only the test settings do that,
    because some browser tests inject scripts of their own (axe-core). The security tests turn
    it back on with override_settings; it is read on every response, so that also reaches a
    live server running in another thread.

Permissions-Policy
    Django has no setting for it; django-permissions-policy would do the same job with a
    dependency for ten lines. This middleware turns off the powerful browser features that a
    patient-education site never uses (camera, microphone, geolocation, payment, USB, ...), so
    that no injected or third-party code could ask a reader for them either.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy(features):
    """{'camera': [], 'fullscreen': ['self']} -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` from `settings.PERMISSIONS_POLICY` (feature -> allowed origins) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        features = getattr(settings, "PERMISSIONS_POLICY", None)
        if features and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = permissions_policy(features)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with a policy of its own for Wagtail's admin and an off switch for tests."""

    def process_response(self, request, response):
        if not getattr(settings, "DISCSITE_CSP_ENABLED", True):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = getattr(settings, "DISCSITE_ADMIN_CSP", None)
        if (
            not report_only
            and parts.config is None
            and admin_policy
            and request.path_info.startswith(tuple(settings.DISCSITE_ADMIN_CSP_PREFIXES))
        ):
            parts.config = admin_policy
        return parts
