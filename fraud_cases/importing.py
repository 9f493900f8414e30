"""Registering fraud cases from an Excel batch (the 110 dispatch system's or the investigation platform's export).

The sheet
    One row per case: ``案件编号`` (the case number), ``报案时间``, ``姓名``, ``身份证号``, ``手机号`` (optional),
    ``村居编码``, ``诈骗类型`` (code or Chinese name), ``损失金额``, ``挽损金额`` (optional), ``案件来源``
    (110, platform/平台 or other/其他). Headers are matched in every configured language and the Chinese
    spellings above are accepted literally.

Checking reuses the warnings import's pieces (``warnings_followup.importing``: the cell widgets, fraud
type spellings, Excel dates); every bad cell is reported with its row, its column as the file spells it
and a message, and a dry run writes nothing. A case number already registered is left alone, so
importing the same file again creates nothing; the same case number twice in one file is an error.

Writing is all or nothing: the commit checks the sheet again inside one transaction and calls
``services.fraud_case_register`` per new case (victims created from an import get the resident source
"Excel import"); any problem rolls everything back (warning notifications included: they are queued on
commit). Jobs run on ``core.models.ImportJob`` (kind ``fraud_cases``) through ``core.imports``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.imports import Importer, ImportOutcome, ImportRollback, all_or_nothing_import, cell_text, header_key
from residents.importing import PROGRESS_EVERY, Table, check_upload_headers, match_headers
from residents.models import ResidentSource
from warnings_followup.importing import Cells as WarningCells
from warnings_followup.importing import Column, _cell, _key, _lookup

from .models import CaseSource, FraudCase
from .services import fraud_case_register

CAPABILITY = "cases.register"
LOOKUP_BATCH = 1000

COLUMNS: dict[str, Column] = {
    "case_number": Column(_("Case number"), True, ("案件编号", "警情编号", "案件编号/警情编号", "接警编号")),
    "reported_at": Column(_("Report time"), True, ("报案时间", "报警时间", "接警时间")),
    "victim_name": Column(pgettext_lazy("person", "Name"), True, ("姓名", "受害人姓名", "事主姓名")),
    "id_number": Column(_("ID number"), True, ("身份证号", "身份证号码", "公民身份号码")),
    "phone": Column(_("Phone"), False, ("手机号", "手机号码", "联系电话")),
    "village": Column(_("Village code"), True, ("村居编码", "村居代码")),
    "fraud_type": Column(_("Fraud type"), True, ("诈骗类型", "案件类型")),
    "loss_amount": Column(_("Loss (yuan)"), True, ("损失金额", "损失金额(元)", "涉案金额")),
    "recovered_amount": Column(_("Recovered (yuan)"), False, ("挽损金额", "挽损金额(元)", "追回金额")),
    "source": Column(_("Source"), True, ("案件来源", "来源")),
}
TEXT_COLUMNS = ("case_number", "id_number", "phone", "village", "reported_at")
SOURCE_SPELLINGS = {
    "110": CaseSource.DISPATCH_110,
    "110接处警": CaseSource.DISPATCH_110,
    "110接处警系统": CaseSource.DISPATCH_110,
    "平台": CaseSource.PLATFORM,
    "侦办平台": CaseSource.PLATFORM,
    "电信网络诈骗侦办平台": CaseSource.PLATFORM,
    "其他": CaseSource.OTHER,
}


class CaseSheet:
    fields = COLUMNS
    required_fields = tuple(name for name, column in COLUMNS.items() if column.required)

    def get_export_order(self) -> list[str]:
        return list(COLUMNS)


def match_case_headers(table: Table) -> dict[int, str]:
    aliases = {header_key(alias): str(column.column_name) for column in COLUMNS.values() for alias in column.aliases}
    headers = [aliases.get(header_key(header), header) if header else header for header in table.headers]
    return match_headers(replace(table, headers=headers), CaseSheet())


class Cells(WarningCells):
    """The warnings import's cells, plus the case's own."""

    def __init__(self, user):
        super().__init__(user)
        self._sources = _lookup(CaseSource, SOURCE_SPELLINGS)

    def clean_case_number(self, value):
        if not cell_text(value):
            raise ValueError(gettext("Enter the case number."))
        return self.clean_external_id(value)  # the same checks: text, at most 64 characters, no Excel numbers

    def clean_victim_name(self, value):
        text = cell_text(value)
        if not text:
            raise ValueError(gettext("Enter the victim's name."))
        return self.person_name.clean(value)

    def clean_reported_at(self, value):
        if value is None or value == "":
            raise ValueError(gettext("Enter when the case was reported."))
        try:
            return self.clean_pushed_at(value)
        except ValueError:
            raise ValueError(
                gettext("Enter the report time as a date and time, such as %(example)s; it cannot be in the future.")
                % {"example": "2026-03-01 09:30"}
            ) from None

    def _amount(self, value, *, required: bool):
        text = cell_text(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
        if not text:
            if required:
                raise ValueError(gettext("Enter the amount in yuan (0 if none)."))
            return Decimal("0")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("Enter an amount in yuan, such as 12000.50.")) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValueError(gettext("Enter an amount in yuan, such as 12000.50."))
        return amount.quantize(Decimal("0.01"))

    def clean_loss_amount(self, value):
        return self._amount(value, required=True)

    def clean_recovered_amount(self, value):
        return self._amount(value, required=False)

    def clean_source(self, value):
        text = cell_text(value)
        code = self._sources.get(_key(text)) if text else None
        if code is None:
            raise ValueError(gettext("Enter the source: 110, 平台 (platform) or 其他 (other)."))
        return code


@dataclass
class PlannedCase:
    row: int
    arguments: dict
    exists: bool = False


@dataclass
class CaseImportPlan:
    cases: dict[str, PlannedCase] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

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


def _existing_case_numbers(numbers: set[str]) -> set[str]:
    ordered = sorted(numbers)
    found = set()
    for start in range(0, len(ordered), LOOKUP_BATCH):
        batch = ordered[start : start + LOOKUP_BATCH]
        found.update(FraudCase.objects.filter(case_number__in=batch).values_list("case_number", flat=True))
    return found


def plan_cases(table: Table, columns: dict[int, str], *, user, progress: Callable | None = None) -> CaseImportPlan:
    """Check every row; a few queries whatever the number of rows."""
    index_of = {name: index for index, name in columns.items()}
    cells = Cells(user)
    plan = CaseImportPlan(total_rows=len(table.rows))
    first_rows: dict[str, int] = {}  # case number -> the row it first appears on
    if "village" in index_of:
        cells.village.preload(cell_text(_cell(row, index_of["village"])) for row in table.rows)
    for position, (row, number) in enumerate(zip(table.rows, table.row_numbers, strict=True), start=1):
        values, ok = {}, True
        for name, index in index_of.items():
            try:
                values[name] = cells.clean(name, _cell(row, index))
            except ValueError as exc:
                ok = False
                plan.problems.append({"row": number, "column": table.headers[index], "message": str(exc)})
        case_number = values.get("case_number")
        if case_number and case_number in first_rows:
            ok = False
            plan.problems.append(
                {
                    "row": number,
                    "column": table.headers[index_of["case_number"]],
                    "message": gettext("Case %(number)s is already on row %(row)d.")
                    % {"number": case_number, "row": first_rows[case_number]},
                }
            )
        elif case_number:
            first_rows[case_number] = number
        if ok:
            recovered, loss = values.get("recovered_amount", Decimal("0")), values["loss_amount"]
            if recovered > loss:
                plan.problems.append(
                    {
                        "row": number,
                        "column": table.headers[index_of["recovered_amount"]],
                        "message": gettext("The recovered amount cannot exceed the loss."),
                    }
                )
            else:
                values.setdefault("phone", "")
                values.setdefault("recovered_amount", Decimal("0"))
                plan.cases[case_number] = PlannedCase(number, values)
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)
    for case_number in _existing_case_numbers(set(plan.cases)):
        plan.cases[case_number].exists = True
    if progress is not None:
        progress(len(table.rows))
    return plan


def cases_import(*, data: bytes | Table, user, dry_run: bool, progress=None) -> ImportOutcome:
    """Check (and unless ``dry_run``, register) a sheet of cases, all or nothing."""
    return all_or_nothing_import(
        data=data,
        user=user,
        dry_run=dry_run,
        progress=progress,
        match_headers=match_case_headers,
        plan=plan_cases,
        write=_register_all,
    )


def _register_all(plan: CaseImportPlan, table: Table, columns: dict[int, str], *, user, progress) -> dict:
    headers = {name: table.headers[index] for index, name in columns.items()}
    new = plan.new_cases
    created = warned = 0
    for position, item in enumerate(new, start=1):
        try:
            case, was_created = fraud_case_register(
                actor=user, resident_source=ResidentSource.FRAUD_CASE, **item.arguments
            )
        except ValidationError as exc:
            pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            raise ImportRollback(
                [
                    {"row": item.row, "column": headers.get(key, ""), "message": " ".join(map(str, messages))}
                    for key, messages in pairs
                ]
            ) from None
        created += int(was_created)
        warned += int(was_created and case.defrauded_after_warning)
        progress(len(table.rows) * position // len(new))
    return {"created": created, "warned": warned}


def check_upload(uploaded, user) -> tuple[bytes, str]:
    """Container checked in the request; a CSV file's headers at once, a workbook's in the dry run (the worker)."""
    return check_upload_headers(uploaded, match_case_headers)


IMPORTER = Importer(
    capability=CAPABILITY,
    check=check_upload,
    run=cases_import,
    refused=_("You may no longer register fraud cases."),
)
