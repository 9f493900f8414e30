"""The year's nominations as a :class:`core.exports.ExportKind` (``/assessment/nominations/export.xlsx``): the
decided list by default (approved and rejected), scoped, formula-escaped, access-logged."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import ExportKind, ExportRefused, ExportRows, register_export
from organization.access import unit_in_scope
from organization.models import Unit, UnitKind
from residents.resources import escape_formula

from .models import DECIDED_STATUSES, Nomination, NominationStatus, figure_rows


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def nominations_rows(*, user, params) -> ExportRows:
    from .nominations import year_period

    year = year_period(params.get("year")).first_day.year
    rows = Nomination.objects.for_user(user).filter(year=year)
    status = params.get("status", "")
    if status in NominationStatus.values:
        rows = rows.filter(status=status)
    elif status in ("", "decided"):
        rows = rows.filter(status__in=DECIDED_STATUSES)
    elif status != "all":
        raise ExportRefused(_("These filters are not valid."))
    code = params.get("town", "")
    if code:
        town = Unit.objects.filter(code=code, kind=UnitKind.TOWN).first()
        if town is None or not unit_in_scope(user, town):
            raise ExportRefused(_("These filters are not valid."))
        rows = rows.filter(unit__path__startswith=town.path)
    columns = [
        (_("Year"), lambda n: n.year),
        (_("Kind"), lambda n: n.get_kind_display()),
        (_("Category"), lambda n: n.get_category_display()),
        (_("Name"), lambda n: n.name),
        (_("Unit"), lambda n: n.unit.name),
        (_("Figures"), lambda n: "；".join(f"{label} {value}" for label, value in figure_rows(n.figures))),
        (_("Reason"), lambda n: n.reason),
        (_("Status"), lambda n: n.get_status_display()),
        (_("Proposed by"), lambda n: str(n.proposed_by or "")),
        (_("Decided by"), lambda n: str(n.decided_by or "")),
        (_("Decided at"), lambda n: _when(n.decided_at)),
        (_("Leadership's note"), lambda n: n.decision_note),
    ]
    values = [value for _header, value in columns]
    return ExportRows(
        headers=[header for header, _value in columns],
        queryset=rows.select_related("unit", "person", "proposed_by", "decided_by").order_by(
            "kind", "category", "unit__path", "pk"
        ),
        row=lambda n: [
            escape_formula(cell) if isinstance(cell, str) else cell for cell in (value(n) for value in values)
        ],
        filters=[key for key in ("year", "status", "town") if params.get(key)],
    )


NOMINATIONS = register_export(
    ExportKind(
        kind="assessment_nominations",
        capability="assessment.nominate",
        label=lambda: _("Year-end nominations"),
        filename="nominations",
        build=nominations_rows,
    )
)
