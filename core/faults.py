"""Faults answer honestly: a bad request is a 400, an unreachable database a 503, never a bare 500.

* :class:`RejectNulMiddleware` answers 400 to a NUL byte (``%00``) in the path or in a query parameter,
  before any view passes it to PostgreSQL (which refuses NUL in text and made those requests 500).
* :func:`server_error` is ``handler500``: when what failed is the database (``OperationalError`` or
  ``InterfaceError``, wherever it was raised: a middleware loading the session or a view) it answers
  503 with ``Retry-After`` and a short page that needs no database; other errors keep the 500 page.
  Under ``/api/`` both answer JSON (``{"detail": …}``), like the API's other errors.
* :func:`on_commit_robust` runs a callback (queueing a Celery task) after the commit without letting a
  broker that is down fail the request: the failure is logged and the periodic sweeps queue the work again.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _has_nul(request) -> bool:
    if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    """400 for a NUL byte in the path or the query string (no page or filter has a use for one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("The address contains a character that is not allowed.")
            if _is_api(request):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(f"<!doctype html><title>400</title><p>{message}</p>")
        return self.get_response(request)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """``handler500``: 503 with ``Retry-After`` when the database is unreachable, else the usual 500."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        if _is_api(request):
            response = JsonResponse({"detail": _("The service is briefly unavailable; please try again.")}, status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse({"detail": _("Something went wrong; please try again later.")}, status=500)
    return default_server_error(request, template_name)


def on_commit_robust(func, *args) -> None:
    """``func(*args)`` after the commit; if it raises (the broker is down) it is logged, never raised.

    Django's own ``on_commit(..., robust=True)`` logs the callback's ``__qualname__``, which a
    ``functools.partial`` lacks: the logging itself raised and the request answered 500.
    """

    def call_after_commit():
        try:
            func(*args)
        except Exception:  # the broker is down: the periodic sweep does the work later
            name = getattr(func, "__qualname__", repr(func))
            logger.warning("%s%r failed after the commit; the periodic sweep retries it", name, args, exc_info=True)

    transaction.on_commit(call_after_commit)
