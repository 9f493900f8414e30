"""The school's student roster from Excel (学生花名册导入): one row per student.

Columns ``年级``, ``班级``, ``姓名``, ``身份证号`` (required), ``监护人``, ``监护人电话`` and, for a user who
sees several schools, ``学校编码``. Headers are matched in every configured language (and the usual
Chinese spellings, :data:`COLUMNS`' aliases). A student is found by ID number (its keyed hash): a known
student of the same school is updated (grade, class, name, guardian), a new one is added; an ID number
held by another school's student is refused on its row (the registry's one answer, naming no school),
like a repeated ID number within the sheet.

Reading reuses the registry's reader (``residents.importing.read_table``: core.workbooks, bomb-checked,
read in the worker); a dry run checks every row and writes nothing; the commit checks again inside one transaction and
writes all or nothing. Jobs run through ``core.imports`` (kind ``students``, :data:`IMPORTER`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.imports import Importer, ImportOutcome, all_or_nothing_import, header_key
from organization.models import UnitKind
from residents.importing import PROGRESS_EVERY, Table, check_upload_headers, match_headers
from residents.resources import IdNumberWidget, PhoneWidget, ScopedUnitWidget, TextWidget
from residents.services import CANNOT_ADD_HERE, registration_refused

from .models import Student, student_id_number_hash
from .services import school_of

CAPABILITY = "schools.manage_students"
LOOKUP_BATCH = 1000


@dataclass(frozen=True)
class Column:
    column_name: object
    required: bool = False
    aliases: tuple[str, ...] = ()
    readonly: bool = False


COLUMNS: dict[str, Column] = {
    "grade": Column(_("Grade"), True, ("年级",)),
    "class_name": Column(_("Class"), True, ("班级", "班别")),
    "name": Column(pgettext_lazy("person", "Name"), True, ("姓名", "学生姓名")),
    "id_number": Column(_("ID number"), True, ("身份证号", "身份证号码", "公民身份号码")),
    "guardian_name": Column(_("Guardian"), False, ("监护人", "监护人姓名", "家长姓名")),
    "guardian_phone": Column(_("Guardian's phone"), False, ("监护人电话", "监护人手机", "家长电话", "联系电话")),
    "school": Column(_("School code"), False, ("学校编码", "学校代码")),
}
TEXT_COLUMNS = ("grade", "class_name", "id_number", "guardian_phone", "school")


class StudentSheet:
    fields = COLUMNS
    required_fields = tuple(name for name, column in COLUMNS.items() if column.required)

    def get_export_order(self) -> list[str]:
        return list(COLUMNS)


def match_student_headers(table: Table) -> dict[int, str]:
    aliases = {header_key(alias): str(column.column_name) for column in COLUMNS.values() for alias in column.aliases}
    headers = [aliases.get(header_key(header), header) if header else header for header in table.headers]
    return match_headers(replace(table, headers=headers), StudentSheet())


class Cells:
    def __init__(self, user):
        self.grade = TextWidget(max_length=20, required_message=_("Enter the grade."))
        self.class_name = TextWidget(max_length=30, required_message=_("Enter the class."))
        self.name = TextWidget(max_length=50, required_message=_("Enter the student's name."))
        self.id_number = IdNumberWidget()
        self.guardian_name = TextWidget(max_length=50)
        self.guardian_phone = PhoneWidget()
        self.school = ScopedUnitWidget(UnitKind.SCHOOL, unknown_message=_("Unknown school code “%(code)s”."))
        self.school.user = user

    def clean(self, name: str, value):
        return getattr(self, name).clean(value)


@dataclass
class StudentImportPlan:
    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        created = sum(1 for row in self.rows if row["existing"] is None)
        return {"created": created, "updated": len(self.rows) - created}


def _cell(row: list, index: int):
    return row[index] if index < len(row) else None


def plan_students(table: Table, columns: dict[int, str], *, user, progress: Callable | None = None):
    """Check every row; a few queries whatever the number of rows."""
    index_of = {name: index for index, name in columns.items()}
    cells = Cells(user)
    plan = StudentImportPlan(total_rows=len(table.rows))
    default_school = school_of(user)

    def problem(number: int, name: str, message) -> None:
        column = table.headers[index_of[name]] if name in index_of else str(COLUMNS[name].column_name)
        plan.problems.append({"row": number, "column": column, "message": str(message)})

    seen: dict[str, int] = {}
    for position, (row, number) in enumerate(zip(table.rows, table.row_numbers, strict=True), start=1):
        values, failed = {}, False
        for name, index in index_of.items():
            try:
                values[name] = cells.clean(name, _cell(row, index))
            except ValueError as exc:
                problem(number, name, exc)
                failed = True
        school = values.get("school") or default_school
        if school is None and not failed:
            problem(number, "school", gettext("Enter the school code."))
            failed = True
        id_number = values.get("id_number")
        if id_number:
            if id_number in seen:
                problem(
                    number, "id_number", gettext("This ID number is already on row %(row)d.") % {"row": seen[id_number]}
                )
                failed = True
            else:
                seen[id_number] = number
        if not failed:
            values["school"] = school
            values["number"] = number
            plan.rows.append(values)
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)
    _match_existing(plan, problem, user=user)
    plan.problems.sort(key=lambda entry: entry["row"] or 0)
    return plan


def _match_existing(plan: StudentImportPlan, problem, *, user) -> None:
    hashes = {student_id_number_hash(row["id_number"]): row for row in plan.rows}
    keys = sorted(hashes)
    found: dict[str, Student] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        found.update({s.id_number_hash: s for s in Student.objects.filter(id_number_hash__in=batch)})
    kept = []
    for key, row in hashes.items():
        existing = found.get(key)
        if existing is not None and existing.school_id != row["school"].pk:
            # The registry's one answer, naming no school (the attempt is audited on the holder).
            registration_refused(actor=user, holder=existing, attempt="import", row=row["number"])
            problem(row["number"], "id_number", CANNOT_ADD_HERE)
            continue
        row["existing"] = existing
        row["hash"] = key
        kept.append(row)
    plan.rows = sorted(kept, key=lambda row: row["number"])


def _write(plan: StudentImportPlan, *, progress=None) -> None:
    new, changed = [], []
    for row in plan.rows:
        student = row["existing"] or Student(school=row["school"])
        student.grade = row["grade"]
        student.class_name = row["class_name"]
        student.name = row["name"]
        if "guardian_name" in row:
            student.guardian_name = row["guardian_name"] or ""
        if "guardian_phone" in row:
            student.set_guardian_phone(row["guardian_phone"] or "")
        if row["existing"] is None:
            student.set_id_number(row["id_number"])
            student.is_active = True
            new.append(student)
        else:
            changed.append(student)
    # save() one by one keeps the history (a roster is a few thousand rows at most).
    for position, student in enumerate([*new, *changed], start=1):
        student.save()
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)


def students_import(*, data: bytes | Table, user, dry_run: bool, progress=None) -> ImportOutcome:
    """Check (and unless ``dry_run``, write) a roster, all or nothing."""
    return all_or_nothing_import(
        data=data,
        user=user,
        dry_run=dry_run,
        progress=progress,
        match_headers=match_student_headers,
        plan=plan_students,
        write=lambda plan, table, columns, *, user, progress: _write(plan, progress=progress),
    )


def check_upload(uploaded, user) -> tuple[bytes, str]:
    """Container checked in the request; a CSV file's headers at once, a workbook's in the dry run (the worker)."""
    return check_upload_headers(uploaded, match_student_headers)


IMPORTER = Importer(
    capability=CAPABILITY,
    check=check_upload,
    run=students_import,
    refused=_("You may no longer import students."),
)
