"""A styled 503 page, never a traceback, when the database cannot be reached.

While the database is down or restarting, every request that needs it raises Django's
`OperationalError` (cannot connect, connection lost, server shutting down) or `InterfaceError`
(the connection is already closed). Without help Django would answer 500, "there is a problem
with the service"; a 503 with `Retry-After` tells readers, crawlers and load balancers that it is
temporary, and tells an editor whose save hit the outage that nothing was saved by this request
(the save runs in one transaction, which the database rolls back).

Two ways in, one response:

- `DatabaseUnavailableMiddleware.process_exception` catches the error raised by a view, including
  lazily rendered template responses (Wagtail pages);
- `server_error`, the project's `handler500`, catches it when it escaped from another middleware
  (Django has already turned it into a call of handler500 by then) and otherwise renders 500.html
  as Django's default handler does.

templates/503.html extends templates/error_page.html, as 500.html does: rendered without a request, so no context
processor runs and nothing touches the database or the site settings.
"""

import sys

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response
from django.views.decorators.csrf import requires_csrf_token

DATABASE_ERRORS = (OperationalError, InterfaceError)


def retry_after():
    """Seconds a client should wait before trying again (DISCSITE_RETRY_AFTER, default 30)."""
    return int(getattr(settings, "DISCSITE_RETRY_AFTER", 30))


def database_unavailable_response():
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(retry_after())
    add_never_cache_headers(response)  # no page cache or CDN may keep the outage
    return response


def _summary(error):
    """The error's class and first line: enough to tell refused from reset, with no traceback to scroll."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}".rstrip(": ")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        response = database_unavailable_response()
        # One line on django.request, where every other 5xx is logged (and not a second one by Django).
        log_response(
            "Service Unavailable (database unavailable: %s): %s",
            _summary(exception),
            request.path,
            response=response,
            request=request,
        )
        return response


@requires_csrf_token
def server_error(request):
    """handler500: a 503 if the error being handled is the database's, else Django's usual 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response()  # Django logs it, with the traceback, as it does any 5xx
    return HttpResponseServerError(loader.get_template("500.html").render())
