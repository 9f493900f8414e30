"""Pushing warnings from an Excel batch on the web: upload, dry run with progress, confirm, result.

The pages are the shared ones of ``core.import_views`` (the same flow as the registry's import);
this module says what differs (labels, summaries) and builds the template workbook. Every view
needs ``warnings.push`` and answers 404 for another user's job or a job of another kind. The work
itself is in ``warnings_followup.importing``.
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

from .importing import WarningSheet
from .models import FraudType, RiskLevel
from .serializers import FRAUD_TYPE_NAMES_ZH


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
    done=lambda: {"url": reverse("warnings_followup:queue") + "?tab=pushed", "label": _("See the work queue")},
    outcome=outcome,
    example=lambda user: example(user),
    notes=lambda user: notes(user),
    sheet_title=gettext_lazy("Warnings"),
    template_filename="warnings-template.xlsx",
    parents=(("warnings_followup:queue", gettext_lazy("Work queue")),),
    notices_heading=gettext_lazy("Please check these account numbers (they do not block the import):"),
)
_views = PAGES.views()
import_start, import_template = _views.start, _views.template
import_job, import_progress, import_confirm = _views.job, _views.progress, _views.confirm


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    return {
        "external_id": f"YJ{timezone.localdate():%Y%m%d}0001",
        "person_name": _("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "address": _("No. 1 Xingfu Road"),
        "fraud_type": FRAUD_TYPE_NAMES_ZH[FraudType.INVESTMENT.value],
        "risk_level": str(RiskLevel.HIGH.label),
        "summary": _("Contacted a fake investment platform and transferred money twice."),
        "bank": _("Agricultural Bank of China"),
        "account_number": "6228480402564890018",
        "pushed_at": f"{timezone.localtime().replace(second=0, microsecond=0):%Y-%m-%d %H:%M}",
    }


def notes(user) -> list:
    notes = [
        _("One row per account under stop-payment; replace the example row."),
        _("A warning with several accounts takes several rows with the same instruction number."),
        _("A warning without accounts is one row with the bank and account columns empty."),
        _("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        _("The police platform's export, with its Chinese headers, can be uploaded as it is."),
        _("Keep the ID number, phone and account columns formatted as Text, or Excel will destroy the numbers."),
        _("An instruction number already pushed is left unchanged: importing a file again creates nothing."),
        _("Village codes are those of the organisation pages."),
        _("Risk level: %(levels)s.") % {"levels": "高、中、低 (high, medium, low)"},
        _("Push time: a date and time such as 2025-03-01 09:30; empty means the time of the import."),
        _("Fraud types (a code or a name):"),
    ]
    notes += [f"{code} · {FRAUD_TYPE_NAMES_ZH[code]} · {label}" for code, label in FraudType.choices]
    return notes
