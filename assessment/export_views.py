"""Excel export of every table of the assessment pages: scoped like the page, formula-escaped, access-logged.

``/assessment/export/<table>.xlsx`` with the page's own parameters (``period``, ``status``, ``year``…).
No personal numbers are exported (victims appear by name only in the callbacks table).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.services import access_log_record
from core import periods
from core.periods import BadPeriod, parse_period
from organization.access import require
from residents.export_views import CONTENT_TYPES, xlsx_bytes
from residents.resources import escape_formula

from . import dashboard, indicators, selectors
from .models import AccountabilityStatus, CallbackStatus

BAND_LABELS = {"green": gettext_lazy("Green"), "amber": gettext_lazy("Amber"), "red": gettext_lazy("Red")}


def _percent(value):
    return "" if value is None else round(value * 100, 1)


def _for_unit(request, queryset, field: str):
    """``?unit=<id>``: only that unit's rows (the queryset is already scoped)."""
    unit = request.GET.get("unit", "")
    return queryset.filter(**{field: int(unit)}) if unit.isdigit() else queryset


def _period(request):
    """The page's period: ``?period=``, or the last complete month like the pages."""
    try:
        return parse_period(request.GET.get("period", ""))
    except BadPeriod:
        return indicators.default_period()


def _indicators(request):
    require(request.user, "assessment.indicators")
    period = _period(request)
    report = indicators.indicator_report(user=request.user, period=period)
    headers = [
        _("Rank"),
        _("Village"),
        _("Code"),
        _("Registered population"),
        pgettext("fraud cases", "Cases"),
        _("Loss (¥)"),
        _("Cases per 10,000"),
        _("Defrauded after warning"),
        _("Door-visit coverage (%)"),
        _("On-time follow-up rate (%)"),
        _("Dissuasion rate (%)"),
        _("Inspection score"),
        _("Callbacks: not educated"),
        _("Score"),
        _("Band"),
        _("No data for"),
    ]
    rows = [
        [
            r.rank,
            r.unit.name,
            r.unit.code,
            r.population,
            r.cases,
            r.loss,
            r.cases_per_10k,
            r.defrauded_after_warning,
            _percent(r.coverage_rate),
            _percent(r.on_time_rate),
            _percent(r.dissuasion_rate),
            r.inspection_score,
            r.not_educated_known,
            r.score,
            str(BAND_LABELS.get(r.band, "")),
            "、".join(r.missing_labels),
        ]
        for r in sorted(report.rows, key=lambda r: (r.rank is None, r.rank or 0))
    ]
    return f"indicators-{period.key}", headers, rows


def _accountability(request):
    require(request.user, "assessment.dashboard")
    items = selectors.accountability_for(request.user)
    status = request.GET.get("status", "")
    if status in AccountabilityStatus.values:
        items = items.filter(status=status)
    items = _for_unit(request, items, "unit_id")
    headers = [
        _("Unit"),
        _("Kind"),
        _("Source"),
        _("Reason"),
        _("Date"),
        _("People"),
        _("Notes"),
        _("Rectification deadline"),
        _("Rectification follow-up"),
        _("Status"),
        _("Closed at"),
    ]
    rows = [
        [
            i.unit.name,
            i.get_kind_display(),
            i.get_source_display(),
            i.reason,
            i.held_on,
            i.people,
            i.notes,
            i.rectification_deadline,
            i.follow_up,
            i.get_status_display(),
            timezone.localtime(i.closed_at).strftime("%Y-%m-%d %H:%M") if i.closed_at else "",
        ]
        for i in items
    ]
    return "accountability", headers, rows


def _inspections(request):
    require(request.user, "assessment.dashboard")
    headers = [
        _("Unit"),
        _("Inspected on"),
        _("Inspectors"),
        _("Score"),
        _("Findings"),
        _("Rectification deadline"),
        _("Rectified at"),
        _("Rectification notes"),
    ]
    rows = [
        [
            i.unit.name,
            i.inspected_on,
            i.inspectors,
            i.score,
            i.findings,
            i.rectification_deadline,
            timezone.localtime(i.rectified_at).strftime("%Y-%m-%d") if i.rectified_at else "",
            i.rectification_notes,
        ]
        for i in _for_unit(request, selectors.inspections_for(request.user), "unit_id")
    ]
    return "inspections", headers, rows


def _yes_no(value):
    return "" if value is None else (_("Yes") if value else _("No"))


