"""Sign-in throttling for the Wagtail admin (django-axes): who is counted, and what a locked-out person sees.

After `AXES_FAILURE_LIMIT` wrong passwords in a row for one username from one address, that
username cannot sign in from that address for `AXES_COOLOFF_TIME` (settings/base.py), even with
the right password; one successful sign-in clears the count. An administrator unlocks someone
sooner with `manage.py axes_reset_username <username>` (README, "Accounts").
"""

import ipaddress

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.views.account import get_user_login_form, password_reset_enabled


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The address a sign-in attempt came from (AXES_CLIENT_IP_CALLABLE).

    Behind `DISCSITE_TRUSTED_PROXY_COUNT` proxies (the HTTPS proxy of docs/deploy.md is one), each
    of which appends the address it saw to X-Forwarded-For, the client is the entry that many
    places from the end: what the outermost trusted proxy saw. Entries further left were written
    by the client and are ignored. Anything that is not an IP address falls back to REMOTE_ADDR,
    so a forged header can neither crash the login nor spread one person's failures to others.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "DISCSITE_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count and (address := _valid_ip(forwarded[-count])):
            return address
    return _valid_ip(remote) or remote


def lockout_response(request, original_response=None, credentials=None):
    """Wagtail's sign-in page with the reason sign-in is refused (AXES_LOCKOUT_CALLABLE), status 429."""
    cool_off = get_cool_off(request)
    context = {
        "form": get_user_login_form()(request),
        "show_password_reset": password_reset_enabled(),
        "next": _safe_next(request),
        "locked_username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    # render(), not a TemplateResponse: this response replaces the view's in AxesMiddleware, after
    # the point where Django renders template responses.
    return render(request, "discsite/account_locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _safe_next(request):
    """Where the sign-in form should go afterwards, if it is a page of this site (as Django's LoginView checks)."""
    value = request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""
