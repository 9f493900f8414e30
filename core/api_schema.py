"""The API schema documents every answer: :class:`AutoSchema` adds the refusals each operation can give.

Kept apart from ``core.api`` (which the REST framework settings import while ``rest_framework.generics`` loads:
drf-spectacular's AutoSchema imports ``rest_framework.generics``).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse

from core.api import ID_MAX, ErrorResponseSerializer, ValidationErrorResponseSerializer


class ValidationErrorResponseExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorResponseSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": _(
                "A list of messages per field (non_field_errors for the request as a whole), or one message under "
                "detail."
            ),
            "additionalProperties": {},
        }


BAD_REQUEST = OpenApiResponse(
    ValidationErrorResponseSerializer,
    description=gettext_lazy(
        "Invalid input: the reasons per field. Also the answer to a full ID or mobile number anywhere in the query "
        "string (send it in a POST body), to a NUL byte, and to a query parameter given twice."
    ),
)
UNAUTHENTICATED = OpenApiResponse(
    ErrorResponseSerializer, description=gettext_lazy("No token, or an invalid or expired one.")
)
FORBIDDEN = OpenApiResponse(ErrorResponseSerializer, description=gettext_lazy("The caller's role may not do this."))
NOT_FOUND = OpenApiResponse(
    ErrorResponseSerializer,
    description=gettext_lazy(
        "Not found: no such record in the caller's scope (the same answer whether it exists elsewhere or not), or "
        "a page past the end."
    ),
)
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    ErrorResponseSerializer,
    description=gettext_lazy("The request body is not in a media type this operation reads (send JSON)."),
)


ERROR_BODIES = {"400": ValidationErrorResponseSerializer}

# A period as core.periods.parse_period reads it: YYYY, YYYY-MM or YYYY-Qn, a year from 2000 to 2100.
PERIOD_PATTERN = r"^\s*(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4])?\s*$"
# The same as a filter, where empty means "no filter".
PERIOD_FILTER_PATTERN = r"^\s*((20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4])?)?\s*$"
# An id in a query parameter (core.api.FilterBackend refuses anything else).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
# A code (unit, village …): anything but blank.
CODE_PATTERN = r"\S"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the refusals each operation can answer where the view does not say them.

    400 (invalid input, or a full number in the query string), 401 (no valid token) and 403 (role) for every
    operation; 404 for an operation on one record (a path parameter), a paginated list (a page past the end) and
    every POST (the records it names are looked up in the caller's scope); 415 for every operation with a body.
    A view documents more (409) or a more precise description with ``@extend_schema(responses=...)``.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        defaults = {"400": BAD_REQUEST, "401": UNAUTHENTICATED, "403": FORBIDDEN}
        if self._may_answer_not_found():
            defaults["404"] = NOT_FOUND
        if self.method in ("POST", "PUT", "PATCH"):
            defaults["415"] = UNSUPPORTED_MEDIA_TYPE
        for code, response in defaults.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                # A view documented the code with a description only: the body is the shared one.
                body = ERROR_BODIES.get(code, ErrorResponseSerializer)
                response["content"] = self._get_response_for_code(body, code, direction=direction)["content"]
        return responses

    def _may_answer_not_found(self) -> bool:
        return bool(
            re.search(r"{\w+}", self.path)
            or self.method == "POST"
            or (self._is_list_view() and self._get_paginator() is not None)
        )