def _callbacks(request):
    require(request.user, "assessment.callback")
    callbacks = selectors.callbacks_for(request.user).order_by("-draw__month", "village__code", "pk")
    status = request.GET.get("status", "")
    if status in CallbackStatus.values:
        callbacks = callbacks.filter(status=status)
    callbacks = _for_unit(request, callbacks, "village_id")
    headers = [
        _("Month"),
        _("Village"),
        _("Case number"),
        _("Victim"),
        _("Caller"),
        _("Status"),
        _("Victim reached"),
        _("Educated"),
        _("How"),
        _("Notes"),
    ]
    rows = [
        [
            str(c.draw),
            c.village.name,
            c.case.case_number,
            c.case.victim.name,
            str(c.assigned_to or ""),
            c.get_status_display(),
            _yes_no(c.reached),
            _yes_no(c.educated),
            "、".join(c.channel_labels() + ([c.other_channel] if c.other_channel else [])),
            c.notes,
        ]
        for c in callbacks
    ]
    return "callbacks", headers, rows


def _suggestions(request):
    require(request.user, "assessment.dashboard")
    headers = [_("Village"), _("Reasons"), _("Door-visit coverage (%)"), _("Last inspection score"), _("Summons open")]
    rows = [
        [s.village.name, "；".join(s.reasons), _percent(s.coverage_rate), s.inspection_score, _yes_no(s.open_summons)]
        for s in selectors.summons_suggestions(user=request.user)
    ]
    return "summons-suggestions", headers, rows


def _nominations(request):
    """The year's candidates of every kind (the nominations page's lists) with their figures and whether they are
    nominated; the decided list itself is ``/assessment/nominations/export.xlsx`` (``assessment.exports``)."""
    from organization.access import narrowed_to

    from . import nominations
    from .models import NominationCategory, figure_rows

    require(request.user, "assessment.nominate")
    period = nominations.year_period(request.GET.get("year"))
    code = request.GET.get("town", "").strip()
    user = request.user
    if code:
        town = indicators.towns_for(user).filter(code=code).first()
        if town is None:
            raise Http404
        user = narrowed_to(user, town)
    labels = dict(NominationCategory.choices)
    headers = [_("Category"), _("Rank"), _("Name"), _("Unit"), _("Figures"), _("Status")]
    rows = [
        [
            str(labels[category]),
            index,
            c.name,
            c.unit.name,
            "；".join(f"{label} {value}" for label, value in figure_rows(c.figures)),
            c.nomination.get_status_display() if c.nomination else "",
        ]
        for category, found in nominations.candidates(user=user, period=period).items()
        for index, c in enumerate(found, start=1)
    ]
    return f"nominations-{period.key}", headers, rows


def _departments(request):
    require(request.user, "assessment.indicators")
    period = _period(request)
    summaries = dashboard.department_rows(user=request.user, period=period)
    headers = [_("Unit"), _("Activity"), _("Done"), _("Required")]
    rows = [[s.unit.name, c.label, c.done, c.required] for s in summaries for c in s.categories]
    return f"departments-{period.key}", headers, rows


def _trend(request):
    require(request.user, "assessment.dashboard")
    period = _period(request)
    months = periods.last_months(dashboard.TREND_MONTHS, min(period.last_day, timezone.localdate()))
    headers = [_("Month"), pgettext("fraud cases", "Cases"), _("Loss (¥)")]
    rows = [
        [row["month"], row["cases"], row["loss"]] for row in indicators.monthly_trend(user=request.user, months=months)
    ]
    return "trend", headers, rows


def _pipeline(request):
    require(request.user, "assessment.dashboard")
    figures = dashboard.pipeline(user=request.user, today=timezone.localdate())
    headers = [
        _("Being followed up"),
        _("Visits overdue"),
        _("Dissuaded"),
        _("Defrauded after warning"),
        _("Dissuasion rate (%)"),
    ]
    rows = [
        [
            figures["open"],
            figures["overdue"],
            figures["dissuaded"],
            figures["defrauded"],
            _percent(figures["dissuasion_rate"]),
        ]
    ]
    return "warnings-pipeline", headers, rows


def _schools(request):
    require(request.user, "assessment.dashboard")
    schools = dashboard.school_compliance(user=request.user, today=timezone.localdate())
    headers = [_("School"), _("On track"), _("Return slips (%)"), _("Warnings")]
    rows = [
        [s.school.name, _yes_no(not s.at_risk), s.slip_percent, "；".join(str(w) for w in s.warnings)] for s in schools
    ]
    return "schools", headers, rows


TABLES = {
    "trend": _trend,
    "pipeline": _pipeline,
    "schools": _schools,
    "indicators": _indicators,
    "accountability": _accountability,
    "inspections": _inspections,
    "callbacks": _callbacks,
    "suggestions": _suggestions,
    "nominations": _nominations,
    "departments": _departments,
}


@login_required
@require_GET
def export_table(request, table):
    if table not in TABLES:
        raise Http404
    name, headers, rows = TABLES[table](request)
    rows = [[escape_formula(value) if isinstance(value, str) else value for value in row] for row in rows]
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("Assessment export %(table)s: %(count)d rows") % {"table": name, "count": len(rows)},
        fields=[str(h) for h in headers][:20],
    )
    response = HttpResponse(xlsx_bytes(headers, rows), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    patch_cache_control(response, private=True, no_store=True)
    return response
