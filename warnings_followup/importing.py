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
    every configured language by ``residents.importing.match_headers``, and the police platform's
    own Chinese headers (:data:`COLUMNS`' aliases) are accepted literally as well.

Reading and checking reuse the registry's import: ``read_table`` (core.workbooks: bomb-checked, read in the
worker), ``match_headers``, the registry's cell widgets (the shared validators of ``core.validators``) and
the village widget, which calls a village outside the user's scope "unknown", like a code that
does not exist. Every bad cell is reported with its row number, its column as the file spells it,
and a message; a dry run lists them all and writes nothing.

Writing is all or nothing: the commit checks the sheet again inside one transaction and calls
``services.warning_push`` per warning; any problem rolls everything back, notifications included
(they are queued on commit). An instruction number already pushed is left alone, so importing the
same file again creates nothing.

Jobs run on ``core.models.ImportJob`` (kind ``warnings``) through ``core.imports`` (:data:`IMPORTER`),
with the upload → dry run → confirm → result flow shared with the registry's import.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.imports import Importer, ImportOutcome, ImportRollback, all_or_nothing_import, header_key
from core.validators import EXCEL_NUMBER_MESSAGE, bank_account_luhn_warning, normalize_bank_account
from organization.models import UnitKind
from residents.importing import PROGRESS_EVERY, Table, check_upload_headers, match_headers
from residents.resources import IdNumberWidget, PhoneWidget, ScopedUnitWidget, TextWidget, cell_text

from .models import FraudType, RiskLevel, Warning
from .serializers import CLOCK_SKEW, FRAUD_TYPE_NAMES_ZH
from .services import warning_push

logger = logging.getLogger(__name__)

CAPABILITY = "warnings.push"
LOOKUP_BATCH = 1000


# --- columns ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the sheet: its header (translated), whether the first row of a warning needs it,
    and the police platform's spellings of its header."""

    column_name: object
    required: bool = False
    aliases: tuple[str, ...] = ()
    readonly: bool = False  # read by ``match_headers``: every column here is imported


COLUMNS: dict[str, Column] = {
    "external_id": Column(_("Instruction number"), True, ("指令编号", "预警指令编号", "指令号")),
    "person_name": Column(pgettext_lazy("person", "Name"), True, ("姓名", "预警对象姓名")),
    "id_number": Column(_("ID number"), True, ("身份证号", "身份证号码", "公民身份号码")),
    "phone": Column(_("Phone"), False, ("手机号", "手机号码", "联系电话")),
    "village": Column(_("Village code"), True, ("村居编码", "村居代码")),
    "address": Column(_("Address"), False, ("地址", "住址", "居住地址")),
    "fraud_type": Column(_("Fraud type"), True, ("诈骗类型",)),
    "risk_level": Column(_("Risk level"), True, ("风险等级",)),
    "summary": Column(_("Summary"), False, ("简要情况", "简要案情")),
    "bank": Column(_("Stop-payment bank"), False, ("止付银行", "开户银行")),
    "account_number": Column(_("Stop-payment account"), False, ("止付账号", "止付卡号", "银行账号")),
    "pushed_at": Column(_("Push time"), False, ("推送时间", "下发时间")),
}
#: The columns that describe the warning itself (the same on every row of one instruction number).
WARNING_FIELDS = ("person_name", "id_number", "phone", "village", "address", "fraud_type", "risk_level", "summary")
#: Text columns of the template, so that Excel keeps every digit.
TEXT_COLUMNS = ("external_id", "id_number", "phone", "village", "account_number", "pushed_at")


class WarningSheet:
    """The columns in the shape ``residents.importing.match_headers`` reads (a resource's)."""

    fields = COLUMNS
    required_fields = tuple(name for name, column in COLUMNS.items() if column.required)

    def get_export_order(self) -> list[str]:
        return list(COLUMNS)


def match_warning_headers(table: Table) -> dict[int, str]:
    """Column positions -> column names, accepting the police platform's Chinese headers literally.

    Raises ``ValidationError`` listing every missing, unknown or repeated column.
    """
    aliases = {header_key(alias): str(column.column_name) for column in COLUMNS.values() for alias in column.aliases}
    headers = [aliases.get(header_key(header), header) if header else header for header in table.headers]
    return match_headers(replace(table, headers=headers), WarningSheet())


