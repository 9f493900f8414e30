"""Every answer under ``/api/`` is JSON, and a query parameter counts once.

:class:`ApiErrorsMiddleware`:

* answers 400 (JSON) when a query parameter is given more than once under ``/api/``: every API parameter takes
  one value, and Django would silently read the last one (``?period=2026&period=2025``);
* turns any error answer under ``/api/`` that is not JSON (Django's own 400 for a malformed request, 413, a 500
  or 503 page …) into ``{"detail": ...}`` with the same status and headers (``Allow``, ``Retry-After``,
  ``WWW-Authenticate``), so outside systems never have to parse an HTML page. The views' own errors are JSON
  already (``core.api``).
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")
UTF8 = {"ensure_ascii": False}  # as the REST framework writes its JSON


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.META.get("QUERY_STRING"):
            repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
            if repeated:
                return JsonResponse(
                    {"detail": _("Give each query parameter once: %(names)s.") % {"names": ", ".join(repeated)}},
                    status=400,
                    json_dumps_params=UTF8,
                )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            response = self._as_json(response)
        return response

    @staticmethod
    def _as_json(response):
        answer = JsonResponse({"detail": response.reason_phrase}, status=response.status_code, json_dumps_params=UTF8)
        for header in KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
