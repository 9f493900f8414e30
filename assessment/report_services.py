"""Writes of the year's target, the reports to the county (报送) and the units' documents.

A report is a draft until leadership marks it submitted (:data:`~assessment.models.REPORT_TRANSITIONS`): the
Word file generated at that moment is kept as sent, with who and when, and an audit event. The reminder scan
(:func:`county_report_reminders`, daily by beat) notifies the leadership group of each town once a month, from two
days before ``REPORT_DAY`` to the day itself, while last month's report is not submitted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core import periods
from core.uploads import attach, files_removed_on_error
from core.workflow import TransitionNotAllowed, lock_row
from organization.access import LEADERSHIP_ROLES, can, unit_in_scope
from organization.models import Unit, UnitKind

from . import reports
from .models import REPORT_TRANSITIONS, CountyReport, DocumentKind, ReportStatus, UnitDocument, YearTarget

REMIND_DAYS_BEFORE = 2


def _require(user, capability: str, unit: Unit) -> None:
    if not can(user, capability) or not unit_in_scope(user, unit):
        raise PermissionDenied(_("You may not do this for this unit."))


# --- The year's target --------------------------------------------------------------------------------------


def year_target_set(*, actor, town: Unit, year: int, cases_change: Decimal, loss_change: Decimal) -> YearTarget:
    _require(actor, "assessment.reports", town)
    with transaction.atomic():
        target = YearTarget.objects.select_for_update().filter(unit=town, year=year).first()
        old = f"{target.cases_change}/{target.loss_change}" if target else ""
        if target is None:
            target = YearTarget(unit=town, year=year)
        target.cases_change, target.loss_change = cases_change, loss_change
        target.set_by, target.set_at = actor, timezone.now()
        target.save()
        audit_event_record(
            actor=actor, subject=target, event="target_set", old=old, new=f"{cases_change}/{loss_change}"
        )
    return target


# --- Reports to the county ------------------------------------------------------------------------------------


def _ended(period: periods.Period, today: datetime.date) -> bool:
    return period.end_day <= today


def county_report_for(*, town: Unit, period: periods.Period) -> CountyReport | None:
    return CountyReport.objects.filter(unit=town, period_key=period.key).first()


def county_report_save(*, actor, town: Unit, period: periods.Period, narrative: str) -> CountyReport:
    """Keep the free-text part of a draft (a submitted report is as it was sent)."""
    _require(actor, "assessment.reports", town)
    with transaction.atomic():
        report, _created = CountyReport.objects.get_or_create(unit=town, period_key=period.key)
        report = lock_row(report)
        if report.status != ReportStatus.DRAFT:
            raise TransitionNotAllowed(_("The report was submitted: it is kept as it was sent."))
        old = report.narrative
        report.narrative = narrative
        report.save(update_fields=["narrative", "updated_at"])
        if old != narrative:
            audit_event_record(actor=actor, subject=report, event="report_edited")
    return report


def county_report_submit(*, actor, town: Unit, period: periods.Period, today: datetime.date | None = None):
    """Draft → submitted: the Word file generated now is kept as sent, with who and when."""
    _require(actor, "assessment.reports", town)
    today = today or timezone.localdate()
    if not _ended(period, today):
        raise ValidationError(_("A period can be reported once it has ended."))
    with transaction.atomic():
        report, _created = CountyReport.objects.get_or_create(unit=town, period_key=period.key)
        report = lock_row(report)
        if ReportStatus.SUBMITTED not in REPORT_TRANSITIONS[ReportStatus(report.status)]:
            raise TransitionNotAllowed(_("The report was already submitted."))
        data = reports.report_data(user=actor, period=period, town=town, narrative=report.narrative)
        with files_removed_on_error():
            report.file.save(f"{town.code}-{period.key}.docx", ContentFile(reports.docx_bytes(data)), save=False)
            report.status = ReportStatus.SUBMITTED
            report.submitted_at, report.submitted_by = timezone.now(), actor
            report.save(update_fields=["file", "status", "submitted_at", "submitted_by", "updated_at"])
        audit_event_record(
            actor=actor, subject=report, event="report_submitted", old=ReportStatus.DRAFT, new=ReportStatus.SUBMITTED
        )
    return report


def reminder_period(today: datetime.date) -> periods.Period | None:
    """The month whose report is due within ``REMIND_DAYS_BEFORE`` days of ``today`` (None: no reminder today)."""
    this_month = periods.current_month(today)
    for month in (this_month.previous(), this_month):  # due this month, or (REPORT_DAY 1-2) early next month
        due = reports.due_date(month)
        if due - datetime.timedelta(days=REMIND_DAYS_BEFORE) <= today <= due:
            return month
    return None


def county_report_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each town's leadership group of the month's report, once (a repeated run or day sends nothing)."""
    from notifications.services import Message, notifications_send_many
    from organization.selectors import people_in

    today = today or timezone.localdate()
    month = reminder_period(today)
    if month is None:
        return 0
    submitted = set(
        CountyReport.objects.filter(period_key=month.key, status=ReportStatus.SUBMITTED).values_list(
            "unit_id", flat=True
        )
    )
    due = reports.due_date(month)
    body = _("Due on %(date)s.") % {"date": f"{due:%Y-%m-%d}"}
    if month.end_day.month in (1, 4, 7, 10):
        body += " " + _("The quarter's stage summary is due too.")
    messages = [
        Message(
            recipients=people_in(town, LEADERSHIP_ROLES),
            kind="assessment.report_due",
            title=_("Report to the county for %(period)s: due in %(days)s days")
            % {"period": month.key, "days": (due - today).days},
            body=body,
            url=reverse("assessment:report_detail", args=[month.key]),
            dedupe_key=f"county-report:{town.pk}:{month.key}:due",
        )
        for town in Unit.objects.filter(kind=UnitKind.TOWN, is_active=True).exclude(pk__in=submitted)
    ]
    return notifications_send_many(messages=messages)


# --- Units' documents and the tasks' attachments ------------------------------------------------------------


def unit_document_upload(*, actor, unit: Unit, kind: str, period: periods.Period, title: str, files) -> UnitDocument:
    """Keep a unit's work plan (工作方案) or summary (总结) for a period, with its files (checked uploads)."""
    from publicity.access import can_manage_plan_of

    if not can(actor, "publicity.manage_workplans") or not can_manage_plan_of(actor, unit):
        raise PermissionDenied(_("You may upload your own unit's documents only."))
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a kind of document.")})
    if not files:
        raise ValidationError({"files": _("Attach the document.")})
    with files_removed_on_error(), transaction.atomic():
        document = UnitDocument.objects.create(
            unit=unit, kind=kind, period_key=period.key, title=title, uploaded_by=actor
        )
        attach(document, files, user=actor)
        audit_event_record(actor=actor, subject=document, event="document_uploaded", new=period.key)
    return document


def work_task_attach(*, actor, task, files) -> list:
    """Attach files to a task of a unit's work plan (任务再分解)."""
    from publicity.access import can_manage_plan_of

    if not can(actor, "publicity.manage_workplans") or not can_manage_plan_of(actor, task.plan.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    if not files:
        raise ValidationError({"files": _("Attach the document.")})
    with files_removed_on_error(), transaction.atomic():
        rows = attach(task, files, user=actor)
        audit_event_record(actor=actor, subject=task, event="task_files_attached", new=str(len(rows)))
    return rows