# --- cells -----------------------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _lookup(choices, extra: dict[str, str]) -> dict[str, str]:
    """Codes, labels in every configured language and ``extra`` spellings, without spaces, case-folded."""
    table = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in choices.choices:
                table[_key(str(label))] = code
    table.update({_key(code): code for code in choices.values})
    table.update({_key(text): code for text, code in extra.items()})
    return table


def _key(text: str) -> str:
    return "".join(str(text).split()).casefold()


RISK_SPELLINGS = {
    "高": RiskLevel.HIGH,
    "中": RiskLevel.MEDIUM,
    "低": RiskLevel.LOW,
    "高风险": RiskLevel.HIGH,
    "中风险": RiskLevel.MEDIUM,
    "低风险": RiskLevel.LOW,
}


class Cells:
    """Cleans the cells of one sheet for one user; raises ``ValueError`` with the message to show."""

    def __init__(self, user):
        self.external_id = TextWidget(max_length=64, required_message=_("Enter the instruction number."))
        self.person_name = TextWidget(max_length=50, required_message=_("Enter the person's name."))
        self.id_number = IdNumberWidget()
        self.phone = PhoneWidget()
        self.village = ScopedUnitWidget(
            UnitKind.VILLAGE,
            unknown_message=_("Unknown village code “%(code)s”."),
            required_message=_("Enter a village code."),
        )
        self.village.user = user
        self.address = TextWidget(max_length=200)
        self.summary = TextWidget(max_length=5000)
        self.bank = TextWidget(max_length=60)
        self._fraud_types = _lookup(FraudType, {name: code for code, name in FRAUD_TYPE_NAMES_ZH.items()})
        self._risk_levels = _lookup(RiskLevel, RISK_SPELLINGS)

    def clean(self, name: str, value):
        return getattr(self, f"clean_{name}")(value)

    def clean_external_id(self, value):
        if isinstance(value, float) or (_is_number(value) and abs(value) >= 10**15):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        return self.external_id.clean(value)

    def clean_person_name(self, value):
        return self.person_name.clean(value)

    def clean_id_number(self, value):
        return self.id_number.clean(value)

    def clean_phone(self, value):
        return self.phone.clean(value)

    def clean_village(self, value):
        return self.village.clean(value)

    def clean_address(self, value):
        return self.address.clean(value)

    def clean_summary(self, value):
        return self.summary.clean(value)

    def clean_bank(self, value):
        return self.bank.clean(value)

    def clean_fraud_type(self, value):
        text = cell_text(value)
        if not text:
            raise ValueError(gettext("Enter the fraud type."))
        code = self._fraud_types.get(_key(text))
        if code is None:
            raise ValueError(
                gettext("Unknown fraud type “%(value)s”. The fraud types are listed in the template's instructions.")
                % {"value": text}
            )
        return code

    def clean_risk_level(self, value):
        text = cell_text(value)
        code = self._risk_levels.get(_key(text)) if text else None
        if code is None:
            raise ValueError(gettext("Enter the risk level: 高, 中 or 低 (high, medium or low)."))
        return code

    def clean_account_number(self, value):
        """Digits only; a number cell of more than 15 digits has lost its last digits in Excel."""
        if isinstance(value, float) or (_is_number(value) and abs(value) >= 10**15):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        text = cell_text(value)
        if not text:
            return ""
        try:
            return normalize_bank_account(text)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None

    def clean_pushed_at(self, value):
        """A date and time (local time unless the text gives an offset), or an Excel date cell; empty: now."""
        if value is None or value == "":
            return None
        if _is_number(value):
            moment = _excel_serial(value)
        else:
            text = cell_text(value).translate(str.maketrans({"/": "-", "：": ":"}))
            try:
                moment = parse_datetime(text)
                if moment is None:
                    day = parse_date(text)
                    moment = datetime.datetime.combine(day, datetime.time()) if day else None
            except ValueError:
                moment = None
        if moment is None:
            raise ValueError(
                gettext("Enter the push time as a date and time, such as %(example)s.")
                % {"example": "2025-03-01 09:30"}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now() + CLOCK_SKEW:
            raise ValueError(gettext("The push time cannot be in the future."))
        return moment


EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def _excel_serial(value) -> datetime.datetime | None:
    """An Excel date cell (days since 1899-12-30, the fraction is the time of day), read as local time."""
    if not 1 <= value < 2958466:  # up to 9999-12-31
        return None
    return EXCEL_EPOCH + datetime.timedelta(seconds=round(float(value) * 86400))


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
class WarningImportPlan:
    warnings: dict[str, PlannedWarning] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

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


def _existing_external_ids(external_ids: set[str]) -> set[str]:
    ids = sorted(external_ids)
    found = set()
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start : start + LOOKUP_BATCH]
        found.update(Warning.objects.filter(external_id__in=batch).values_list("external_id", flat=True))
    return found


