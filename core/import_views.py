"""The web pages of a spreadsheet import, whatever it imports: upload, dry run with progress, confirm, result.

Each app describes its import's pages with an :class:`ImportPages` beside its sheet, in its ``importing``
module (the :class:`core.sheets.Sheet`, URL namespace, labels, how a job's summary reads, the template's example
row and notes) and gets its five URLs from :meth:`ImportPages.urls`; the templates in ``templates/imports/`` take
everything kind-specific from the context. Every view needs the sheet's capability and answers 404 for another
user's job or a job of another kind. The work itself is in ``core.imports``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.imports import MAX_UPLOAD_BYTES, confirm_job, create_job, job_progress, permitted_sheet
from core.models import ImportJob
from core.sheets import Sheet

ERRORS_SHOWN = 1000


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx or .xls), an OpenDocument sheet (.ods) or a CSV file, up to %(size)d MB."
        )
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv", "class": "form-control"}),
    )


@dataclass(frozen=True)
class ImportPages:
    """One kind of import on the web.

    ``namespace``: the URL namespace holding ``import_start``, ``import_template``, ``import_job``,
    ``import_progress`` and ``import_confirm``. ``steps``: the start page's instructions (the first
    one gets the template's download button). ``parents``: (URL name, label) of the breadcrumbs
    above the start page. ``done``: the URL and label of the page to see what a commit wrote.
    ``outcome(job)``: the texts of a finished clean job, ``{"ready", "result", "confirmable"}``.
    The template workbook (``template_filename``): a sheet ``sheet_title`` of the columns with
    ``example(user)`` (column name -> value) as its one row, and ``notes(user)`` on the instructions sheet.
    """

    sheet: type[Sheet]
    namespace: str
    title: str
    steps: tuple
    confirm_label: str
    done: Callable[[], dict]
    outcome: Callable[[ImportJob], dict]
    example: Callable[..., dict]
    notes: Callable[..., list]
    sheet_title: str
    template_filename: str
    parents: tuple = ()
    notices_heading: str = ""

    @property
    def kind(self) -> str:
        return self.sheet.kind

    def url_names(self) -> dict:
        names = ("start", "template", "job", "progress", "confirm")
        return {name: f"{self.namespace}:import_{name}" for name in names}

    def page_context(self) -> dict:
        return {
            "title": self.title,
            "steps": self.steps,
            "urls": self.url_names(),
            "parents": [{"url": reverse(name), "label": label} for name, label in self.parents],
            "confirm_label": self.confirm_label,
            "notices_heading": self.notices_heading,
        }

    def job_for(self, user, pk) -> ImportJob:
        """The user's own import job of this kind; 404 for anything else, or without the capability."""
        permitted_sheet(self.kind, user)
        queryset = ImportJob.objects.for_user(user).filter(kind=self.kind).select_related("source")
        return get_object_or_404(queryset, pk=pk)

    def job_context(self, job: ImportJob) -> dict:
        """What the job and progress templates show."""
        row_errors = [error for error in job.errors if error.get("row")]
        finished_clean = job.is_finished and not job.errors
        return {
            **self.page_context(),
            "job": job,
            "progress": job_progress(job),
            "file_errors": [error for error in job.errors if not error.get("row")],
            "row_errors": row_errors[:ERRORS_SHOWN],
            "row_error_count": len(row_errors),
            "problem_rows": len({error["row"] for error in row_errors}),
            "errors_truncated": len(row_errors) > ERRORS_SHOWN,
            "commit_job": ImportJob.objects.filter(source=job).first() if job.dry_run else None,
            "outcome": self.outcome(job) if finished_clean else {},
            "done": self.done() if finished_clean and not job.dry_run else {},
        }

    def start(self, request):
        permitted_sheet(self.kind, request.user)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = create_job(self.kind, user=request.user, uploaded=form.cleaned_data["file"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                return redirect(f"{self.namespace}:import_job", pk=job.pk)
        jobs = ImportJob.objects.filter(created_by=request.user, kind=self.kind).select_related("source")[:10]
        return render(request, "imports/start.html", {**self.page_context(), "form": form, "jobs": jobs})

    def job(self, request, pk):
        return render(request, "imports/job.html", self.job_context(self.job_for(request.user, pk)))

    def progress(self, request, pk):
        """The progress partial, polled by htmx every second until the job has finished."""
        job = self.job_for(request.user, pk)
        response = render(request, "imports/progress_partial.html", self.job_context(job))
        patch_cache_control(response, no_store=True)
        return response

    def confirm(self, request, pk):
        job = self.job_for(request.user, pk)
        try:
            commit = confirm_job(job=job, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{self.namespace}:import_job", pk=job.pk)
        return redirect(f"{self.namespace}:import_job", pk=commit.pk)

    def template(self, request):
        """An .xlsx with the headers, text-formatted number columns, one example row and the instructions."""
        permitted_sheet(self.kind, request.user)
        response = HttpResponse(
            self.workbook(request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.template_filename}"'
        return response

    def workbook(self, user) -> bytes:
        columns = self.sheet.columns
        return template_workbook(
            title=str(self.sheet_title),
            headers={name: str(column.header) for name, column in columns.items()},
            example=self.example(user),
            text_columns=[name for name, column in columns.items() if column.text],
            wide=[name for name, column in columns.items() if column.wide],
            notes=[str(note) for note in self.notes(user)],
        )

    def required_headers(self) -> str:
        """The required columns' headers, for the notes."""
        return "、".join(self.sheet.header(name) for name in self.sheet.required_names())

    def urls(self, prefix: str = "import/") -> list:
        """The five pages under ``prefix``, named ``import_start`` … ``import_confirm`` in the including namespace:
        ``path("", include(PAGES.urls()))`` in the app's URLconf."""
        start = login_required(require_http_methods(["GET", "POST"])(self.start))
        template, job = login_required(require_GET(self.template)), login_required(require_GET(self.job))
        progress, confirm = login_required(require_GET(self.progress)), login_required(require_POST(self.confirm))
        return [
            path(prefix, start, name="import_start"),
            path(f"{prefix}template.xlsx", template, name="import_template"),
            path(f"{prefix}jobs/<int:pk>/", job, name="import_job"),
            path(f"{prefix}jobs/<int:pk>/progress/", progress, name="import_progress"),
            path(f"{prefix}jobs/<int:pk>/confirm/", confirm, name="import_confirm"),
        ]


def template_workbook(
    *, title: str, headers: dict[str, str], example: dict, text_columns, wide, notes: list[str]
) -> bytes:
    """A template: a sheet of ``headers`` (field name → header) with one example row, and the instructions.

    The ``text_columns`` are formatted as Text, so Excel keeps every digit of an ID or account
    number typed into them; the ``wide`` columns get more room.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for column, (name, header) in enumerate(headers.items(), start=1):
        sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
        cell = sheet.cell(row=2, column=column, value=example[name])
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 24 if name in wide else 16
        if name in text_columns:
            cell.number_format = "@"
            cell.data_type = "s"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    instructions = workbook.create_sheet(_("Instructions")[:31])
    for line in notes:
        instructions.append([line])
    instructions.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
