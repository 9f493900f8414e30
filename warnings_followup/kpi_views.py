"""The KPI page of the warning workflow: tables, and ECharts charts of the same numbers.

Charts are drawn by ``static/js/kpi.js`` from a ``json_script`` block (data, not code: the Content
Security Policy forbids inline scripts). The figures and their definitions live in ``kpis.py``.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import live
from core.rules import rule
from organization.access import require, sees_everything_in_town

from . import kpis
from .models import WarningStatus

PERIODS = {
    "": gettext_lazy("All time"),
    "30": gettext_lazy("Pushed in the last 30 days"),
    "90": gettext_lazy("Pushed in the last 90 days"),
    "365": gettext_lazy("Pushed in the last 365 days"),
}


def format_duration(seconds: float | None) -> str:
    """A short, readable length of time: "45 min", "3 h 20 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    total_minutes = max(0, round(seconds / 60))
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and hours:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if days:
        return _("%(days)d d") % {"days": days}
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _display(row: kpis.KpiRow) -> dict:
    return {
        "row": row,
        "statuses": [row.by_status[status] for status in kpis.NOT_CLOSED_STATUSES],
        "acknowledge_median": format_duration(row.acknowledge.median),
        "acknowledge_p90": format_duration(row.acknowledge.p90),
        "first_dissuasion_median": format_duration(row.first_dissuasion.median),
        "first_dissuasion_p90": format_duration(row.first_dissuasion.p90),
        "team_contact_median": format_duration(row.team_contact.median),
        "team_contact_p90": format_duration(row.team_contact.p90),
        "acknowledged_in_time_rate": format_rate(row.acknowledged_in_time_rate),
        "dissuaded_in_time_rate": format_rate(row.dissuaded_in_time_rate),
        "on_time_rate": format_rate(row.on_time_rate),
        "dissuasion_rate": format_rate(row.dissuasion_rate),
    }


def _chart_data(report: kpis.KpiReport) -> dict:
    rows = report.villages
    return {
        "villages": [row.village.name for row in rows],
        "open_by_status": [
            {
                "code": status,
                "label": str(WarningStatus(status).label),
                "values": [row.by_status[status] for row in rows],
            }
            for status in kpis.NOT_CLOSED_STATUSES
        ],
        "durations": [
            {"label": _("Acknowledged: median"), "values": [_hours(row.acknowledge.median) for row in rows]},
            {"label": _("Acknowledged: 90th percentile"), "values": [_hours(row.acknowledge.p90) for row in rows]},
            {
                "label": _("Police first dissuasion: median"),
                "values": [_hours(row.first_dissuasion.median) for row in rows],
            },
            {
                "label": _("Police first dissuasion: 90th percentile"),
                "values": [_hours(row.first_dissuasion.p90) for row in rows],
            },
            {
                "label": _("Team's first in-person contact: median"),
                "values": [_hours(row.team_contact.median) for row in rows],
            },
        ],
        "on_time_rate": [_percent(row.on_time_rate) for row in rows],
        "dissuasion_rate": [_percent(row.dissuasion_rate) for row in rows],
        "labels": {
            "open": _("Cases not yet closed"),
            "durations": _("Hours from the push"),
            "hours": _("h"),
            "rates": _("Rates (%)"),
            "on_time_rate": _("On-time visit rate"),
            "dissuasion_rate": _("Dissuasion rate"),
        },
    }


@login_required
def kpi(request):
    """The warning KPIs of the villages in the user's scope: the town for leadership and police, one's own
    village for its head and its team."""
    require(request.user, "warnings.kpi")
    today = timezone.localdate()
    period = request.GET.get("period", "")
    if period not in PERIODS:
        period = ""
    since = today - datetime.timedelta(days=int(period)) if period else None
    # Cached until a warning or a visit is written (or for a few minutes): the whole town's visits are read.
    report = live.live(
        "warning-kpis",
        user=request.user,
        parts=[period],
        compute=lambda: kpis.kpi_report(user=request.user, today=today, since=since),
        today=today,
    )
    return render(
        request,
        "warnings_followup/kpi.html",
        {
            "report": report,
            "rows": [_display(row) for row in report.villages],
            "total": _display(report.total),
            "status_labels": [WarningStatus(status).label for status in kpis.NOT_CLOSED_STATUSES],
            "kpi_data": _chart_data(report),
            "periods": PERIODS,
            "period": period,
            "town_wide": sees_everything_in_town(request.user),
            "rules": {
                name: rule(name) for name in ("ACK_REMINDER_HOURS", "FIRST_DISSUASION_HOURS", "VISIT_INTERVAL_DAYS")
            },
        },
    )
