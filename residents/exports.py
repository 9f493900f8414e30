"""The registry's exports as :class:`core.exports.ExportKind`: the list pages' filters, the user's scope, the
columns of :mod:`residents.resources` (masked numbers, formula-escaped cells).

Up to ``EXPORT_ASYNC_ROWS`` rows the file is answered at once; a larger export (a town's 168,000 residents)
is written by a background job (see :mod:`core.exports`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.exports import ExportKind, ExportRefused, ExportRows

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident
from .resources import HouseholdResource, ResidentResource
from .selectors import _count_of

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
        fields=[f"{name}:masked" if name in MASKED_FIELDS else name for name in resource.get_export_order()],
    )


def residents_rows(*, user, params) -> ExportRows:
    filterset = ResidentFilter(params, queryset=Resident.objects.for_user(user))
    return _rows(
        ResidentResource(user=user),
        filterset,
        lambda residents: residents.select_related("village", "household__grid").order_by("village_id", "name", "pk"),
    )


def households_rows(*, user, params) -> ExportRows:
    filterset = HouseholdFilter(params, queryset=Household.objects.for_user(user))
    return _rows(
        HouseholdResource(user=user),
        filterset,
        lambda households: (
            households.select_related("village", "grid")
            .annotate(member_count=_count_of(Resident.objects.all(), "household"))
            .order_by("village_id", "address", "pk")
        ),
    )


RESIDENTS = ExportKind(
    kind="residents",
    capability="residents.export",
    label=lambda: _("Residents"),
    filename="residents",
    build=residents_rows,
)
HOUSEHOLDS = ExportKind(
    kind="households",
    capability="residents.export",
    label=lambda: _("Households"),
    filename="households",
    build=households_rows,
)
