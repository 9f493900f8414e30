"""The school's student roster from Excel (学生花名册导入): one row per student.

Columns ``年级``, ``班级``, ``姓名``, ``身份证号`` (required), ``监护人``, ``监护人电话`` and, for a user who
sees several schools, ``学校编码``. Headers are matched in every configured language (and the usual
Chinese spellings, :data:`COLUMNS`' aliases). A student is found by ID number (its keyed hash): a known
student of the same school is updated (grade, class, name, guardian), a new one is added; an ID number
held by another school's student is refused on its row (the registry's one answer, naming no school),
like a repeated ID number within the sheet.

Reading, cells, dry run and all or nothing are ``core.sheets``' (core.workbooks: bomb-checked, read in the
worker); the commit checks again inside one transaction and writes all or nothing. Jobs run through
``core.imports`` (kind ``students``, :class:`StudentSheet`).

Pages
    :data:`PAGES`: the upload, dry run, confirm and result pages of ``core.import_views``, with this import's
    wording, summaries, and the template workbook's example row and notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.cells import PhoneCell, TextCell
from core.import_views import ImportPages
from core.models import ImportJob
from core.sheets import ID_NUMBER, PROGRESS_EVERY, Column, Plan, Table, iter_batches, register
from core.validators import make_id_number
from organization.importing import ScopedSheet, UnitCell
from organization.models import UnitKind
from residents.services import CANNOT_ADD_HERE, registration_refused

from .models import Student, student_id_number_hash
from .services import school_of

CAPABILITY = "schools.manage_students"

COLUMNS: dict[str, Column] = {
    "grade": Column(_("Grade"), TextCell(max_length=20, required_message=_("Enter the grade.")), True, ("年级",), True),
    "class_name": Column(
        _("Class"), TextCell(max_length=30, required_message=_("Enter the class.")), True, ("班级", "班别"), True
    ),
    "name": Column(
        pgettext_lazy("person", "Name"),
        TextCell(max_length=50, required_message=_("Enter the student's name.")),
        True,
        ("姓名", "学生姓名"),
    ),
    "id_number": ID_NUMBER,
    "guardian_name": Column(_("Guardian"), TextCell(max_length=50), False, ("监护人", "监护人姓名", "家长姓名")),
    "guardian_phone": Column(
        _("Guardian's phone"), PhoneCell(), False, ("监护人电话", "监护人手机", "家长电话", "联系电话"), True, True
    ),
    "school": Column(
        _("School code"),
        UnitCell(UnitKind.SCHOOL, unknown_message=_("Unknown school code “%(code)s”.")),
        False,
        ("学校编码", "学校代码"),
        True,
    ),
}


@dataclass
class StudentImportPlan(Plan):
    rows: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        created = sum(1 for row in self.rows if row["existing"] is None)
        return {"created": created, "updated": len(self.rows) - created}


@register
class StudentSheet(ScopedSheet):
    kind = "students"
    label = _("Students")
    capability = CAPABILITY
    refused = _("You may no longer import students.")
    columns = COLUMNS

    def plan(self, table: Table, columns: dict[int, str], *, progress: Callable | None = None):
        """Check every row; a few queries whatever the number of rows."""
        plan = StudentImportPlan(total_rows=len(table.rows))
        default_school = school_of(self.user)

        def problem(number: int, name: str, message) -> None:
            entry = self.problem(table, columns, number, name, message)
            entry["column"] = entry["column"] or self.header(name)
            plan.problems.append(entry)

        seen: dict[str, int] = {}
        for row in self.rows(table, columns, progress):
            number, values = row.number, row.values
            for name, message in row.errors.items():
                problem(number, name, message)
            failed = bool(row.errors)
            school = values.get("school") or default_school
            if school is None and not failed:
                problem(number, "school", gettext("Enter the school code."))
                failed = True
            id_number = values.get("id_number")
            if id_number:
                if id_number in seen:
                    message = gettext("This ID number is already on row %(row)d.") % {"row": seen[id_number]}
                    problem(number, "id_number", message)
                    failed = True
                else:
                    seen[id_number] = number
            if not failed:
                values["school"] = school
                values["number"] = number
                plan.rows.append(values)
        self._match_existing(plan, problem)
        plan.problems.sort(key=lambda entry: entry["row"] or 0)
        return plan

    def _match_existing(self, plan: StudentImportPlan, problem) -> None:
        hashes = {student_id_number_hash(row["id_number"]): row for row in plan.rows}
        found: dict[str, Student] = {}
        for batch in iter_batches(hashes):
            found.update({s.id_number_hash: s for s in Student.objects.filter(id_number_hash__in=batch)})
        kept = []
        for key, row in hashes.items():
            existing = found.get(key)
            if existing is not None and existing.school_id != row["school"].pk:
                # The registry's one answer, naming no school (the attempt is audited on the holder).
                registration_refused(actor=self.user, holder=existing, attempt="import", row=row["number"])
                problem(row["number"], "id_number", CANNOT_ADD_HERE)
                continue
            row["existing"] = existing
            row["hash"] = key
            kept.append(row)
        plan.rows = sorted(kept, key=lambda row: row["number"])

    def write(self, plan: StudentImportPlan, table: Table, columns: dict[int, str], *, progress) -> None:
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
            if position % PROGRESS_EVERY == 0:
                progress(position)


def students_import(*, data: bytes | Table, user, dry_run: bool, progress=None):
    """Check (and unless ``dry_run``, write) a roster, all or nothing."""
    return StudentSheet(user).run(data=data, dry_run=dry_run, progress=progress)


# --- the pages (core.import_views) ------------------------------------------------------------------------


def outcome(job: ImportJob) -> dict:
    created, updated = job.summary.get("created", 0), job.summary.get("updated", 0)
    ready = ngettext("%(counter)s new student ready to add.", "%(counter)s new students ready to add.", created) % {
        "counter": created
    }
    result = ngettext("%(counter)s student added.", "%(counter)s students added.", created) % {"counter": created}
    if updated:
        ready += " " + ngettext(
            "%(counter)s known student will be updated.", "%(counter)s known students will be updated.", updated
        ) % {"counter": updated}
        result += " " + ngettext(
            "%(counter)s known student updated.", "%(counter)s known students updated.", updated
        ) % {"counter": updated}
    return {"ready": ready, "result": result, "confirmable": job.can_confirm and bool(created or updated)}


def example(user) -> dict:
    school = school_of(user)
    return {
        "grade": "初一",
        "class_name": "1班",
        "name": gettext("Zhang Xiaoming"),
        "id_number": make_id_number("440605", datetime.date(2012, 9, 1), 123),
        "guardian_name": gettext("Zhang San"),
        "guardian_phone": "13800138000",
        "school": school.code if school else "",
    }


def notes(user) -> list:
    notes = [
        gettext("One row per student; replace the example row."),
        gettext("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        gettext("Keep the ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        gettext("A student already registered (same ID number) is updated: grade, class, name and guardian."),
        gettext("The school code may be left empty: the school is yours."),
    ]
    return notes


PAGES = ImportPages(
    sheet=StudentSheet,
    namespace="schools",
    title=gettext_lazy("Import the student roster"),
    steps=(
        gettext_lazy("Fill in the template, or upload the school's roster with the same column headers."),
        gettext_lazy("Every row is checked first, and nothing is written until you confirm."),
        gettext_lazy("Students already registered (same ID number) are updated, never duplicated."),
    ),
    confirm_label=gettext_lazy("Import these students"),
    done=lambda: {"url": reverse("schools:student_list"), "label": gettext("See the students")},
    outcome=outcome,
    example=example,
    notes=notes,
    sheet_title=gettext_lazy("Students"),
    template_filename="students-template.xlsx",
    parents=(("schools:student_list", gettext_lazy("Students")),),
)
