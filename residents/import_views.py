"""Importing residents from the web: upload, dry run with progress, confirm, result.

The pages are the shared ones of ``core.import_views``; this module says what differs (labels,
summaries) and builds the template workbook. Every view needs the ``residents.import`` capability
and answers 404 for another user's job. The work itself is in ``residents.importing``.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.import_views import ImportPages
from core.models import ImportJob
from core.validators import make_id_number
from organization.models import UnitKind
from organization.selectors import villages_for_user

from .importing import ResidentSheet
from .models import ResidentTag


def outcome(job: ImportJob) -> dict:
    counts = {
        "counter": job.total_rows,
        "created": job.summary.get("created", ""),
        "updated": job.summary.get("updated", ""),
    }
    ready = ngettext(
        "%(counter)s row ready: %(created)s new, %(updated)s updates.",
        "%(counter)s rows ready: %(created)s new, %(updated)s updates.",
        job.total_rows,
    )
    result = ngettext(
        "Imported %(counter)s row: %(created)s new, %(updated)s updated.",
        "Imported %(counter)s rows: %(created)s new, %(updated)s updated.",
        job.total_rows,
    )
    return {"ready": ready % counts, "result": result % counts, "confirmable": job.can_confirm}


PAGES = ImportPages(
    sheet=ResidentSheet,
    namespace="residents",
    title=gettext_lazy("Import residents"),
    steps=(
        gettext_lazy("Download the template and fill in one row per resident, with their household's address."),
        gettext_lazy("Upload it: every row is checked first, and nothing is written until you confirm."),
        gettext_lazy("People already registered (matched by ID number) are updated, never duplicated."),
    ),
    confirm_label=gettext_lazy("Confirm import"),
    done=lambda: {"url": reverse("residents:resident_list"), "label": _("See the residents")},
    outcome=outcome,
    example=lambda user: example(user),
    notes=lambda user: notes(user),
    sheet_title=gettext_lazy("Residents"),
    template_filename="residents-template.xlsx",
)
_views = PAGES.views()
import_start, import_template = _views.start, _views.template
import_job, import_progress, import_confirm = _views.job, _views.progress, _views.confirm


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    grid = village.children.filter(kind=UnitKind.GRID).order_by("code").first() if village else None
    return {
        "name": _("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "grid": grid.code if grid else "",
        "address": _("No. 1 Xingfu Road"),
        "household_contact_phone": "0757-81234567",
        "relation": _("Head of household"),
        "tags": str(ResidentTag.ELDERLY.label),
    }


def notes(user) -> list:
    return [
        _("Fill in one row per resident on the first sheet; replace the example row."),
        _("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        _("Keep the ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        _("Empty cells do not erase what is already registered."),
        _("Village and grid codes are those of the organisation pages."),
        _("Tags: %(tags)s, separated by commas.") % {"tags": "、".join(str(label) for label in ResidentTag.labels)},
    ]
