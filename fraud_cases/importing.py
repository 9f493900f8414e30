"""Registering fraud cases from an Excel batch (the 110 dispatch system's or the investigation platform's export).

The sheet
    One row per case: ``案件编号`` (the case number), ``报案时间``, ``姓名``, ``身份证号``, ``手机号`` (optional),
    ``村居编码``, ``诈骗类型`` (code or Chinese name), ``损失金额``, ``挽损金额`` (optional), ``案件来源``
    (110, platform/平台 or other/其他). Headers are matched in every configured language and the Chinese
    spellings above are accepted literally.

Checking is ``core.sheets``' (the cells, Excel dates) with the warnings import's public cells (fraud type
spellings, the scoped village: ``warnings_followup.importing``); every bad cell is reported with its row, its
column as the file spells it and a message, and a dry run writes nothing. A case number already registered is
left alone, so importing the same file again creates nothing; the same case number twice in one file is an error.

Writing is all or nothing: the commit checks the sheet again inside one transaction and calls
``services.fraud_case_register`` per new case (victims created from an import get the resident source
"Excel import"); any problem rolls everything back (warning notifications included: they are queued on
commit). Jobs run on ``core.models.ImportJob`` (kind ``fraud_cases``, :class:`CaseSheet`) through ``core.imports``.

Pages
    :data:`PAGES`: the upload, dry run, confirm and result pages of ``core.import_views``, with this import's
    wording, summaries, and the template workbook's example row and notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.cells import AmountCell, ChoiceCell, MomentCell, TextCell
from core.import_views import ImportPages
from core.models import ImportJob
from core.sheets import ID_NUMBER, PHONE, Column, ImportRollback, Plan, Table, existing_values, register
from core.validators import make_id_number
from organization.importing import VILLAGE, ScopedSheet
from organization.selectors import villages_for_user
from residents.models import ResidentSource
from warnings_followup.importing import FRAUD_TYPE
from warnings_followup.models import FraudType
from warnings_followup.serializers import FRAUD_TYPE_NAMES_ZH

from .models import CaseSource, FraudCase
from .services import CLOCK_SKEW, fraud_case_register

CAPABILITY = "fraud_cases.register"
SOURCE_SPELLINGS = {
    "110": CaseSource.DISPATCH_110,
    "110接处警": CaseSource.DISPATCH_110,
    "110接处警系统": CaseSource.DISPATCH_110,
    "平台": CaseSource.PLATFORM,
    "侦办平台": CaseSource.PLATFORM,
    "电信网络诈骗侦办平台": CaseSource.PLATFORM,
    "其他": CaseSource.OTHER,
}
REPORTED_AT = MomentCell(
    skew=CLOCK_SKEW,
    required_message=_("Enter when the case was reported."),
    message=_("Enter the report time as a date and time, such as %(example)s; it cannot be in the future."),
    example="2026-03-01 09:30",
)

COLUMNS: dict[str, Column] = {
    "case_number": Column(
        _("Case number"),
        TextCell(max_length=64, required_message=_("Enter the case number."), excel_numbers=True),
        True,
        ("案件编号", "警情编号", "案件编号/警情编号", "接警编号"),
        True,
        True,
    ),
    "reported_at": Column(_("Report time"), REPORTED_AT, True, ("报案时间", "报警时间", "接警时间"), True, True),
    "victim_name": Column(
        pgettext_lazy("person", "Name"),
        TextCell(max_length=50, required_message=_("Enter the victim's name.")),
        True,
        ("姓名", "受害人姓名", "事主姓名"),
    ),
    "id_number": ID_NUMBER,
    "phone": PHONE,
    "village": VILLAGE,
    "fraud_type": Column(_("Fraud type"), FRAUD_TYPE, True, ("诈骗类型", "案件类型")),
    "loss_amount": Column(_("Loss (yuan)"), AmountCell(required=True), True, ("损失金额", "损失金额(元)", "涉案金额")),
    "recovered_amount": Column(_("Recovered (yuan)"), AmountCell(), False, ("挽损金额", "挽损金额(元)", "追回金额")),
    "source": Column(
        _("Source"),
        ChoiceCell(
            CaseSource, extra=SOURCE_SPELLINGS, message=_("Enter the source: 110, 平台 (platform) or 其他 (other).")
        ),
        True,
        ("案件来源", "来源"),
    ),
}


@dataclass
class PlannedCase:
    row: int
    arguments: dict
    exists: bool = False


@dataclass
class CaseImportPlan(Plan):
    cases: dict[str, PlannedCase] = field(default_factory=dict)

    @property
    def new_cases(self) -> list[PlannedCase]:
        return [planned for planned in self.cases.values() if not planned.exists]

    def summary(self, *, created: int | None = None, warned: int | None = None) -> dict:
        new = self.new_cases
        return {
            "cases": len(self.cases),
            "created": len(new) if created is None else created,
            "existing": len(self.cases) - len(new),
            "defrauded_after_warning": warned or 0,
        }


@register
class CaseSheet(ScopedSheet):
    kind = "fraud_cases"
    label = _("Fraud cases")
    capability = CAPABILITY
    refused = _("You may no longer register fraud cases.")
    columns = COLUMNS

    def plan(self, table: Table, columns: dict[int, str], *, progress: Callable | None = None) -> CaseImportPlan:
        """Check every row; a few queries whatever the number of rows."""
        plan = CaseImportPlan(total_rows=len(table.rows))
        first_rows: dict[str, int] = {}  # case number -> the row it first appears on
        for row in self.rows(table, columns, progress):
            number, values = row.number, row.values
            plan.problems.extend(
                self.problem(table, columns, number, name, message) for name, message in row.errors.items()
            )
            ok = not row.errors
            case_number = values.get("case_number")
            if case_number and case_number in first_rows:
                ok = False
                message = gettext("Case %(number)s is already on row %(row)d.") % {
                    "number": case_number,
                    "row": first_rows[case_number],
                }
                plan.problems.append(self.problem(table, columns, number, "case_number", message))
            elif case_number:
                first_rows[case_number] = number
            if ok:
                recovered, loss = values.get("recovered_amount", Decimal("0")), values["loss_amount"]
                if recovered > loss:
                    message = gettext("The recovered amount cannot exceed the loss.")
                    plan.problems.append(self.problem(table, columns, number, "recovered_amount", message))
                else:
                    values.setdefault("phone", "")
                    values.setdefault("recovered_amount", Decimal("0"))
                    plan.cases[case_number] = PlannedCase(number, values)
        for case_number in existing_values(FraudCase.objects.all(), "case_number", plan.cases):
            plan.cases[case_number].exists = True
        if progress is not None:
            progress(len(table.rows))
        return plan

    def write(self, plan: CaseImportPlan, table: Table, columns: dict[int, str], *, progress) -> dict:
        headers = {name: table.headers[index] for index, name in columns.items()}
        new = plan.new_cases
        created = warned = 0
        for position, item in enumerate(new, start=1):
            try:
                case, was_created = fraud_case_register(
                    actor=self.user, resident_source=ResidentSource.FRAUD_CASE, **item.arguments
                )
            except ValidationError as exc:
                raise ImportRollback(self.service_errors(exc, row=item.row, headers=headers)) from None
            created += int(was_created)
            warned += int(was_created and case.defrauded_after_warning)
            progress(len(table.rows) * position // len(new))
        return {"created": created, "warned": warned}


def cases_import(*, data: bytes | Table, user, dry_run: bool, progress=None):
    """Check (and unless ``dry_run``, register) a sheet of cases, all or nothing."""
    return CaseSheet(user).run(data=data, dry_run=dry_run, progress=progress)


# --- the pages (core.import_views) ------------------------------------------------------------------------


def outcome(job: ImportJob) -> dict:
    created, existing = job.summary.get("created", 0), job.summary.get("existing", 0)
    ready = ngettext(
        "%(counter)s new case ready to register.",
        "%(counter)s new cases ready to register.",
        created,
    ) % {"counter": created}
    result = ngettext("%(counter)s case registered.", "%(counter)s cases registered.", created) % {"counter": created}
    warned = job.summary.get("defrauded_after_warning", 0)
    if warned:
        result += " " + ngettext(
            "%(counter)s victim had been warned before (defrauded after warning).",
            "%(counter)s victims had been warned before (defrauded after warning).",
            warned,
        ) % {"counter": warned}
    if existing:
        ready += " " + ngettext(
            "%(counter)s case number is already registered and will be left unchanged.",
            "%(counter)s case numbers are already registered and will be left unchanged.",
            existing,
        ) % {"counter": existing}
        result += " " + ngettext(
            "%(counter)s case number was already registered and was left unchanged.",
            "%(counter)s case numbers were already registered and were left unchanged.",
            existing,
        ) % {"counter": existing}
    return {"ready": ready, "result": result, "confirmable": job.can_confirm and bool(created)}


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    return {
        "case_number": f"A{timezone.localdate():%Y%m%d}0001",
        "reported_at": f"{timezone.localtime().replace(second=0, microsecond=0):%Y-%m-%d %H:%M}",
        "victim_name": gettext("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "fraud_type": FRAUD_TYPE_NAMES_ZH[FraudType.INVESTMENT.value],
        "loss_amount": "38600.00",
        "recovered_amount": "0",
        "source": "110",
    }


def notes(user) -> list:
    notes = [
        gettext("One row per case; replace the example row."),
        gettext("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        gettext(
            "Keep the case number, ID number and phone columns formatted as Text, or Excel will destroy the numbers."
        ),
        gettext("A case number already registered is left unchanged: importing a file again creates nothing."),
        gettext("Victims are linked to the resident registry by ID number, and registered if absent."),
        gettext("Village codes are those of the organisation pages."),
        gettext("Source: 110, 平台 (platform) or 其他 (other)."),
        gettext("Report time: a date and time such as 2026-03-01 09:30."),
        gettext("Fraud types (a code or a name):"),
    ]
    notes += [f"{code} · {FRAUD_TYPE_NAMES_ZH[code]} · {label}" for code, label in FraudType.choices]
    return notes


PAGES = ImportPages(
    sheet=CaseSheet,
    namespace="fraud_cases",
    title=gettext_lazy("Import fraud cases"),
    steps=(
        gettext_lazy("Upload the 110 system's or the investigation platform's export, or fill in the template."),
        gettext_lazy("Every row is checked first, and nothing is registered until you confirm."),
        gettext_lazy("Case numbers already registered are left unchanged, never duplicated."),
    ),
    confirm_label=gettext_lazy("Register these cases"),
    done=lambda: {"url": reverse("fraud_cases:case_list"), "label": gettext("See the cases")},
    outcome=outcome,
    example=example,
    notes=notes,
    sheet_title=gettext_lazy("Fraud cases"),
    template_filename="fraud-cases-template.xlsx",
    parents=(("fraud_cases:case_list", gettext_lazy("Fraud cases")),),
)
