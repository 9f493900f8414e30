"""Pushing warnings from an Excel batch on the web: upload, dry run with progress, confirm, result.

The same flow as the registry's import (``residents.import_views``), whose upload form and job
helpers these views share; every view needs ``warnings.push`` and answers 404 for another user's job
or a job of another kind. The work itself is in ``warnings_followup.importing``.
"""

from __future__ import annotations

import datetime
import io

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.models import ImportJob
from core.validators import make_id_number
from organization.access import require, units_visible_to
from organization.models import UnitKind
from residents.import_views import ImportUploadForm, job_context, job_for

from .importing import (
    CAPABILITY,
    COLUMNS,
    TEXT_COLUMNS,
    WarningSheet,
    warning_import_job_confirm,
    warning_import_job_create,
)
from .models import FraudType, RiskLevel
from .serializers import FRAUD_TYPE_NAMES_ZH

KIND = ImportJob.Kind.WARNINGS


def _job(request, pk) -> ImportJob:
    return job_for(request.user, pk, capability=CAPABILITY, kind=KIND)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    require(request.user, CAPABILITY)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = warning_import_job_create(user=request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("warnings_followup:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, kind=KIND).select_related("source")[:10]
    return render(request, "warnings_followup/import_start.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def import_job(request, pk):
    return render(request, "warnings_followup/import_job.html", job_context(_job(request, pk)))


@login_required
@require_GET
def import_progress(request, pk):
    """The progress partial, polled by htmx every second until the job has finished."""
    response = render(request, "warnings_followup/import_progress_partial.html", job_context(_job(request, pk)))
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job(request, pk)
    try:
        commit = warning_import_job_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("warnings_followup:import_job", pk=job.pk)
    return redirect("warnings_followup:import_job", pk=commit.pk)


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the headers, text-formatted number columns, one example row and the instructions."""
    require(request.user, CAPABILITY)
    response = HttpResponse(
        template_workbook(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="warnings-template.xlsx"'
    return response


def template_workbook(user) -> bytes:
    village = units_visible_to(user).filter(kind=UnitKind.VILLAGE).order_by("path").first()
    example = {
        "external_id": f"YJ{timezone.localdate():%Y%m%d}0001",
        "person_name": _("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "address": _("No. 1 Xingfu Road"),
        "fraud_type": FRAUD_TYPE_NAMES_ZH[FraudType.INVESTMENT.value],
        "risk_level": str(RiskLevel.HIGH.label),
        "summary": _("Contacted a fake investment platform and transferred money twice."),
        "bank": _("Agricultural Bank of China"),
        "account_number": "6228480402564890018",
        "pushed_at": f"{timezone.localtime().replace(second=0, microsecond=0):%Y-%m-%d %H:%M}",
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Warnings")[:31]
    for column, (name, spec) in enumerate(COLUMNS.items(), start=1):
        sheet.cell(row=1, column=column, value=str(spec.column_name)).font = Font(bold=True)
        cell = sheet.cell(row=2, column=column, value=example[name])
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 24 if name in ("id_number", "account_number", "summary") else 16
        if name in TEXT_COLUMNS:
            # Text, so Excel keeps every digit of an ID or account number typed into the column.
            cell.number_format = "@"
            cell.data_type = "s"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Instructions")[:31])
    required = "、".join(str(COLUMNS[name].column_name) for name in WarningSheet.required_fields)
    for line in (
        _("One row per account under stop-payment; replace the example row."),
        _("A warning with several accounts takes several rows with the same instruction number."),
        _("A warning without accounts is one row with the bank and account columns empty."),
        _("Required columns: %(columns)s. The other columns may be left empty.") % {"columns": required},
        _("The police platform's export, with its Chinese headers, can be uploaded as it is."),
        _("Keep the ID number, phone and account columns formatted as Text, or Excel will destroy the numbers."),
        _("An instruction number already pushed is left unchanged: importing a file again creates nothing."),
        _("Village codes are those of the organisation pages."),
        _("Risk level: %(levels)s.") % {"levels": "高、中、低 (high, medium, low)"},
        _("Push time: a date and time such as 2025-03-01 09:30; empty means the time of the import."),
        _("Fraud types (a code or a name):"),
    ):
        notes.append([line])
    for code, label in FraudType.choices:
        notes.append([f"{code} · {FRAUD_TYPE_NAMES_ZH[code]} · {label}"])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
