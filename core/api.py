"""Shared REST framework pieces: pagination, JSON errors with a message per field, and a schema that documents them.

Every answer under ``/api/`` is JSON, errors included: DRF's exceptions through :func:`exception_handler`, a
path that matches nothing through :func:`api_not_found` (the last route under ``/api/``), a method a viewset does
not route through :func:`refuse_unsupported_method` (405 with ``Allow``, before any scope check could answer
404). :class:`core.api_schema.AutoSchema` documents the refusals every operation can give (400, 401, 403, 404)
with the shared bodies :class:`ErrorResponseSerializer` and :class:`ValidationErrorResponseSerializer`, so that
the schema at ``/api/schema/`` lists every status code the API answers (``tests/security/test_api_schema.py``
checks it).
"""

import re

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .workflow import TransitionNotAllowed

_POSITIVE_INT_RE = re.compile(r"\A[1-9][0-9]*\Z")
# The largest id a number filter takes (PostgreSQL's integer).
ID_MAX = 2_147_483_647


def _is_id(value: str) -> bool:
    return bool(_POSITIVE_INT_RE.match(value)) and len(value) <= 10 and int(value) <= ID_MAX


class Pagination(PageNumberPagination):
    """``page`` (from 1, or ``last``) and ``page_size`` (1 to 500; larger asks up to ``ID_MAX`` get 500).

    A page that does not exist, or a ``page`` that is not a number, answers 404 (as before); a ``page_size`` that
    is not a whole number from 1 to ``ID_MAX`` answers 400 instead of being ignored silently. Both stop at
    ``ID_MAX`` in the schema (a longer number could read as a mobile number, which no URL may hold).
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    _known_count: int | None = None

    def paginate_queryset(self, queryset, request, view=None):
        """A view may know its list's exact size without counting the rows (from counters kept by the writes):
        its ``list_count(request)`` answers it, or None to have the rows counted."""
        counter = getattr(view, "list_count", None)
        self._known_count = counter(request) if counter is not None else None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        paginator = DjangoPaginator(object_list, per_page)
        if self._known_count is not None:
            paginator.count = self._known_count  # a cached_property: set, it is never queried
        return paginator

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not _is_id(value):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Enter a whole number from 1 to %(max)s.") % {"max": ID_MAX}]}
            )
        return min(int(value), self.max_page_size)

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param)
        if number is None:
            return 1
        if number in self.last_page_strings or _POSITIVE_INT_RE.match(number):
            return number
        raise exceptions.NotFound(_("Invalid page."))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=ID_MAX)
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = _(
                    "Number of results per page: %(default)s unless given; at most %(max)s."
                ) % {
                    "default": self.page_size,
                    "max": self.max_page_size,
                }
            else:
                parameter["description"] = _(
                    "A page number from 1 (“last” for the last page); a page past the end answers 404."
                )
        return parameters


TYPED_FILTERS = (
    django_filters.BooleanFilter,
    django_filters.ChoiceFilter,
    django_filters.DateFilter,
    django_filters.DateTimeFilter,
    django_filters.NumberFilter,
)


class FilterBackend(DjangoFilterBackend):
    """django-filter, as strict as the schema: a typed filter (true/false, a date, a number, a choice) given empty
    or with a value outside its type answers 400 instead of being ignored silently.

    django-filter reads ``overdue=maybe`` or ``held_to=`` as "no filter" (right for the HTML forms that share the
    filtersets); an outside system would then get the whole list while it asked for a part.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, field in filterset.filters.items():
                value = request.query_params.get(name)
                if value is None or not isinstance(field, TYPED_FILTERS):
                    continue  # text filters (codes, q, id_number) take any text; empty is no filter
                if value == "":
                    errors[name] = [_("Give a value, or leave the parameter out.")]
                elif isinstance(field, django_filters.BooleanFilter) and value not in ("true", "false"):
                    errors[name] = [_("Enter true or false.")]
                elif isinstance(field, django_filters.NumberFilter) and not _is_id(value):
                    # The API's number filters are ids (household=…): a whole number, as the schema says.
                    errors[name] = [_("Enter a whole number from 1 to %(max)s.") % {"max": ID_MAX}]
            if errors:
                raise exceptions.ValidationError(errors)
        return filterset


class Conflict(exceptions.APIException):
    """A workflow step the record's state does not allow (:class:`core.workflow.TransitionNotAllowed`)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The current state does not allow this.")
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, plus the services' refusals, and 404s in one shape.

    A service's refusal answers the same wherever it is raised: wrong role (Django's ``PermissionDenied``) 403
    with its message, wrong state (``TransitionNotAllowed``) 409 with its message, bad input (Django's
    ``ValidationError``) 400 with a message per field (``non_field_errors`` for the rest).
    """
    if isinstance(exc, TransitionNotAllowed):
        exc = Conflict(exc.message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)


def refuse_unsupported_method(request, view) -> None:
    """A method the viewset does not route (TRACE, PUT, DELETE, …) answers 405 with ``Allow``.

    Call it first in a permission class that answers 404 for "no access": otherwise the 404 would come before
    DRF's own 405. OPTIONS keeps DRF's handling.
    """
    if getattr(view, "action", "") is None and request.method != "OPTIONS":
        raise exceptions.MethodNotAllowed(request.method)


class NotFoundView(APIView):
    """The last route under ``/api/``: a JSON 404 for any method, never the HTML page.

    Like every API view it asks for a token first (401 without one: an anonymous caller learns nothing about
    which paths exist). A path that exists with a trailing slash is redirected there first, as ``APPEND_SLASH``
    does elsewhere (this route matches every path, so CommonMiddleware's own redirect cannot tell).
    """

    def dispatch(self, request, *args, **kwargs):
        path = request.path_info
        if settings.APPEND_SLASH and not path.endswith("/"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not NotFoundView:
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound

    options = http_method_not_allowed


# --- error bodies (documented by core.api_schema) ------------------------------------------------------------


class ErrorResponseSerializer(serializers.Serializer):
    """The body of a 401, 403, 404, 405 or 409 answer: one message."""

    detail = serializers.CharField(read_only=True)


class ValidationErrorResponseSerializer(serializers.Serializer):
    """The body of a 400 answer: a list of messages per field (``non_field_errors`` for the request as a whole),
    or one message under ``detail``."""
