"""The registry's exports as :class:`core.exports.ExportKind`: the list pages' filters, the user's scope, the
columns of :mod:`residents.resources` (masked numbers, formula-escaped cells).

Up to ``EXPORT_ASYNC_ROWS`` rows the file is answered at once; a larger export (a town's 168,000 residents)
is written by a background job (see :mod:`core.exports`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.exports import ExportKind, ExportRefused, ExportRows, register_export
from core.validators import mask_id_number, mask_phone

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident, ResidentTag
from .resources import HouseholdResource, ResidentResource, escape_formula
from .selectors import count_of

MASKED_FIELDS = {"id_number", "phone", "household_contact_phone", "contact_phone"}


def _rows(resource, filterset, queryset) -> ExportRows:
    if not filterset.is_valid():
        raise ExportRefused(_("These filters are not valid."))
    fields = resource.get_export_fields()
    used = [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")]
    return ExportRows(
        headers=resource.get_export_headers(),
        queryset=queryset(filterset.qs),
        row=lambda obj: [resource.export_field(field, obj) for field in fields],
        filters=used,
        fields=_fields(resource),
    )


_TAG_FIELDS = [f"is_{tag}" for tag in ResidentTag.values]
_RESIDENT_COLUMNS = [
    "name",
    "id_number",
    "phone",
    "village__code",
    "household__grid__code",
    "household__address",
    "household__contact_phone",
    "relation",
    *_TAG_FIELDS,
]


def _resident_row(tag_labels: list[str]):
    """One resident's cells from a ``values_list`` row: the resource's columns, masked and escaped, without
    building a model instance or going through the resource's widgets (a 700,000-row export)."""

    def row(values) -> list:
        name, id_number, phone, village, grid, address, contact, relation, *flags = values
        tags = "、".join(label for label, flag in zip(tag_labels, flags, strict=True) if flag)
        return [
            escape_formula(name),
            mask_id_number(id_number),
            mask_phone(phone),
            escape_formula(village),
            escape_formula(grid or ""),
            escape_formula(address or ""),
            mask_phone(contact),
            escape_formula(relation),
            tags,
        ]

    return row


def resident_values(residents):
    return residents.order_by("village_id", "name", "pk").values_list(*_RESIDENT_COLUMNS)


def household_objects(households):
    return (
        households.select_related("village", "grid")
        .annotate(member_count=count_of(Resident.objects.all(), "household"))
        .order_by("village_id", "sort_key", "pk")
    )


def _fields(resource) -> list[str]:
    return [f"{name}:masked" if name in MASKED_FIELDS else name for name in resource.get_export_order()]


def resident_rows_of(residents, *, user, filters=()) -> ExportRows:
    """The residents export's columns for ``residents``, already scoped and filtered (the admin's list)."""
    resource = ResidentResource(user=user)
    return ExportRows(
        headers=resource.get_export_headers(),
        queryset=resident_values(residents),
        row=_resident_row([str(label) for label in ResidentTag.labels]),
        filters=list(filters),
        fields=_fields(resource),
    )


def household_rows_of(households, *, user, filters=()) -> ExportRows:
    """The households export's columns for ``households``, already scoped and filtered (the admin's list)."""
    resource = HouseholdResource(user=user)
    fields = resource.get_export_fields()
    return ExportRows(
        headers=resource.get_export_headers(),
        queryset=household_objects(households),
        row=lambda obj: [resource.export_field(field, obj) for field in fields],
        filters=list(filters),
        fields=_fields(resource),
    )


def residents_rows(*, user, params) -> ExportRows:
    resource = ResidentResource(user=user)
    filterset = ResidentFilter(params, queryset=Resident.objects.for_user(user))
    rows = _rows(resource, filterset, resident_values)
    rows.row = _resident_row([str(label) for label in ResidentTag.labels])
    return rows


def households_rows(*, user, params) -> ExportRows:
    filterset = HouseholdFilter(params, queryset=Household.objects.for_user(user))
    return _rows(HouseholdResource(user=user), filterset, household_objects)


RESIDENTS = register_export(
    ExportKind(
        kind="residents",
        capability="residents.export",
        label=lambda: _("Residents"),
        filename="residents",
        build=residents_rows,
    )
)
HOUSEHOLDS = register_export(
    ExportKind(
        kind="households",
        capability="residents.export",
        label=lambda: _("Households"),
        filename="households",
        build=households_rows,
    )
)
