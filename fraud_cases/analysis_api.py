"""``GET /api/v1/case-analysis/?period=P&by=D``: cases and losses of a period, one row per fraud type, victim age
group, victim sex, village or month, beside the same period a year earlier.

Token auth; ``fraud_cases.analysis`` (403 without it); the caller's scope (a village head: their village). ``period``:
``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` (default: the last complete month). ``by``: ``fraud_type`` (default),
``age_group``, ``sex``, ``village`` or ``month``. A bad ``period`` or ``by`` answers 400 with a translated message.
Row fields: ``key``, ``label``, ``cases``, ``loss``, ``cases_prev``, ``loss_prev``, ``cases_change``,
``loss_change`` (relative change, ``null`` when the year before is 0). The arithmetic: ``fraud_cases/analysis.py``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import PERIOD_FILTER_PATTERN
from core.periods import BadPeriod, parse_period
from organization.access import can

from . import analysis

RowSerializer = inline_serializer(
    name="CaseAnalysisRow",
    fields={
        "key": serializers.CharField(
            help_text=gettext_lazy("The row's code (fraud type, age group, sex, village id, YYYY-MM).")
        ),
        "label": serializers.CharField(help_text=gettext_lazy("The row's name, translated.")),
        "cases": serializers.IntegerField(help_text=gettext_lazy("Cases reported in the period.")),
        "loss": serializers.DecimalField(
            max_digits=16, decimal_places=2, help_text=gettext_lazy("Their loss in yuan.")
        ),
        "cases_prev": serializers.IntegerField(help_text=gettext_lazy("Cases in the same period a year earlier.")),
        "loss_prev": serializers.DecimalField(
            max_digits=16, decimal_places=2, help_text=gettext_lazy("Their loss in yuan.")
        ),
        "cases_change": serializers.FloatField(
            allow_null=True, help_text=gettext_lazy("(cases − cases_prev) / cases_prev; null when cases_prev is 0.")
        ),
        "loss_change": serializers.FloatField(
            allow_null=True, help_text=gettext_lazy("(loss − loss_prev) / loss_prev; null when loss_prev is 0.")
        ),
    },
)
AnalysisSerializer = inline_serializer(
    name="CaseAnalysis",
    fields={
        "period": serializers.CharField(help_text=gettext_lazy("The period analysed.")),
        "previous_period": serializers.CharField(help_text=gettext_lazy("The same period a year earlier.")),
        "by": serializers.CharField(help_text=gettext_lazy("The rows' dimension.")),
        "rows": serializers.ListField(child=RowSerializer),
    },
)


class CanAnalyseCases(permissions.BasePermission):
    message = gettext_lazy("You do not have permission to see the case analysis.")

    def has_permission(self, request, view):
        return can(request.user, "fraud_cases.analysis")


class CaseAnalysisView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanAnalyseCases]

    @extend_schema(
        operation_id="case_analysis_retrieve",
        summary=gettext_lazy("Case analysis of a period"),
        description=gettext_lazy(
            "Cases and losses of the period in the caller's scope, one row per value of `by` (every fraud type, "
            "age group, sex, village of the scope or month of the period, zeros included), each beside the same "
            "period a year earlier and the relative change."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                pattern=PERIOD_FILTER_PATTERN,
                description=gettext_lazy("2026-03, 2026-Q1 or 2026 (Asia/Shanghai); default: the last complete month."),
            ),
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(analysis.API_DIMENSIONS),
                description=gettext_lazy("The rows: fraud_type (default), age_group, sex, village or month."),
            ),
        ],
        responses={
            200: AnalysisSerializer,
            400: OpenApiResponse(description=gettext_lazy("A period or a dimension that does not exist.")),
            403: OpenApiResponse(description=gettext_lazy("No access to the case analysis.")),
        },
    )
    def get(self, request):
        value = request.query_params.get("period")
        by = request.query_params.get("by", "fraud_type")
        if by not in analysis.API_DIMENSIONS:
            raise exceptions.ValidationError(
                {"by": [_("Choose by: %(choices)s.") % {"choices": ", ".join(analysis.API_DIMENSIONS)}]}
            )
        if not (value or "").strip():
            period = analysis.default_period()
        else:
            try:
                period = parse_period(value)
            except BadPeriod as error:
                raise exceptions.ValidationError({"period": [str(error)]}) from error
        rows = analysis.analysis_rows(user=request.user, period=period, by=by)
        return Response(
            {
                "period": period.key,
                "previous_period": analysis.year_earlier(period).key,
                "by": by,
                "rows": [row.as_dict() for row in rows],
            }
        )
