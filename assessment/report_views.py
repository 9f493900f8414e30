"""Pages of the reports to the county (报送) and of the year's target: leadership, for its own town."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import periods
from core.forms import apply_service_errors
from core.serving import serve_file
from core.uploads import MIME
from core.workflow import TransitionNotAllowed
from organization.access import require, units_visible_to
from organization.models import UnitKind

from . import report_services, reports, targets
from .models import CountyReport, ReportStatus, YearTarget
from .report_forms import NarrativeForm, YearTargetForm

LISTED = {"month": 12, "quarter": 4, "year": 2}


def _town(request):
    require(request.user, "assessment.reports")
    town = reports.town_for(request.user)
    if town is None:
        raise Http404
    return town


def _period(key: str) -> periods.Period:
    """A period that has begun (a later one is not found)."""
    try:
        period = periods.parse_period(key)
    except periods.BadPeriod:
        raise Http404 from None
    if period.first_day > timezone.localdate():
        raise Http404
    return period


def _listed_periods(today) -> list[periods.Period]:
    """The last complete months, quarters and years, newest first."""
    found = []
    for kind, count in LISTED.items():
        period = periods.containing(kind, today).previous()
        for _index in range(count):
            found.append(period)
            period = period.previous()
    return found


@login_required
@require_GET
def report_list(request):
    town = _town(request)
    today = timezone.localdate()
    listed = _listed_periods(today)
    stored = {r.period_key: r for r in CountyReport.objects.for_user(request.user).filter(unit=town)}
    rows = []
    for period in listed:
        report = stored.get(period.key)
        due = reports.due_date(period)
        submitted = report is not None and report.status == ReportStatus.SUBMITTED
        rows.append(
            {
                "period": period,
                "name": reports.report_name(period),
                "label": reports.period_label(period),
                "report": report,
                "due": due,
                "submitted": submitted,
                "late": not submitted and due < today,
            }
        )
    context = {"rows": rows, "town": town, "today": today, "towns": _towns_compared(request.user, listed, today)}
    return render(request, "assessment/reports_list.html", context)


def _towns_compared(user, listed, today) -> list[dict]:
    """For a scope that spans towns (a county's leadership): each town's reports of the listed periods, submitted
    or late (two queries); [] for one town."""
    towns = list(units_visible_to(user).filter(kind=UnitKind.TOWN, is_active=True).order_by("code"))
    if len(towns) < 2:
        return []
    submitted = set(
        CountyReport.objects.for_user(user)
        .filter(unit__in=towns, status=ReportStatus.SUBMITTED)
        .values_list("unit_id", "period_key")
    )
    return [
        {
            "town": town,
            "cells": [
                {"period": p, "submitted": (town.pk, p.key) in submitted, "late": reports.due_date(p) < today}
                for p in listed
            ],
        }
        for town in towns
    ]


def _data(request, town, period):
    return reports.report_data(
        user=request.user, period=period, town=town, narrative=reports.stored_narrative(town, period)
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, key: str):
    town = _town(request)
    period = _period(key)
    report = report_services.county_report_for(town=town, period=period)
    submitted = report is not None and report.status == ReportStatus.SUBMITTED
    form = NarrativeForm(request.POST or None, initial={"narrative": report.narrative if report else ""})
    if request.method == "POST" and form.is_valid():
        try:
            report_services.county_report_save(
                actor=request.user, town=town, period=period, narrative=form.cleaned_data["narrative"]
            )
        except TransitionNotAllowed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Work summary saved."))
        return redirect("assessment:report_detail", key=period.key)
    context = {
        "town": town,
        "period": period,
        "name": reports.report_name(period),
        "label": reports.period_label(period),
        "report": report,
        "submitted": submitted,
        "can_submit": not submitted and period.end_day <= timezone.localdate(),
        "due": reports.due_date(period),
        "form": form,
        "data": _data(request, town, period),
    }
    return render(request, "assessment/reports_detail.html", context)


@login_required
@require_POST
def report_submit(request, key: str):
    town = _town(request)
    period = _period(key)
    try:
        report_services.county_report_submit(actor=request.user, town=town, period=period)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "；".join(error.messages))
    else:
        messages.success(request, _("Marked as submitted: the Word file is kept as it was sent."))
    return redirect("assessment:report_detail", key=period.key)


def _filename(town, period, extension: str) -> str:
    return f"{town.name}-{reports.report_name(period)}-{period.key}.{extension}"


@login_required
@require_GET
def report_docx(request, key: str):
    town = _town(request)
    period = _period(key)
    report = report_services.county_report_for(town=town, period=period)
    if report is not None and report.status == ReportStatus.SUBMITTED and report.file:
        return serve_file(request, report.file, mime=MIME["docx"], filename=_filename(town, period, "docx"))
    content = reports.docx_bytes(_data(request, town, period))
    response = HttpResponse(content, content_type=MIME["docx"])
    response["Content-Disposition"] = _disposition(_filename(town, period, "docx"))
    return response


@login_required
@require_GET
def report_xlsx(request, key: str):
    town = _town(request)
    period = _period(key)
    content = reports.xlsx_bytes(_data(request, town, period))
    response = HttpResponse(content, content_type=MIME["xlsx"])
    response["Content-Disposition"] = _disposition(_filename(town, period, "xlsx"))
    return response


def _disposition(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename)


@login_required
@require_http_methods(["GET", "POST"])
def target_list(request):
    town = _town(request)
    today = timezone.localdate()
    form = YearTargetForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            report_services.year_target_set(actor=request.user, town=town, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The year's target is set."))
            return redirect("assessment:target_list")
    context = {
        "town": town,
        "form": form,
        "targets": YearTarget.objects.for_user(request.user).filter(unit=town).select_related("set_by"),
        "progress": targets.progress(user=request.user, period=periods.containing("year", today), today=today),
    }
    return render(request, "assessment/reports_targets.html", context)
