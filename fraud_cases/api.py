"""The fraud case API for the 110 dispatch system and the investigation platform.

``POST /api/v1/fraud-cases/`` registers a case (201; 200 with the same case when the case number was
registered before, and nothing is created). ``GET /api/v1/fraud-cases/`` and ``/api/v1/fraud-cases/{id}/``
read them, scoped to the caller and masked. Registering needs ``fraud_cases.register`` (403), reading
``fraud_cases.view``: a list answers 403 without it, one case 404. A case outside the caller's scope answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response

from audit.models import AccessAction
from audit.services import access_log_record
from core.api import refuse_unsupported_method
from core.api_schema import PERIOD_FILTER_PATTERN
from organization.access import can
from warnings_followup.serializers import WarningErrorSerializer

from . import selectors, services
from .filters import FraudCaseFilter
from .serializers import FraudCaseRegisterSerializer, FraudCaseSerializer


class FraudCasePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        user = request.user
        if view.action == "create":
            self.message = _("Only police staff may register fraud cases.")
            return can(user, "fraud_cases.register")
        if can(user, "fraud_cases.view"):
            return True
        if view.action == "list":
            self.message = _("You do not have permission to see fraud cases.")
            return False
        raise exceptions.NotFound


BAD_INPUT = OpenApiResponse(description=_("Invalid input: a list of messages per field."))


@extend_schema_view(
    list=extend_schema(
        summary=_("List fraud cases"),
        description=_(
            "The fraud cases in the caller's scope, newest report first. Filters: village (code), fraud_type, "
            "source, period (2026-03, 2026-Q1 or 2026), defrauded_after_warning, q (case number)."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                pattern=PERIOD_FILTER_PATTERN,
                description=_("Period (2026-03, 2026-Q1 or 2026), in Asia/Shanghai time; empty: no filter."),
            )
        ],
        responses={200: FraudCaseSerializer(many=True), 403: OpenApiResponse(WarningErrorSerializer)},
    ),
    retrieve=extend_schema(
        summary=_("One fraud case"),
        description=_("The case, its victim (masked) and the warning pushed before the fraud, if any."),
        responses={200: FraudCaseSerializer, 404: OpenApiResponse(WarningErrorSerializer)},
    ),
    create=extend_schema(
        summary=_("Register a fraud case"),
        description=_(
            "Police register a case from the 110 dispatch system or the investigation platform. 201 with the new "
            "case; posting the same case_number again answers 200 with the existing case and creates nothing. "
            "The victim is linked to the resident registry by ID number (registered if absent). When the victim "
            "had a warning pushed before the report, the case is linked to it (defrauded after warning) and a "
            "warning still being followed up moves to defrauded."
        ),
        request=FraudCaseRegisterSerializer,
        responses={
            201: FraudCaseSerializer,
            200: FraudCaseSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(WarningErrorSerializer, description=_("Not police staff.")),
        },
    ),
)
class FraudCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fraud cases in the caller's scope."""

    serializer_class = FraudCaseSerializer
    filterset_class = FraudCaseFilter
    permission_classes = [permissions.IsAuthenticated, FraudCasePermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.cases_for_user(user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        access_log_record(request=request, action=AccessAction.VIEW, obj=case)
        return Response(self.get_serializer(case).data)

    def create(self, request, *args, **kwargs):
        serializer = FraudCaseRegisterSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case, created = services.fraud_case_register(actor=request.user, **serializer.validated_data)
        case = self.get_queryset().filter(pk=case.pk).first()
        if case is None:
            # The case number belongs to a case outside the caller's scope: never show it.
            raise exceptions.ValidationError({"case_number": [_("This case number is already in use.")]})
        return Response(
            self.get_serializer(case).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
