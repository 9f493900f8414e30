"""Registering fraud cases from an Excel batch on the web: upload, dry run with progress, confirm, result.

The pages are the shared ones of ``core.import_views``; this module says what differs (labels,
summaries) and builds the template workbook. The work itself is in ``fraud_cases.importing``.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.import_views import ImportPages
from core.models import ImportJob
from core.validators import make_id_number
from organization.selectors import villages_for_user
from warnings_followup.models import FraudType
from warnings_followup.serializers import FRAUD_TYPE_NAMES_ZH

from .importing import CaseSheet


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
    done=lambda: {"url": reverse("fraud_cases:case_list"), "label": _("See the cases")},
    outcome=outcome,
    example=lambda user: example(user),
    notes=lambda user: notes(user),
    sheet_title=gettext_lazy("Fraud cases"),
    template_filename="fraud-cases-template.xlsx",
    parents=(("fraud_cases:case_list", gettext_lazy("Fraud cases")),),
)
_views = PAGES.views()
import_start, import_template = _views.start, _views.template
import_job, import_progress, import_confirm = _views.job, _views.progress, _views.confirm


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    return {
        "case_number": f"A{timezone.localdate():%Y%m%d}0001",
        "reported_at": f"{timezone.localtime().replace(second=0, microsecond=0):%Y-%m-%d %H:%M}",
        "victim_name": _("Zhang San"),
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
        _("One row per case; replace the example row."),
        _("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        _("Keep the case number, ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        _("A case number already registered is left unchanged: importing a file again creates nothing."),
        _("Victims are linked to the resident registry by ID number, and registered if absent."),
        _("Village codes are those of the organisation pages."),
        _("Source: 110, 平台 (platform) or 其他 (other)."),
        _("Report time: a date and time such as 2026-03-01 09:30."),
        _("Fraud types (a code or a name):"),
    ]
    notes += [f"{code} · {FRAUD_TYPE_NAMES_ZH[code]} · {label}" for code, label in FraudType.choices]
    return notes
