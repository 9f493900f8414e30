"""The leadership dashboard's figures (and the bulletin's, which are the same), in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import periods
from fraud_cases.meetings import meeting_outcomes
from organization.access import units_visible_to
from organization.models import Unit, UnitKind
from warnings_followup import kpis
from warnings_followup.models import WarningOrder

from . import figures, indicators, selectors
from .models import AccountabilityStatus, Callback, CallbackStatus

TREND_MONTHS = 12


def period_choices(today: datetime.date | None = None, include: periods.Period | None = None) -> list[tuple[str, str]]:
    """This and the last 11 months, this and the last 3 quarters, this and last year (and ``include``)."""
    today = today or timezone.localdate()
    months = [p.key for p in reversed(periods.last_months(12, today))]
    quarter = periods.parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    quarters = []
    for _index in range(4):
        quarters.append(quarter.key)
        quarter = quarter.previous()
    years = [str(today.year), str(today.year - 1)]
    keys = months + quarters + years
    if include is not None and include.key not in keys:
        keys.insert(0, include.key)
    return [(key, key) for key in keys]


def pipeline(*, user, today: datetime.date, token: str | None = None) -> dict:
    """Warnings: open (being followed up), overdue, dissuaded, defrauded after warning — one grouped query over
    every warning in scope, cached until a warning is written (``figures.live``)."""
    return figures.live(
        "dashboard-pipeline",
        [figures.user_scope_key(user)],
        lambda: _pipeline(user=user, today=today),
        today=today,
        token=token,
    )


def _pipeline(*, user, today: datetime.date) -> dict:
    rows = kpis.status_rows(WarningOrder.objects.for_user(user), today)
    total = kpis.KpiRow()
    for row in rows.values():
        total.add_counts(row)
    return {
        "open": total.by_status["pushed"] + total.by_status["following_up"],
        "overdue": total.overdue,
        "dissuaded": total.dissuaded,
        "defrauded": total.defrauded,
        "decided": total.decided,
        "dissuasion_rate": total.dissuasion_rate,
    }


def school_compliance(*, user, today: datetime.date) -> list:
    from education.selectors import compliance_for_schools

    schools = units_visible_to(user).filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
    return compliance_for_schools(schools, today=today)


def department_rows(*, user, period: periods.Period) -> list:
    """Required publicity activities done per department, school and police station (the publicity app): cached
    (``figures.live``) until a record of publicity (activity), of the schools' education or a unit is written."""
    today = timezone.localdate()
    return figures.live(
        "department-rows",
        [figures.user_scope_key(user), period.key, translation.get_language() or ""],  # the categories' labels
        lambda: _department_rows(user=user, period=period, today=today),
        today=today,
        also=(figures.ACTIVITY_VERSION, figures.EDUCATION_VERSION, figures.OVERSIGHT_VERSION),
    )


def _department_rows(*, user, period: periods.Period, today: datetime.date) -> list:
    from publicity.selectors import department_activity_summary

    units = units_visible_to(user).filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION], is_active=True
    )
    return department_activity_summary(period.first_day, min(period.last_day, today), units=units)


def _chart_data(report: indicators.IndicatorReport, trend: list[dict]) -> dict:
    ranked = sorted((r for r in report.rows if r.score is not None), key=lambda r: r.rank)
    return {
        "months": [row["month"] for row in trend],
        "cases": [row["cases"] for row in trend],
        "loss": [row["loss"] for row in trend],
        "villages": [row.unit.name for row in ranked],
        "scores": [float(row.score) for row in ranked],
        "bands": [row.band for row in ranked],
        "labels": {
            "cases": pgettext("fraud cases", "Cases"),
            "loss": _("Loss (¥)"),
            "score": _("Score"),
        },
    }


def oversight(*, user, today: datetime.date, token: str | None = None) -> dict:
    """Accountability items, overdue rectifications, callbacks and the summons suggestions: cached until a record
    of the assessment app, a unit, a case or a warning is written (``figures.live`` with the oversight version)."""
    return figures.live(
        "dashboard-oversight",
        [figures.user_scope_key(user)],
        lambda: _oversight(user=user, today=today),
        today=today,
        token=token,
        also=(figures.OVERSIGHT_VERSION,),
    )


