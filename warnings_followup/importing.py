"""Pushing warnings from an Excel batch (预警指令批量导入): the police platform's export, one account per row.

The sheet
    One row per account under stop-payment: ``指令编号`` (the instruction number, ``external_id``),
    ``姓名``, ``身份证号``, ``手机号``, ``村居编码``, ``地址``, ``诈骗类型`` (code or Chinese name), ``风险等级``
    (高/中/低 or high/medium/low), ``简要情况``, ``止付银行``, ``止付账号``, ``推送时间`` (optional). Several
    rows with the same instruction number are several accounts of one warning; on those further rows
    the warning's other columns may be left empty (as merged cells export) or repeat the first row's
    values, never differ from them. A warning without accounts is one row with both account cells empty.

Headers
    The columns' names are English source strings (translated in the UI); headers are matched in
    every configured language, and the police platform's own Chinese headers (the columns' aliases)
    are accepted literally as well.

Reading, header matching, the cells (the shared validators of ``core.validators``), dry run and progress are
``core.sheets``'; the village cell (``organization.importing``) calls a village outside the user's scope
"unknown", like a code that does not exist. Every bad cell is reported with its row number, its column as
the file spells it, and a message; a dry run lists them all and writes nothing.

Writing is all or nothing: the commit checks the sheet again inside one transaction and calls
``services.warning_push`` per warning; any problem rolls everything back, notifications included
(they are queued on commit). An instruction number already pushed is left alone, so importing the
same file again creates nothing.

Jobs run on ``core.models.ImportJob`` (kind ``warnings``, :class:`WarningSheet`) through ``core.imports``,
with the upload → dry run → confirm → result flow shared by every import.

Pages
    :data:`PAGES`: the upload, dry run, confirm and result pages of ``core.import_views``, with this import's
    wording, summaries, and the template workbook's example row and notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.cells import BankAccountCell, ChoiceCell, MomentCell, TextCell, cell_text
from core.import_views import ImportPages
from core.models import ImportJob
from core.sheets import ID_NUMBER, PHONE, Column, ImportRollback, Plan, Table, existing_values, register
from core.validators import bank_account_luhn_warning, make_id_number
from organization.importing import VILLAGE, ScopedSheet
from organization.selectors import villages_for_user

from .models import FraudType, RiskLevel, WarningOrder
from .serializers import CLOCK_SKEW, FRAUD_TYPE_NAMES_ZH
from .services import warning_push

CAPABILITY = "warnings.push"

RISK_SPELLINGS = {
    "高": RiskLevel.HIGH,
    "中": RiskLevel.MEDIUM,
    "低": RiskLevel.LOW,
    "高风险": RiskLevel.HIGH,
    "中风险": RiskLevel.MEDIUM,
    "低风险": RiskLevel.LOW,
}
# The cells other imports of the police's exports share (``fraud_cases.importing``).
INSTRUCTION_NUMBER = TextCell(max_length=64, required_message=_("Enter the instruction number."), excel_numbers=True)
FRAUD_TYPE = ChoiceCell(
    FraudType,
    extra={name: code for code, name in FRAUD_TYPE_NAMES_ZH.items()},
    required_message=_("Enter the fraud type."),
    message=_("Unknown fraud type “%(value)s”. The fraud types are listed in the template's instructions."),
)

COLUMNS: dict[str, Column] = {
    "external_id": Column(
        _("Instruction number"), INSTRUCTION_NUMBER, True, ("指令编号", "预警指令编号", "指令号"), True
    ),
    "person_name": Column(
        pgettext_lazy("person", "Name"),
        TextCell(max_length=50, required_message=_("Enter the person's name.")),
        True,
        ("姓名", "预警对象姓名"),
    ),
    "id_number": ID_NUMBER,
    "phone": PHONE,
    "village": VILLAGE,
    "address": Column(_("Address"), TextCell(max_length=200), False, ("地址", "住址", "居住地址")),
    "fraud_type": Column(_("Fraud type"), FRAUD_TYPE, True, ("诈骗类型",)),
    "risk_level": Column(
        _("Risk level"),
        ChoiceCell(
            RiskLevel, extra=RISK_SPELLINGS, message=_("Enter the risk level: 高, 中 or 低 (high, medium or low).")
        ),
        True,
        ("风险等级",),
    ),
    "summary": Column(_("Summary"), TextCell(max_length=5000), False, ("简要情况", "简要案情"), wide=True),
    "bank": Column(_("Stop-payment bank"), TextCell(max_length=60), False, ("止付银行", "开户银行")),
    "account_number": Column(
        _("Stop-payment account"), BankAccountCell(), False, ("止付账号", "止付卡号", "银行账号"), True, True
    ),
    "pushed_at": Column(_("Push time"), MomentCell(skew=CLOCK_SKEW), False, ("推送时间", "下发时间"), True),
}
#: The columns that describe the warning itself (the same on every row of one instruction number).
WARNING_FIELDS = ("person_name", "id_number", "phone", "village", "address", "fraud_type", "risk_level", "summary")


# --- the plan --------------------------------------------------------------------------------------------


@dataclass
class PlannedWarning:
    """One instruction number of the sheet: the arguments of ``warning_push`` and where they came from."""

    external_id: str
    first_row: int
    arguments: dict
    accounts: list[dict] = field(default_factory=list)
    account_rows: list[int] = field(default_factory=list)
    exists: bool = False


@dataclass
class WarningImportPlan(Plan):
    warnings: dict[str, PlannedWarning] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)

    @property
    def new_warnings(self) -> list[PlannedWarning]:
        return [planned for planned in self.warnings.values() if not planned.exists]

    def summary(self, *, created: int | None = None) -> dict:
        new = self.new_warnings
        return {
            "warnings": len(self.warnings),
            "created": len(new) if created is None else created,
            "existing": len(self.warnings) - len(new),
            "accounts": sum(len(planned.accounts) for planned in new),
            "notices": self.notices,
        }


# --- the sheet -------------------------------------------------------------------------------------------

SERVICE_FIELDS = {"name": "person_name", "stop_payment_accounts": "account_number"}


@register
class WarningSheet(ScopedSheet):
    kind = "warnings"
    label = _("Warnings")
    capability = CAPABILITY
    refused = _("You may no longer push warnings.")
    columns = COLUMNS

    def plan(self, table: Table, columns: dict[int, str], *, progress: Callable | None = None) -> WarningImportPlan:
        """Check every row of a sheet whose headers matched; a few queries whatever the number of rows."""
        plan = WarningImportPlan(total_rows=len(table.rows))
        order = {name: index for index, name in columns.items()}
        found: list[tuple[tuple[int, int], dict]] = []

        def problem(number: int, name: str, message) -> None:
            found.append(((number, order[name]), self.problem(table, columns, number, name, message)))

        for row in self.rows(table, columns, progress):
            external_id = row.values.get("external_id")
            planned = plan.warnings.get(external_id) if external_id else None
            for name, message in row.errors.items():
                # A further row of an instruction may leave the warning's columns empty (merged cells).
                if planned is None or name not in WARNING_FIELDS or cell_text(row.raw[name]):
                    problem(row.number, name, message)
            if external_id:
                _plan_row(plan, planned, row.values, row.errors, row.number, problem)
        for external_id in existing_values(WarningOrder.objects.all(), "external_id", plan.warnings):
            plan.warnings[external_id].exists = True
        plan.problems = [entry for _position, entry in sorted(found, key=lambda item: item[0])]
        if progress is not None:
            progress(len(table.rows))
        return plan

    def write(self, plan: WarningImportPlan, table: Table, columns: dict[int, str], *, progress) -> dict:
        headers = {name: table.headers[index] for index, name in columns.items()}
        new = plan.new_warnings
        created = 0
        for position, item in enumerate(new, start=1):
            try:
                result = warning_push(
                    actor=self.user, external_id=item.external_id, stop_payment_accounts=item.accounts, **item.arguments
                )
            except ValidationError as exc:
                errors = self.service_errors(exc, row=item.first_row, headers=headers, fields=SERVICE_FIELDS)
                raise ImportRollback(errors) from None
            created += int(result.created)
            progress(len(table.rows) * position // len(new))
        return {"created": created}


def _plan_row(plan, planned: PlannedWarning | None, values: dict, errors: dict, number: int, problem) -> None:
    """Add a checked row to its instruction: the warning's columns from its first row, one account per row."""
    external_id = values["external_id"]
    if planned is None:
        arguments = {name: values.get(name, "") for name in (*WARNING_FIELDS, "pushed_at")}
        planned = plan.warnings[external_id] = PlannedWarning(external_id, number, arguments)
    else:
        for name in (*WARNING_FIELDS, "pushed_at"):
            value = values.get(name)
            if name in errors or value in (None, ""):
                continue
            first = planned.arguments.get(name)
            if first in (None, ""):
                planned.arguments[name] = value
            elif first != value:
                problem(
                    number,
                    name,
                    gettext("Instruction %(number)s has a different value on row %(row)d.")
                    % {"number": external_id, "row": planned.first_row},
                )
    if "bank" in errors or "account_number" in errors:
        return
    bank, account = values.get("bank") or "", values.get("account_number") or ""
    if not account and bank:
        problem(number, "account_number", gettext("Enter the account number of this bank."))
    elif account and not bank:
        problem(number, "bank", gettext("Enter the bank of this account."))
    elif account and all(known["account_number"] != account for known in planned.accounts):
        planned.accounts.append({"bank": bank, "account_number": account})
        planned.account_rows.append(number)
        notice = bank_account_luhn_warning(account)
        if notice:
            plan.notices.append({"row": number, "column": WarningSheet.header("account_number"), "message": notice})


