"""Exports of the registry: the list pages' filters, the user's scope, masked numbers, an access-log entry.

``?format=xlsx`` (the default) or ``?format=csv``; every other parameter is a filter of the list pages
(``ResidentFilter`` / ``HouseholdFilter``). Exports are always masked: see ``residents.resources``. A large
export runs as a background job (``core.exports``); the columns are in ``residents.exports``.

``xlsx_bytes`` and ``csv_bytes`` write the small exports of other apps at once.
"""

import csv
import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl.styles import Font

from core.exports import CONTENT_TYPES, export_response

from .exports import HOUSEHOLDS, RESIDENTS

__all__ = ["CONTENT_TYPES", "csv_bytes", "export_households", "export_residents", "xlsx_bytes"]


def xlsx_bytes(headers, rows) -> bytes:
    """A one-sheet workbook of text cells (already formula-escaped by the resource)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Sheet1")[:31])
    header_cells = []
    for header in headers:
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(header) for header in headers])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@login_required
@require_GET
def export_residents(request):
    return export_response(request, RESIDENTS)


@login_required
@require_GET
def export_households(request):
    return export_response(request, HOUSEHOLDS)
