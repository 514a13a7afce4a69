"""Sign-in throttling for the Wagtail admin (django-axes), and limits on password-reset mail.

Sign-in (settings/base.py, "Sign-in throttling"):
- after `AXES_FAILURE_LIMIT` wrong passwords in a row for one username from one address, that
  username cannot sign in from that address for `AXES_COOLOFF_TIME`, even with the right
  password; one successful sign-in clears the count (django-axes itself);
- after `DISCSITE_SIGNIN_ADDRESS_FAILURE_LIMIT` wrong passwords from one address, whatever the
  usernames, nobody can sign in from that address for `AXES_COOLOFF_TIME` either
  (`AddressLimitedAxesHandler` below): one address trying one password against every
  account is stopped after that many guesses in all, not 5 per account.
An administrator unlocks sooner with `manage.py axes_reset_username <username>` or
`manage.py axes_reset_ip <address>`.

Password-reset mail (`ThrottledPasswordResetForm`): at most `DISCSITE_PASSWORD_RESET_PER_ADDRESS`
requests per `DISCSITE_PASSWORD_RESET_WINDOW` from one address and
`DISCSITE_PASSWORD_RESET_PER_EMAIL` for one e-mail address; beyond that no mail is sent.
"""

import ipaddress
import logging

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.forms.auth import PasswordResetForm
from wagtail.admin.views.account import get_user_login_form, password_reset_enabled

from discsite.core.caching import digest

logger = logging.getLogger(__name__)


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


class AddressLimitedAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a limit on the failures from one address (AXES_HANDLER).

    Written here because django-axes 8 has one AXES_FAILURE_LIMIT for all its lockout
    parameters: adding "ip_address" to AXES_LOCKOUT_PARAMETERS would lock a whole address after
    5 failures in all, far too tight for an office whose staff share one address. So the
    username+address pair keeps axes' own limit, and this handler adds a wider one per address,
    counted from the same AccessAttempt rows (the database, shared by every process) over the
    same AXES_COOLOFF_TIME; `axes_reset_ip` clears it. A successful sign-in clears only that
    username's failures (AXES_RESET_ON_SUCCESS with the pair), so an attacker with an account of
    their own cannot wipe the address's count by signing in.
    """

    def address_failures(self, request):
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_address_locked(self, request):
        limit = getattr(settings, "DISCSITE_SIGNIN_ADDRESS_FAILURE_LIMIT", None)
        locked = bool(limit) and settings.AXES_LOCK_OUT_AT_FAILURE and self.address_failures(request) >= limit
        if locked:
            request.discsite_address_locked = True  # for lockout_response's wording
        return locked

    def is_locked(self, request, credentials=None):
        """Before any password is checked (AxesStandaloneBackend): the pair's limit, then the address's."""
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """After a failure is recorded: the failure that reaches the address's limit gets the lockout page too."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is None
            or getattr(request, "axes_locked_out", False)
            or self.is_whitelisted(request, credentials)
            or not self.is_address_locked(request)
        ):
            return
        logger.warning("Sign-in locked for an address after repeated failures across usernames.")
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def lockout_response(request, original_response=None, credentials=None):
    """Wagtail's sign-in page with the reason sign-in is refused (AXES_LOCKOUT_CALLABLE), status 429."""
    cool_off = get_cool_off(request)
    by_address = getattr(request, "discsite_address_locked", False)
    context = {
        "form": get_user_login_form()(request),
        "show_password_reset": password_reset_enabled(),
        "next": _safe_next(request),
        # Locked by address: no username in the message ("Signing in from this address is blocked").
        "locked_username": "" if by_address else get_client_username(request, credentials) or "",
        "failure_limit": (
            settings.DISCSITE_SIGNIN_ADDRESS_FAILURE_LIMIT if by_address else get_failure_limit(request, credentials)
        ),
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


# ---------------------------------------------------------------- password-reset mail


class ThrottledPasswordResetForm(PasswordResetForm):
    """Wagtail's password-reset form that sends no mail beyond the limits (WAGTAILADMIN_USER_PASSWORD_RESET_FORM).

    Beyond a limit the view still answers as always, with the redirect to "Check your email ...
    if an account exists for this address": the answer says neither whether an account exists
    nor that a limit was reached, and someone who asked that often has had links already.
    Requests count whether or not an account has that address, so the limit tells nothing either.
    """

    def save(self, *args, request=None, **kwargs):
        if request is not None and not password_reset_allowed(request, self.cleaned_data["email"]):
            return None
        return super().save(*args, request=request, **kwargs)


def password_reset_allowed(request, email):
    """Counts this request against its address and its e-mail address; False once either is over its limit.

    A fixed window per key in Django's cache (Redis when REDIS_URL is set, so shared by every
    process; local memory otherwise, which counts per process). Written by hand because the
    project has no rate-limit library and this needs only `cache.add` and `cache.incr`, which
    keep the key's expiry on both backends the project uses. If the cache cannot be reached the
    request is let through (fails open, logged): an outage of the cache must not stop a real
    reset, and the mail still goes only to the account's own address.
    """
    window = int(settings.DISCSITE_PASSWORD_RESET_WINDOW.total_seconds())
    address = client_ip(request)
    # Hashed: no e-mail address (or IP) in plain text in a shared cache's keys.
    for kind, key, limit in (
        ("address", digest(address), settings.DISCSITE_PASSWORD_RESET_PER_ADDRESS),
        ("email", digest(email.strip().casefold()), settings.DISCSITE_PASSWORD_RESET_PER_EMAIL),
    ):
        count = _count_request(f"discsite:password-reset:{kind}:{key}", window)
        if count is not None and count > limit:
            logger.warning("Password-reset mail refused: over %s requests for one %s in %ss.", limit, kind, window)
            return False
    return True


def _count_request(key, window):
    """This request's number within the window of `key`, or None when the cache cannot be reached."""
    try:
        cache.add(key, 0, timeout=window)  # starts the window; does nothing if it is running
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=window)
            return 1
    except Exception:  # any cache error (e.g. redis.ConnectionError): fail open, as the docstring above says
        logger.warning("Password-reset limit not checked: the cache is unavailable.", exc_info=True)
        return None
