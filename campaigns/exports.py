"""The door visits and pledges exports as :class:`core.exports.ExportKind`: the register pages' filters, the
user's scope, masked numbers, formula-escaped cells. Up to ``EXPORT_ASYNC_ROWS`` rows the file is answered at
once; more rows are written by a background job (:mod:`core.exports`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import ExportKind, ExportRefused, ExportRows, register_export
from residents.resources import escape_formula
from warnings_followup.models import FraudType

from .filters import DoorVisitFilter, PledgeFilter, is_id_number
from .selectors import pledge_queryset, visit_queryset


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _fraud_type_labels(codes) -> str:
    return "、".join(str(FraudType(code).label) for code in codes if code in FraudType.values)


VISIT_COLUMNS = [
    (lambda: _("Visited at"), lambda v: _when(v.visited_at)),
    (lambda: _("Village"), lambda v: v.household.village.name),
    (lambda: _("Grid"), lambda v: v.household.grid.name if v.household.grid else ""),
    (lambda: _("Household reference"), lambda v: v.household.reference),
    (lambda: _("Address"), lambda v: v.household.address),
    (lambda: _("Someone at home"), lambda v: _yes_no(v.someone_home)),
    (lambda: _("Materials handed out"), lambda v: "、".join(str(label) for label in v.material_labels())),
    (lambda: _("Fraud types explained"), lambda v: _fraud_type_labels(v.fraud_types_explained)),
    (lambda: _("App installed"), lambda v: _yes_no(v.app_installed)),
    (lambda: _("Who went"), lambda v: "、".join(str(user) for user in v.visitors.all())),
    (lambda: _("Notes"), lambda v: v.notes),
]

PLEDGE_COLUMNS = [
    (lambda: _("Signed at"), lambda p: _when(p.signed_at)),
    (lambda: _("Name"), lambda p: p.resident.name),
    (lambda: _("ID number"), lambda p: p.resident.masked_id_number),
    (lambda: _("Village"), lambda p: p.resident.village.name),
    (
        lambda: _("Grid"),
        lambda p: p.resident.household.grid.name if p.resident.household and p.resident.household.grid else "",
    ),
    (lambda: _("Household reference"), lambda p: p.resident.household.reference if p.resident.household else ""),
    (lambda: _("Address"), lambda p: p.resident.household.address if p.resident.household else ""),
    (lambda: _("How it was signed"), lambda p: p.get_method_display()),
    (lambda: _("Collected by"), lambda p: str(p.collected_by) if p.collected_by else ""),
    (lambda: _("Visit date"), lambda p: _when(p.visit.visited_at) if p.visit else ""),
]


def _rows(filterset, columns, *, masked: tuple[str, ...] = ()) -> ExportRows:
    if not filterset.is_valid():
        raise ExportRefused(_("These filters are not valid."))
    values = [value for _header, value in columns]
    return ExportRows(
        headers=[header() for header, _value in columns],
        queryset=filterset.qs,
        row=lambda obj: [escape_formula(value(obj)) for value in values],
        filters=[key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")],
        fields=[f"{field}:masked" for field in masked],
    )


def visits_rows(*, user, params) -> ExportRows:
    visits = visit_queryset().for_user(user).order_by("-visited_at", "-pk")
    return _rows(DoorVisitFilter(params, queryset=visits), VISIT_COLUMNS)


def pledges_rows(*, user, params) -> ExportRows:
    if is_id_number(params.get("q", "")):
        raise ExportRefused(_("Search by ID number on the register page, not in the address."))
    pledges = pledge_queryset().for_user(user).order_by("-signed_at", "-pk")
    return _rows(PledgeFilter(params, queryset=pledges), PLEDGE_COLUMNS, masked=("id_number",))


VISITS = register_export(
    ExportKind(
        kind="door_visits",
        capability="campaigns.export",
        label=lambda: _("Door visits"),
        filename="door-visits",
        build=visits_rows,
    )
)
PLEDGES = register_export(
    ExportKind(
        kind="pledges",
        capability="campaigns.export",
        label=lambda: _("Pledges"),
        filename="pledges",
        build=pledges_rows,
    )
)