def plan_warnings(table: Table, columns: dict[int, str], *, user, progress: Callable | None = None):
    """Check every row of a sheet whose headers matched; a few queries whatever the number of rows.

    ``progress(rows_done)`` is called every few hundred rows.
    """
    index_of = {name: index for index, name in columns.items()}
    cells = Cells(user)
    plan = WarningImportPlan(total_rows=len(table.rows))
    found: list[tuple[tuple[int, int], dict]] = []

    def problem(number: int, name: str, message) -> None:
        entry = {"row": number, "column": table.headers[index_of[name]], "message": str(message)}
        found.append(((number, index_of[name]), entry))

    if "village" in index_of:
        cells.village.preload(cell_text(_cell(row, index_of["village"])) for row in table.rows)
    for position, (row, number) in enumerate(zip(table.rows, table.row_numbers, strict=True), start=1):
        raw = {name: _cell(row, index) for name, index in index_of.items()}
        values, errors = {}, {}
        for name, value in raw.items():
            try:
                values[name] = cells.clean(name, value)
            except ValueError as exc:
                errors[name] = str(exc)
        external_id = values.get("external_id")
        planned = plan.warnings.get(external_id) if external_id else None
        for name, message in errors.items():
            # A further row of an instruction may leave the warning's columns empty (merged cells).
            if planned is None or name not in WARNING_FIELDS or cell_text(raw[name]):
                problem(number, name, message)
        if external_id:
            _plan_row(plan, planned, values, errors, number, problem)
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)
    for external_id in _existing_external_ids(set(plan.warnings)):
        plan.warnings[external_id].exists = True
    plan.problems = [entry for _position, entry in sorted(found, key=lambda item: item[0])]
    if progress is not None:
        progress(len(table.rows))
    return plan


def _cell(row: list, index: int):
    return row[index] if index < len(row) else None


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
            plan.notices.append(
                {"row": number, "column": str(COLUMNS["account_number"].column_name), "message": notice}
            )


# --- importing -------------------------------------------------------------------------------------------

SERVICE_FIELDS = {"name": "person_name", "stop_payment_accounts": "account_number"}


def warnings_import(*, data: bytes | Table, user, dry_run: bool, progress=None) -> ImportOutcome:
    """Check (and unless ``dry_run``, push) a sheet of warnings, all or nothing."""
    return all_or_nothing_import(
        data=data,
        user=user,
        dry_run=dry_run,
        progress=progress,
        match_headers=match_warning_headers,
        plan=plan_warnings,
        write=_push_all,
    )


def _push_all(plan, table: Table, columns: dict[int, str], *, user, progress) -> dict:
    new = plan.new_warnings
    created = 0
    for position, item in enumerate(new, start=1):
        created += _push(item, table, columns, user=user)
        progress(len(table.rows) * position // len(new))
    return {"created": created}


def _push(item: PlannedWarning, table: Table, columns: dict[int, str], *, user) -> int:
    try:
        result = warning_push(
            actor=user, external_id=item.external_id, stop_payment_accounts=item.accounts, **item.arguments
        )
    except ValidationError as exc:
        headers = {name: table.headers[index] for index, name in columns.items()}
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
        errors = [
            {
                "row": item.first_row,
                "column": headers.get(SERVICE_FIELDS.get(key, key), ""),
                "message": " ".join(str(message) for message in messages),
            }
            for key, messages in pairs
        ]
        raise ImportRollback(errors) from None
    return int(result.created)


# --- jobs ------------------------------------------------------------------------------------------------


def check_upload(uploaded, user) -> tuple[bytes, str]:
    """Container checked in the request; a CSV file's headers at once, a workbook's in the dry run (the worker)."""
    return check_upload_headers(uploaded, match_warning_headers)


IMPORTER = Importer(
    capability=CAPABILITY,
    check=check_upload,
    run=warnings_import,
    refused=_("You may no longer push warnings."),
)
