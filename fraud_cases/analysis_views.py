"""The case analysis page (``/fraud-cases/analysis/``) and its Excel workbook: leadership, police and the governance
centre see the town; a village head sees their village (every figure goes through the user's scope)."""

from __future__ import annotations

import datetime
import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET
from openpyxl.styles import Font

from audit.models import AccessAction
from audit.services import access_log_record
from core import periods
from core.exports import CONTENT_TYPES
from core.periods import BadPeriod, parse_period
from organization.access import require
from residents.resources import escape_formula

from . import analysis


def _period(request):
    """``?period=`` (YYYY-MM, YYYY-Qn or YYYY), or the last complete month; the error of a bad one, if any."""
    value = request.GET.get("period", "").strip()
    if not value:
        return analysis.default_period(), ""
    try:
        return parse_period(value), ""
    except BadPeriod as error:
        return analysis.default_period(), str(error)


def period_choices(today=None) -> list[tuple[str, str]]:
    """The last 12 months, the last 4 quarters and the last 3 years, newest first."""
    today = today or timezone.localdate()
    months = [period.key for period in reversed(periods.last_months(12, today))]
    quarters, day = [], today
    for _index in range(4):
        quarter = periods.containing("quarter", day)
        quarters.append(quarter.key)
        day = quarter.first_day - datetime.timedelta(days=1)
    years = [str(today.year - offset) for offset in range(3)]
    return [(key, key) for key in [*months, *quarters, *years]]


def _percent(value):
    return "" if value is None else round(value * 100, 1)


def headers(result: analysis.Analysis) -> list[str]:
    return [
        "",
        pgettext("fraud cases", "Cases"),
        _("Loss (yuan)"),
        _("Cases %(period)s") % {"period": result.previous.key},
        _("Loss %(period)s (yuan)") % {"period": result.previous.key},
        _("Change in cases (%)"),
        _("Change in loss (%)"),
    ]


def cells(row: analysis.Row) -> list:
    return [
        escape_formula(str(row.label)),
        row.cases,
        float(row.loss),
        row.cases_prev,
        float(row.loss_prev),
        _percent(row.cases_change),
        _percent(row.loss_change),
    ]


@login_required
@require_GET
def case_analysis(request):
    require(request.user, "fraud_cases.analysis")
    period, error = _period(request)
    result = analysis.case_analysis(user=request.user, period=period)
    choices = period_choices()
    if period.key not in dict(choices):
        choices.insert(0, (period.key, period.key))
    chart = {
        "labels": {"cases": pgettext("fraud cases", "Cases"), "previous": result.previous.key, "now": period.key},
        "tables": {by: [row.as_dict() for row in rows] for by, rows in result.tables.items()},
    }
    context = {
        "period": period,
        "period_error": error,
        "period_choices": choices,
        "result": result,
        "tables": [(by, analysis.DIMENSION_LABELS[by], result.tables[by]) for by in analysis.table_dimensions(result)],
        "chart_data": chart,
        "reach_percent": _percent(result.reach.share),
        "reach_prev_percent": _percent(result.reach_prev.share),
    }
    return render(request, "fraud_cases/analysis.html", context)


@login_required
@require_GET
def case_analysis_export(request):
    """Every table of the page, one sheet each (and the totals first), access-logged."""
    require(request.user, "fraud_cases.analysis")
    period, _error = _period(request)
    result = analysis.case_analysis(user=request.user, period=period)
    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title, rows):
        worksheet = workbook.create_sheet(title=title[:31])
        header_cells = []
        for header in headers(result):
            cell = openpyxl.cell.WriteOnlyCell(worksheet, value=str(header))
            cell.font = bold
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in rows:
            worksheet.append(["" if value is None else value for value in cells(row)])

    sheet(_("Total") + f" {period.key}", [result.totals])
    for by in analysis.table_dimensions(result):
        sheet(str(analysis.DIMENSION_LABELS[by]), result.tables[by])
    buffer = io.BytesIO()
    workbook.save(buffer)
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("Case analysis export %(period)s") % {"period": period.key},
        fields=[],
    )
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = (
        f'attachment; filename="case-analysis-{period.key}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
