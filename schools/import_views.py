"""The student roster import on the web: upload, dry run with progress, confirm, result.

The pages are the shared ones of ``core.import_views``; this module says what differs and builds the
template workbook. Every view needs ``schools.manage_students``; the work is in ``schools.importing``.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.import_views import ImportPages
from core.models import ImportJob
from core.validators import make_id_number

from .importing import StudentSheet
from .services import school_of


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
        "name": _("Zhang Xiaoming"),
        "id_number": make_id_number("440605", datetime.date(2012, 9, 1), 123),
        "guardian_name": _("Zhang San"),
        "guardian_phone": "13800138000",
        "school": school.code if school else "",
    }


def notes(user) -> list:
    notes = [
        _("One row per student; replace the example row."),
        _("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        _("Keep the ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        _("A student already registered (same ID number) is updated: grade, class, name and guardian."),
        _("The school code may be left empty: the school is yours."),
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
    done=lambda: {"url": reverse("schools:student_list"), "label": _("See the students")},
    outcome=outcome,
    example=lambda user: example(user),
    notes=lambda user: notes(user),
    sheet_title=gettext_lazy("Students"),
    template_filename="students-template.xlsx",
    parents=(("schools:student_list", gettext_lazy("Students")),),
)
_views = PAGES.views()
import_start, import_template = _views.start, _views.template
import_job, import_progress, import_confirm = _views.job, _views.progress, _views.confirm