def warnings_import(*, data: bytes | Table, user, dry_run: bool, progress=None):
    """Check (and unless ``dry_run``, push) a sheet of warnings, all or nothing."""
    return WarningSheet(user).run(data=data, dry_run=dry_run, progress=progress)


# --- the pages (core.import_views) ------------------------------------------------------------------------


def outcome(job: ImportJob) -> dict:
    created, existing = job.summary.get("created", 0), job.summary.get("existing", 0)
    ready = ngettext(
        "%(counter)s new warning ready to push, with %(accounts)s accounts under stop-payment.",
        "%(counter)s new warnings ready to push, with %(accounts)s accounts under stop-payment.",
        created,
    ) % {"counter": created, "accounts": job.summary.get("accounts", "")}
    result = ngettext(
        "%(counter)s warning pushed; the village teams have been notified.",
        "%(counter)s warnings pushed; the village teams have been notified.",
        created,
    ) % {"counter": created}
    if existing:
        ready += " " + ngettext(
            "%(counter)s instruction number was already pushed and will be left unchanged.",
            "%(counter)s instruction numbers were already pushed and will be left unchanged.",
            existing,
        ) % {"counter": existing}
        result += " " + ngettext(
            "%(counter)s instruction number was already pushed and was left unchanged.",
            "%(counter)s instruction numbers were already pushed and were left unchanged.",
            existing,
        ) % {"counter": existing}
    return {"ready": ready, "result": result, "confirmable": job.can_confirm and bool(created)}


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    return {
        "external_id": f"YJ{timezone.localdate():%Y%m%d}0001",
        "person_name": gettext("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "address": gettext("No. 1 Xingfu Road"),
        "fraud_type": FRAUD_TYPE_NAMES_ZH[FraudType.INVESTMENT.value],
        "risk_level": str(RiskLevel.HIGH.label),
        "summary": gettext("Contacted a fake investment platform and transferred money twice."),
        "bank": gettext("Agricultural Bank of China"),
        "account_number": "6228480402564890018",
        "pushed_at": f"{timezone.localtime().replace(second=0, microsecond=0):%Y-%m-%d %H:%M}",
    }


def notes(user) -> list:
    notes = [
        gettext("One row per account under stop-payment; replace the example row."),
        gettext("A warning with several accounts takes several rows with the same instruction number."),
        gettext("A warning without accounts is one row with the bank and account columns empty."),
        gettext("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        gettext("The police platform's export, with its Chinese headers, can be uploaded as it is."),
        gettext("Keep the ID number, phone and account columns formatted as Text, or Excel will destroy the numbers."),
        gettext("An instruction number already pushed is left unchanged: importing a file again creates nothing."),
        gettext("Village codes are those of the organisation pages."),
        gettext("Risk level: %(levels)s.") % {"levels": "高、中、低 (high, medium, low)"},
        gettext("Push time: a date and time such as 2025-03-01 09:30; empty means the time of the import."),
        gettext("Fraud types (a code or a name):"),
    ]
    notes += [f"{code} · {FRAUD_TYPE_NAMES_ZH[code]} · {label}" for code, label in FraudType.choices]
    return notes


PAGES = ImportPages(
    sheet=WarningSheet,
    namespace="warnings_followup",
    title=gettext_lazy("Import warnings"),
    steps=(
        gettext_lazy(
            "Upload the police platform's export as it is, or fill in the template: one row per account under "
            "stop-payment."
        ),
        gettext_lazy("Every row is checked first, and nothing is pushed until you confirm."),
        gettext_lazy("Instruction numbers already pushed are left unchanged, never duplicated."),
    ),
    confirm_label=gettext_lazy("Push these warnings"),
    done=lambda: {"url": reverse("warnings_followup:queue") + "?tab=pushed", "label": gettext("See the work queue")},
    outcome=outcome,
    example=example,
    notes=notes,
    sheet_title=gettext_lazy("Warnings"),
    template_filename="warnings-template.xlsx",
    parents=(("warnings_followup:queue", gettext_lazy("Work queue")),),
    notices_heading=gettext_lazy("Please check these account numbers (they do not block the import):"),
)
