"""Importing residents from the web: upload, dry run with progress, confirm, result.

Every view needs the ``residents.import`` capability and answers 404 for another user's job.
The work itself is in ``residents.importing``; these views only show it.
"""

import datetime
import io

import openpyxl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.models import ImportJob
from core.validators import make_id_number
from organization.access import require, units_visible_to
from organization.models import UnitKind

from .importing import MAX_UPLOAD_BYTES, import_job_confirm, import_job_create, import_job_progress
from .models import ResidentTag
from .resources import ResidentResource

ERRORS_SHOWN = 1000
TEXT_COLUMNS = ("id_number", "phone", "village", "grid", "household_contact_phone")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file, up to %(size)d MB.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


def job_for(user, pk, *, capability="residents.import", kind=ImportJob.Kind.RESIDENTS) -> ImportJob:
    """The user's own import job of this kind; 404 for anything else, or without the capability."""
    require(user, capability)
    return get_object_or_404(ImportJob.objects.for_user(user).filter(kind=kind).select_related("source"), pk=pk)


def job_context(job: ImportJob) -> dict:
    """What the job and progress templates show (any kind of job)."""
    row_errors = [error for error in job.errors if error.get("row")]
    return {
        "job": job,
        "progress": import_job_progress(job),
        "file_errors": [error for error in job.errors if not error.get("row")],
        "row_errors": row_errors[:ERRORS_SHOWN],
        "row_error_count": len(row_errors),
        "problem_rows": len({error["row"] for error in row_errors}),
        "errors_truncated": len(row_errors) > ERRORS_SHOWN,
        "commit_job": ImportJob.objects.filter(source=job).first() if job.dry_run else None,
    }


@login_required
def import_start(request):
    require(request.user, "residents.import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(user=request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("residents:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, kind=ImportJob.Kind.RESIDENTS).select_related("source")
    jobs = jobs[:10]
    return render(request, "residents/import_start.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def import_job(request, pk):
    job = job_for(request.user, pk)
    return render(request, "residents/import_job.html", job_context(job))


@login_required
@require_GET
def import_progress(request, pk):
    """The progress partial, polled by htmx every second until the job has finished."""
    job = job_for(request.user, pk)
    response = render(request, "residents/import_progress_partial.html", job_context(job))
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_POST
def import_confirm(request, pk):
    job = job_for(request.user, pk)
    try:
        commit = import_job_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("residents:import_job", pk=job.pk)
    return redirect("residents:import_job", pk=commit.pk)


@login_required
@require_GET
def import_template(request):
    """An .xlsx with the headers, text-formatted number columns and one example row."""
    require(request.user, "residents.import")
    response = HttpResponse(
        template_workbook(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="residents-template.xlsx"'
    return response


def template_workbook(user) -> bytes:
    resource = ResidentResource(user=user)
    order = resource.get_export_order()
    village = units_visible_to(user).filter(kind=UnitKind.VILLAGE).order_by("path").first()
    grid = village.children.filter(kind=UnitKind.GRID).order_by("code").first() if village else None
    example = {
        "name": _("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "grid": grid.code if grid else "",
        "address": _("No. 1 Xingfu Road"),
        "household_contact_phone": "0757-81234567",
        "relation": _("Head of household"),
        "tags": str(ResidentTag.ELDERLY.label),
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Residents")[:31]
    for column, name in enumerate(order, start=1):
        header = sheet.cell(row=1, column=column, value=str(resource.fields[name].column_name))
        header.font = Font(bold=True)
        cell = sheet.cell(row=2, column=column, value=example[name])
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 24 if name in ("id_number", "address") else 16
        if name in TEXT_COLUMNS:
            # Text, so Excel keeps all 18 digits of an ID number typed into the column.
            cell.number_format = "@"
            cell.data_type = "s"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Instructions")[:31])
    required = "、".join(str(resource.fields[name].column_name) for name in resource.required_fields)
    for line in (
        _("Fill in one row per resident on the first sheet; replace the example row."),
        _("Required columns: %(columns)s. The other columns may be left empty.") % {"columns": required},
        _("Keep the ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        _("Empty cells do not erase what is already registered."),
        _("Village and grid codes are those of the organisation pages."),
        _("Tags: %(tags)s, separated by commas.") % {"tags": "、".join(str(label) for label in ResidentTag.labels)},
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
