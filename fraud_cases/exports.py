"""The fraud cases export as a :class:`core.exports.ExportKind`: the list's filters, the user's scope, masked
numbers, formula-escaped cells. Up to ``EXPORT_ASYNC_ROWS`` rows the file is answered at once; more rows (a
county's cases) are written by a background job (:mod:`core.exports`) instead of being cut at a cap."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import ExportKind, ExportRefused, ExportRows, register_export
from residents.resources import escape_formula

from . import selectors
from .filters import FraudCaseFilter


def export_columns():
    return [
        (_("Case number"), lambda case: case.case_number),
        (_("Reported at"), lambda case: timezone.localtime(case.reported_at).strftime("%Y-%m-%d %H:%M")),
        (_("Village code"), lambda case: case.village.code),
        (_("Village or community"), lambda case: case.village.name),
        (_("Victim"), lambda case: case.victim.name),
        (_("ID number"), lambda case: case.victim.masked_id_number),
        (_("Phone"), lambda case: case.victim.masked_phone),
        (_("Fraud type"), lambda case: case.get_fraud_type_display()),
        (_("Loss (yuan)"), lambda case: str(case.loss_amount)),
        (_("Recovered (yuan)"), lambda case: str(case.recovered_amount)),
        (_("Source"), lambda case: case.get_source_display()),
        (_("Defrauded after warning"), lambda case: _("Yes") if case.warning_id else _("No")),
        (_("Warning"), lambda case: case.warning.external_id if case.warning_id else ""),
    ]


def cases_rows(*, user, params) -> ExportRows:
    filterset = FraudCaseFilter(params, queryset=selectors.cases_for_user(user=user))
    if not filterset.is_valid():
        raise ExportRefused(_("These filters are not valid."))
    columns = export_columns()
    values = [value for _header, value in columns]
    return ExportRows(
        headers=[header for header, _value in columns],
        queryset=filterset.qs,
        row=lambda case: [escape_formula(value(case)) for value in values],
        filters=[key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")],
        fields=["id_number:masked", "phone:masked"],
    )


CASES = register_export(
    ExportKind(
        kind="fraud_cases",
        capability="fraud_cases.view",
        label=lambda: _("Fraud cases"),
        filename="fraud-cases",
        build=cases_rows,
    )
)