def _oversight(*, user, today: datetime.date) -> dict:
    items = selectors.accountability_for(user)
    return {
        "open_items": list(items.open().order_by("rectification_deadline", "-created_at")[:10]),
        "item_counts": items.aggregate(
            open=Count("pk", filter=Q(status=AccountabilityStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=AccountabilityStatus.OPEN, rectification_deadline__lt=today)),
        ),
        "overdue_inspections": list(selectors.inspections_for(user).overdue_rectifications(today)[:10]),
        "callbacks": Callback.objects.for_user(user).aggregate(
            pending=Count("pk", filter=Q(status=CallbackStatus.PENDING)),
            not_educated=Count("pk", filter=Q(pk__in=Callback.objects.not_educated().values("pk"))),
            records_disagree=Count("pk", filter=Q(pk__in=Callback.objects.records_disagree().values("pk"))),
        ),
        "suggestions": selectors.summons_suggestions(user=user, today=today),
    }


# What the whole dashboard depends on besides the live version (warnings, visits, cases, callbacks, inspections)
# and today: the assessment app's records and units, the schools', the door-knocking's, publicity's and the cases'
# records, and the coverage of closed periods.
DASHBOARD_VERSIONS = (
    figures.OVERSIGHT_VERSION,
    figures.EDUCATION_VERSION,
    figures.ACTIVITY_VERSION,
    figures.COVERAGE_VERSION,
)


def dashboard_context(*, user, period: periods.Period) -> dict:
    """The dashboard's (and the bulletin's) figures, cached whole (``figures.live``) under the user's scope, the
    period, the language (the chart's labels) and every version its parts depend on: a warm dashboard reads the
    epoch and two cache entries, at any scale. When a write has bumped a version, the parts are computed again,
    each from its own cache where it has one (closed months, the pipeline, the oversight block, the schools)."""
    today = timezone.localdate()
    token = figures.epoch()
    parts = [figures.user_scope_key(user), period.key, translation.get_language() or ""]
    key = figures.live_key("dashboard", parts, today=today, token=token, also=DASHBOARD_VERSIONS)
    context = figures.live(
        "dashboard",
        parts,
        lambda: _dashboard_context(user=user, period=period, today=today, token=token),
        key=key,
    )
    # The page's body is a function of this context (and of the target and the towns, cached under fewer
    # versions, and of the user's roles, in the scope's key): the template keeps it under the same key.
    context["fragment_key"] = key
    context["fragment_seconds"] = figures.LIVE_SECONDS
    return context


def _dashboard_context(*, user, period: periods.Period, today: datetime.date, token: str) -> dict:
    report = indicators.indicator_report(user=user, period=period, today=today)
    trend = indicators.monthly_trend(user=user, months=periods.last_months(TREND_MONTHS, min(period.last_day, today)))
    ranked = sorted(report.rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit.code))
    return {
        "period": period,
        "period_choices": period_choices(today, period),
        "today": today,
        "report": report,
        "ranked": ranked,
        "trend": trend,
        "pipeline": pipeline(user=user, today=today, token=token),
        **oversight(user=user, today=today, token=token),
        "schools": figures.live(
            "dashboard-schools",
            [figures.user_scope_key(user)],
            lambda: school_compliance(user=user, today=today),
            today=today,
            token=token,
            also=(figures.EDUCATION_VERSION, figures.OVERSIGHT_VERSION),
        ),
        "chart_data": _chart_data(report, trend),
        "meeting_outcomes": meeting_outcomes(user=user, start=period.first_day, end=period.last_day),
    }


def village_context(*, user, village: Unit, period: periods.Period) -> dict:
    from fraud_cases.models import FraudCase

    today = timezone.localdate()
    report = indicators.indicator_report(user=user, period=period, today=today)
    row = next(r for r in report.rows if r.unit.pk == village.pk)
    trend = indicators.monthly_trend(
        user=user, months=periods.last_months(TREND_MONTHS, min(period.last_day, today)), village=village
    )
    cases = (
        FraudCase.objects.for_user(user)
        .filter(village=village, reported_at__gte=period.start, reported_at__lt=period.end)
        .select_related("victim", "warning")
        .order_by("-reported_at")[:50]
    )
    return {
        "village": village,
        "period": period,
        "period_choices": period_choices(today, period),
        "today": today,
        "row": row,
        "villages_ranked": row.ranked_of,
        "cases": cases,
        "items": selectors.accountability_for(user).filter(unit=village)[:20],
        "inspections": selectors.inspections_for(user).filter(unit=village)[:10],
        "callbacks": selectors.callbacks_for(user).filter(village=village).order_by("-draw__month")[:20],
        "chart_data": _chart_data(indicators.IndicatorReport(period, [row], report.weights), trend),
    }


def home_panel(*, user, today: datetime.date | None = None) -> dict | None:
    """The home page's panel for the village head and team: their village's score, rank in the town and band in
    the last complete month (their own row only)."""
    period = indicators.default_period(today)
    report = indicators.indicator_report(user=user, period=period, today=today)
    if not report.rows:
        return None
    return {"template": "assessment/_home_standing.html", "period": period, "rows": report.rows}
