"""The registry's exports as :class:`core.exports.ExportKind`: the list pages' filters, the user's scope, the
columns of :mod:`residents.resources` (masked numbers, formula-escaped cells).

Up to ``EXPORT_ASYNC_ROWS`` rows the file is answered at once; a larger export (a town's 168,000 residents)
is written by a background job (see :mod:`core.exports`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import ExpressionWrapper, F, IntegerField, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.crypto import decrypt_many
from core.exports import ExportKind, ExportRefused, ExportRows, register_export
from core.validators import mask_id_number, mask_phone

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident, ResidentTag
from .resources import FORMULA_TRIGGERS, HouseholdResource, ResidentResource
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


def _token(field: str) -> ExpressionWrapper:
    """The stored token of an encrypted field, not decrypted one by one on the way (see ``_resident_chunk``)."""
    return ExpressionWrapper(F(field), output_field=TextField())


_RESIDENT_COLUMNS = [
    "name",
    _token("id_number"),
    _token("phone"),
    "village__code",
    "household__grid__code",
    "household__address",
    _token("household__contact_phone"),
    "relation",
    # the tags as one number (bit i: the i-th tag), one column instead of five
    ExpressionWrapper(
        sum((Cast(F(name), IntegerField()) * (1 << bit) for bit, name in enumerate(_TAG_FIELDS)), Value(0)),
        output_field=IntegerField(),
    ),
]
_NORMAL_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_NORMAL_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _masked_id_number(value: str | None) -> str:
    """:func:`core.validators.mask_id_number`, at once for a stored (normalised) number."""
    if value is not None and _NORMAL_ID_NUMBER.fullmatch(value):
        return value[:6] + "********" + value[14:]
    return mask_id_number(value)


def _masked_phone(value: str | None) -> str:
    """:func:`core.validators.mask_phone`, at once for a stored (normalised) mobile number."""
    if value is not None and _NORMAL_MOBILE.fullmatch(value):
        return value[:3] + "****" + value[7:]
    return mask_phone(value)


def _escaped(value: str | None) -> str:
    """:func:`residents.resources.escape_formula` of a text cell (``None`` is empty)."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _resident_chunk(tag_labels: list[str]):
    """The cells of a chunk of ``values_list`` rows: the resource's columns, masked and escaped, without model
    instances or the resource's widgets, the numbers decrypted together (a 700,000-row export)."""
    tags_of = [
        "、".join(label for bit, label in enumerate(tag_labels) if bits & (1 << bit))
        for bits in range(1 << len(tag_labels))
    ]

    def chunk(batch: list[tuple]) -> Iterable[list]:
        size = len(batch)
        numbers = decrypt_many(
            [values[1] for values in batch] + [values[2] for values in batch] + [values[6] for values in batch]
        )
        for values, id_number, phone, contact in zip(
            batch, numbers[:size], numbers[size : 2 * size], numbers[2 * size :], strict=True
        ):
            name, _id, _phone, village, grid, address, _contact, relation, tags = values
            yield [
                _escaped(name),
                _masked_id_number(id_number),
                _masked_phone(phone),
                _escaped(village),
                _escaped(grid),
                _escaped(address),
                _masked_phone(contact),
                _escaped(relation),
                tags_of[tags],
            ]

    return chunk


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


def _resident_cells() -> tuple:
    """``(row, chunk)`` of the residents export (a row alone is a chunk of one)."""
    chunk = _resident_chunk([str(label) for label in ResidentTag.labels])
    return (lambda values: next(iter(chunk([values])))), chunk


def resident_rows_of(residents, *, user, filters=()) -> ExportRows:
    """The residents export's columns for ``residents``, already scoped and filtered (the admin's list)."""
    resource = ResidentResource(user=user)
    row, chunk = _resident_cells()
    return ExportRows(
        headers=resource.get_export_headers(),
        queryset=resident_values(residents),
        row=row,
        chunk=chunk,
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
    rows.row, rows.chunk = _resident_cells()
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
