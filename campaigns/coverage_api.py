"""``GET /api/v1/coverage/?unit=CODE``: door-knocking coverage of a town, village or grid, as of now.

Token auth; the unit must be in the caller's scope (404 otherwise, exactly like an unknown code); 400
without ``unit`` or for a unit that is not a town, village or grid; 403 without the ``campaigns.view``
capability. The figures are defined in ``campaigns/coverage.py``.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import CODE_PATTERN
from organization.access import can, units_visible_to

from .coverage import COVERAGE_KINDS, coverage_for


class CanViewOutreach(permissions.BasePermission):
    message = _("You do not have permission to see the door-knocking outreach.")

    def has_permission(self, request, view):
        return can(request.user, "campaigns.view")


CoverageSerializer = inline_serializer(
    name="Coverage",
    fields={
        "unit": serializers.CharField(help_text=_("Unit code.")),
        "name": serializers.CharField(help_text=_("Unit name.")),
        "kind": serializers.CharField(help_text=_("town, village or grid.")),
        "as_of": serializers.DateTimeField(help_text=_("When the figures were computed.")),
        "households": serializers.IntegerField(help_text=_("Registered households of the unit.")),
        "households_visited": serializers.IntegerField(
            help_text=_("Households with at least one visit that found someone at home (counted once).")
        ),
        "residents": serializers.IntegerField(help_text=_("Registered residents living in these households.")),
        "residents_pledged": serializers.IntegerField(help_text=_("Those residents with a signed pledge.")),
        "app_installs": serializers.IntegerField(
            help_text=_("Households where the National Anti-Fraud Center app was installed during a visit.")
        ),
        "visits_this_week": serializers.IntegerField(
            help_text=_("Visits recorded since Monday 00:00 Beijing time, at home or not.")
        ),
        "coverage_rate": serializers.FloatField(help_text=_("households_visited / households, 0 when none.")),
    },
)


class CoverageView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanViewOutreach]

    @extend_schema(
        operation_id="coverage_retrieve",
        summary=_("Door-knocking coverage of a unit"),
        description=_(
            "Households visited, residents with signed pledges and app installs of a town, village or grid in "
            "the caller's scope, as of now. A grid counts the households assigned to it, a village all its "
            "households, a town the sum of its villages."
        ),
        parameters=[
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                pattern=CODE_PATTERN,
                description=_("Code of a town, village or grid."),
            )
        ],
        responses={
            200: CoverageSerializer,
            400: OpenApiResponse(description=_("No unit given, or the unit is not a town, village or grid.")),
            403: OpenApiResponse(description=_("No access to the outreach.")),
            404: OpenApiResponse(description=_("Unknown unit, or outside the caller's scope.")),
        },
    )
    def get(self, request):
        code = request.query_params.get("unit", "").strip()
        if not code:
            raise exceptions.ValidationError({"unit": [_("Give the code of a town, village or grid.")]})
        unit = units_visible_to(request.user).filter(code=code).first()
        if unit is None:
            raise exceptions.NotFound
        if unit.kind not in COVERAGE_KINDS:
            raise exceptions.ValidationError({"unit": [_("Coverage is counted for a town, village or grid only.")]})
        as_of = timezone.now()
        figures = coverage_for(unit)  # now, from the counters
        return Response(
            {
                "unit": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "as_of": serializers.DateTimeField().to_representation(as_of),
                **figures.as_dict(),
                "coverage_rate": round(figures.coverage_rate, 4),
            }
        )
