"""``GET /api/v1/indicators/?period=YYYY-MM`` (also ``YYYY-Qn`` and ``YYYY``; without ``period``, the last complete
month): one row per village in scope, ranked among every village of the town. The village head and team get one
row, their own village's. ``level=town``: one row per town in scope (its villages' figures summed), ranked among
the towns of the county; a town's leadership gets its own town's row, the county's leadership every town's."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import PERIOD_PATTERN
from core.periods import BadPeriod, parse_period
from organization.access import can

from . import indicators
from .serializers import IndicatorErrorSerializer, IndicatorRowSerializer

LEVELS = ("village", "town")


class IndicatorView(APIView):
    @extend_schema(
        operation_id="indicators_list",
        summary=_("Indicators and rank of every village in a period"),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                required=False,
                pattern=PERIOD_PATTERN,
                description=_(
                    "YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year), in Asia/Shanghai time; without it, the last "
                    "complete month."
                ),
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                required=False,
                enum=list(LEVELS),
                description=_("village (the default): a row per village; town: a row per town, ranked in the county."),
            ),
        ],
        responses={
            200: IndicatorRowSerializer(many=True),
            400: OpenApiResponse(IndicatorErrorSerializer, description=_("Bad period.")),
            403: OpenApiResponse(IndicatorErrorSerializer, description=_("Your role may not read indicators.")),
        },
    )
    def get(self, request):
        if not (can(request.user, "assessment.indicators") or can(request.user, "assessment.standing")):
            raise exceptions.PermissionDenied(_("Your role may not read indicators."))
        if "period" not in request.query_params:
            period = indicators.default_period()
        else:
            try:
                period = parse_period(request.query_params["period"])
            except BadPeriod as error:
                return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        level = request.query_params.get("level", "village")
        if level not in LEVELS:
            return Response({"detail": _("Unknown level: village or town.")}, status=status.HTTP_400_BAD_REQUEST)
        if level == "town":
            if not can(request.user, "assessment.indicators"):
                raise exceptions.PermissionDenied(_("Your role may not compare towns."))
            report = indicators.town_report(user=request.user, period=period)
        else:
            report = indicators.indicator_report(user=request.user, period=period)
        return Response(IndicatorRowSerializer(report.rows, many=True).data)
