"""``GET /api/v1/typical-cases/?fraud_type=CODE``: the published typical cases (典型案例) the caller may read.

Token auth; ``fraud_cases.view_typical`` (403 without it). Drafts and retired cases never appear. ``fraud_type``
narrows to one type (400 for an unknown code). Fields: ``id``, ``title``, ``fraud_type``, ``story``,
``warning_signs`` (list), ``script`` (list), ``published_on``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, viewsets

from core.api import refuse_unsupported_method
from organization.access import can
from warnings_followup.models import FraudType

from . import selectors
from .models import TypicalCase


class TypicalCaseSerializer(serializers.ModelSerializer):
    warning_signs = serializers.ListField(child=serializers.CharField(), help_text=_("The warning signs."))
    script = serializers.ListField(
        child=serializers.CharField(), help_text=_("The dissuasion script: 3 to 6 short talking points.")
    )

    class Meta:
        model = TypicalCase
        fields = ["id", "title", "fraud_type", "story", "warning_signs", "script", "published_on"]


class CanReadTypicalCases(permissions.BasePermission):
    message = _("You do not have permission to read typical cases.")

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        return can(request.user, "fraud_cases.view_typical")


@extend_schema_view(
    list=extend_schema(
        summary=_("Published typical cases"),
        description=_(
            "The published typical cases (anonymised) of the caller's town, by fraud type then newest first, with "
            "their warning signs and dissuasion script."
        ),
        parameters=[
            OpenApiParameter(
                "fraud_type",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(FraudType.values),
                description=_("Only this fraud type."),
            )
        ],
        responses={
            200: TypicalCaseSerializer(many=True),
            400: OpenApiResponse(description=_("Unknown fraud type.")),
            403: OpenApiResponse(description=_("No access to typical cases.")),
        },
    )
)
class TypicalCaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TypicalCaseSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadTypicalCases]
    filter_backends: list = []

    def get_queryset(self):
        fraud_type = self.request.query_params.get("fraud_type")
        if fraud_type is not None and fraud_type not in FraudType.values:
            raise exceptions.ValidationError({"fraud_type": [_("Unknown fraud type.")]})
        queryset = selectors.typical_cases_for_user(user=self.request.user).filter(status="published")
        if fraud_type is not None:
            queryset = queryset.filter(fraud_type=fraud_type)
        return queryset
