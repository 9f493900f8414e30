"""Exports of the registry: the list pages' filters, the user's scope, masked numbers, an access-log entry.

``?format=xlsx`` (the default) or ``?format=csv``; every other parameter is a filter of the list pages
(``ResidentFilter`` / ``HouseholdFilter``). Exports are always masked: see ``residents.resources``.
"""

import csv
import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl.styles import Font

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import require

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident
from .resources import HouseholdResource, ResidentResource

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MASKED_FIELDS = {"id_number", "phone", "household_contact_phone", "contact_phone"}


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


def _requested_format(request) -> str:
    requested = request.GET.get("format", "xlsx")
    if requested not in CONTENT_TYPES:
        raise Http404
    return requested


def _export(request, *, resource, filterset, name: str, label: str):
    requested = _requested_format(request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    dataset = resource.export(queryset=filterset.qs)
    headers = dataset.headers
    render = xlsx_bytes if requested == "xlsx" else csv_bytes
    content = render(headers, dataset)
    used = [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")]
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("%(what)s export (%(format)s): %(count)d rows; filters: %(filters)s")
        % {"what": label, "format": requested, "count": len(dataset), "filters": ", ".join(used) or "—"},
        fields=[f"{field}:masked" if field in MASKED_FIELDS else field for field in resource.get_export_order()],
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[requested])
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{requested}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def export_residents(request):
    require(request.user, "residents.export")
    filterset = ResidentFilter(request.GET, queryset=Resident.objects.for_user(request.user))
    return _export(
        request,
        resource=ResidentResource(user=request.user),
        filterset=filterset,
        name="residents",
        label=_("Residents"),
    )


@login_required
@require_GET
def export_households(request):
    require(request.user, "residents.export")
    filterset = HouseholdFilter(request.GET, queryset=Household.objects.for_user(request.user))
    return _export(
        request,
        resource=HouseholdResource(user=request.user),
        filterset=filterset,
        name="households",
        label=_("Households"),
    )
