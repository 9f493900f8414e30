"""Writes of the publicity work and the work plans. Keyword-only; the actor is checked here.

Records with evidence are written as ``with files_removed_on_error(): with transaction.atomic(): ...``
so that a failure after a file was stored removes the file and leaves no half-saved record. Forms
submitted twice (a flaky network) carry the same ``client_id`` and record once.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core.uploads import attach, files_removed_on_error
from core.validators import normalize_phone
from core.workflow import Transition, lock_row
from core.workflow import TransitionNotAllowed as TransitionNotAllowed  # raised by the steps below
from organization.models import Unit, UnitKind

from .access import can_log_for, can_manage_plan_of, duties_of
from .models import (
    DUTY_CATEGORIES,
    LINK_CATEGORIES,
    NOT_LOGGED,
    OPEN_TASK_STATUSES,
    PUSH_CHANNELS,
    Activity,
    ActivityLink,
    Category,
    Channel,
    Inspection,
    InspectionItem,
    InspectionItemKind,
    LegalPlace,
    MeetingAttendee,
    MeetingCase,
    MeetingDecision,
    PushRecipient,
    TaskStatus,
    Venue,
    VenueKind,
    Volunteer,
    WorkPlan,
    WorkTask,
)

LINK_REQUIRED = frozenset({Category.COLUMN_POST, Category.POLICE_POST})


def categories_for(unit: Unit | None) -> list[str]:
    """The categories ``unit`` logs (its duties' categories, then "other"), without inspection-only ones."""
    found: list[str] = []
    for duty in duties_of(unit):
        for category in DUTY_CATEGORIES[duty]:
            if category not in found and category not in NOT_LOGGED:
                found.append(category)
    found.append(Category.OTHER)
    return found


def _lock_unit(unit: Unit) -> None:
    """Serialise "check there is none yet, then create" for one unit's rows (two copies of one form sent at once
    would both pass the check otherwise). Call inside ``transaction.atomic``."""
    Unit.objects.select_for_update().only("pk").get(pk=unit.pk)


def _check_not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- activities ----------------------------------------------------------------------------------


@dataclass
class ActivityResult:
    activity: Activity
    created: bool


def activity_record(
    *,
    actor,
    unit: Unit,
    category: str,
    title: str,
    held_on: datetime.date,
    client_id: uuid.UUID | None = None,
    place: str = "",
    audience_size: int | None = None,
    channel: str = Channel.ON_SITE,
    description: str = "",
    legal_place: str = "",
    links: list[tuple[str, str]] | tuple = (),
    attendees: list[tuple[str, str]] | tuple = (),
    cases: list[tuple[str, str]] | tuple = (),
    decisions: list[tuple[str, str, datetime.date | None]] | tuple = (),
    recipients: list[tuple[str, str]] | tuple = (),
    uploads=(),
) -> ActivityResult:
    """Log an activity of ``unit`` with its category's structured rows and evidence files."""
    client_id = client_id or uuid.uuid4()
    existing = Activity.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.unit_id != unit.pk:
            raise ValidationError({"client_id": _("This client id belongs to another activity.")})
        return ActivityResult(existing, False)
    if not can_log_for(actor, unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    errors: dict[str, str] = {}
    if category not in categories_for(unit):
        errors["category"] = _("This unit does not record this kind of activity.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    if legal_place and legal_place not in LegalPlace.values:
        errors["legal_place"] = _("Choose where the law education took place.")
    if category == Category.LEGAL_EDUCATION and not legal_place:
        errors["legal_place"] = _("Choose where the law education took place.")
    if category == Category.CASE_MEETING:
        if not attendees:
            errors["attendees"] = _("List who attended the meeting.")
        if not cases:
            errors["cases"] = _("List the cases discussed.")
        if not decisions:
            errors["decisions"] = _("List the decisions taken.")
    if category == Category.FINANCE_PUSH:
        if channel not in PUSH_CHANNELS:
            errors["channel"] = _("A push goes out by SMS, WeChat work group or QQ work board.")
        if not recipients:
            errors["recipients"] = _("List the finance staff the push went to.")
    if category in LINK_REQUIRED and not links:
        errors["links"] = _("Give the link to the post.")
    if errors:
        raise ValidationError(errors)
    # A recipient's "village or unit" typed by name is linked to that unit of the same town.
    town = unit.town
    known_units = Unit.objects.filter(name__in={organisation for _name, organisation in recipients if organisation})
    if town is not None:
        known_units = known_units.filter(path__startswith=town.path)
    organisations = dict(known_units.values_list("name", "pk"))
    try:
        with files_removed_on_error(), transaction.atomic():
            activity = Activity.objects.create(
                client_id=client_id,
                unit=unit,
                category=category,
                title=title.strip(),
                held_on=held_on,
                place=place.strip(),
                audience_size=audience_size,
                channel=channel,
                description=description.strip(),
                legal_place=legal_place if category == Category.LEGAL_EDUCATION else "",
                recorded_by=actor,
            )
            if category in LINK_CATEGORIES or links:
                ActivityLink.objects.bulk_create(
                    ActivityLink(activity=activity, url=url, title=link_title) for url, link_title in links
                )
            if category == Category.CASE_MEETING:
                MeetingAttendee.objects.bulk_create(
                    MeetingAttendee(activity=activity, name=name, organisation=organisation)
                    for name, organisation in attendees
                )
                MeetingCase.objects.bulk_create(
                    meeting_cases_from_registry(actor=actor, activity=activity, cases=cases)
                )
                MeetingDecision.objects.bulk_create(
                    MeetingDecision(activity=activity, text=text, responsible=responsible, due_on=due_on)
                    for text, responsible, due_on in decisions
                )
            if category == Category.FINANCE_PUSH:
                PushRecipient.objects.bulk_create(
                    PushRecipient(
                        activity=activity,
                        name=name,
                        organisation=organisation,
                        recipient_unit_id=organisations.get(organisation),
                    )
                    for name, organisation in recipients
                )
            attach(activity, uploads, user=actor)
    except IntegrityError:
        # The same form submitted twice at the same moment: the first one won.
        existing = Activity.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return ActivityResult(existing, False)
    return ActivityResult(activity, True)


EDITABLE_FIELDS = ("title", "held_on", "place", "audience_size", "channel", "description", "legal_place")


def activity_update(*, actor, activity: Activity, **changes) -> Activity:
    """Correct an activity's common fields (its category, unit and rows stay as recorded)."""
    if not can_log_for(actor, activity.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    errors = {}
    if "held_on" in changes and changes["held_on"] > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    if activity.category == Category.LEGAL_EDUCATION and changes.get("legal_place", activity.legal_place) == "":
        errors["legal_place"] = _("Choose where the law education took place.")
    if activity.category == Category.FINANCE_PUSH and changes.get("channel", activity.channel) not in PUSH_CHANNELS:
        errors["channel"] = _("A push goes out by SMS, WeChat work group or QQ work board.")
    if errors:
        raise ValidationError(errors)
    if activity.category != Category.LEGAL_EDUCATION:
        changes["legal_place"] = ""
    for field, value in changes.items():
        setattr(activity, field, value.strip() if isinstance(value, str) and field != "channel" else value)
    activity.save(update_fields=[*changes, "updated_at"])
    return activity


def activity_add_evidence(*, actor, activity: Activity, uploads) -> list:
    """Add photos, video or files to an activity of the actor's unit."""
    if not can_log_for(actor, activity.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    if not uploads:
        raise ValidationError({"evidence": _("Choose at least one file.")})
    with files_removed_on_error(), transaction.atomic():
        return attach(activity, uploads, user=actor)


def recipients_confirm_read(*, actor, activity: Activity, recipient_ids, confirmed_at=None) -> int:
    """Mark recipients of a push as having confirmed reading; returns how many were newly marked."""
    if not can_log_for(actor, activity.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    # A conditional update: marking twice changes nothing and keeps the first time.
    return PushRecipient.objects.filter(
        activity=activity, pk__in=list(recipient_ids), read_confirmed_at__isnull=True
    ).update(read_confirmed_at=confirmed_at or timezone.now(), confirmed_by=actor)


# --- volunteers ----------------------------------------------------------------------------------


def volunteer_add(
    *,
    actor,
    unit: Unit,
    name: str,
    group: str,
    organisation: str = "",
    phone: str = "",
    joined_on: datetime.date | None = None,
    notes: str = "",
) -> Volunteer:
    if not can_log_for(actor, unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    with transaction.atomic():
        _lock_unit(unit)
        if Volunteer.objects.filter(unit=unit, name=name.strip(), is_active=True).exists():
            raise ValidationError({"name": _("%(name)s is already on the roster.") % {"name": name.strip()}})
        return Volunteer.objects.create(
            unit=unit,
            name=name.strip(),
            group=group,
            organisation=organisation.strip(),
            phone=normalize_phone(phone) if phone else "",
            joined_on=joined_on or timezone.localdate(),
            notes=notes.strip(),
        )


def volunteer_set_active(*, actor, volunteer: Volunteer, active: bool) -> Volunteer:
    if not can_log_for(actor, volunteer.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.is_active != active:
            volunteer.is_active = active
            volunteer.save(update_fields=["is_active"])
    return volunteer


# --- venues and inspections ----------------------------------------------------------------------


def venue_create(
    *,
    actor,
    unit: Unit,
    name: str,
    kind: str,
    address: str = "",
    village: Unit | None = None,
    contact: str = "",
) -> Venue:
    if not can_log_for(actor, unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    if kind not in VenueKind.values:
        raise ValidationError({"kind": _("Choose the kind of venue.")})
    if village is not None and village.kind != UnitKind.VILLAGE:
        raise ValidationError({"village": _("Choose a village or community.")})
    with transaction.atomic():
        _lock_unit(unit)
        if Venue.objects.filter(unit=unit, name=name.strip()).exists():
            raise ValidationError({"name": _("This venue is already on the list.")})
        return Venue.objects.create(
            unit=unit, name=name.strip(), kind=kind, address=address.strip(), village=village, contact=contact.strip()
        )


@dataclass
class InspectionResult:
    inspection: Inspection
    created: bool


def inspection_record(
    *,
    actor,
    venue: Venue,
    inspected_on: datetime.date,
    items: list[dict],
    client_id: uuid.UUID | None = None,
    inspectors: str = "",
    with_police: bool = True,
    carriers: str = "",
    notes: str = "",
    uploads=(),
) -> InspectionResult:
    """Record a joint inspection: each item passed, or failed with a fix-by date.

    ``items``: ``[{"item": "broadcast", "passed": False, "note": "...", "fix_deadline": date}, ...]``,
    one per checked item. An item that passes now closes the venue's earlier open failures of it.
    """
    client_id = client_id or uuid.uuid4()
    existing = Inspection.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.venue_id != venue.pk:
            raise ValidationError({"client_id": _("This client id belongs to another inspection.")})
        return InspectionResult(existing, False)
    if not can_log_for(actor, venue.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    _check_not_future(inspected_on, "inspected_on")
    errors = {}
    seen = set()
    for row in items:
        kind = row["item"]
        if kind not in InspectionItemKind.values or kind in seen:
            errors["items"] = _("Each item can be checked once.")
        seen.add(kind)
        if not row["passed"]:
            deadline = row.get("fix_deadline")
            if deadline is None:
                errors[f"{kind}_fix_deadline"] = _("Give a deadline for fixing this item.")
            elif deadline < inspected_on:
                errors[f"{kind}_fix_deadline"] = _("The deadline cannot be before the inspection.")
    if not items:
        errors["items"] = _("Check at least one item.")
    if errors:
        raise ValidationError(errors)
    try:
        with files_removed_on_error(), transaction.atomic():
            inspection = Inspection.objects.create(
                client_id=client_id,
                venue=venue,
                inspected_on=inspected_on,
                inspectors=inspectors.strip(),
                with_police=with_police,
                carriers=carriers.strip(),
                notes=notes.strip(),
                recorded_by=actor,
            )
            InspectionItem.objects.bulk_create(
                InspectionItem(
                    inspection=inspection,
                    item=row["item"],
                    passed=row["passed"],
                    note=(row.get("note") or "").strip(),
                    fix_deadline=None if row["passed"] else row.get("fix_deadline"),
                )
                for row in items
            )
            passed_now = [row["item"] for row in items if row["passed"]]
            if passed_now:
                earlier = InspectionItem.objects.open_failures().filter(
                    inspection__venue=venue, item__in=passed_now, inspection__inspected_on__lte=inspected_on
                )
                earlier = earlier.exclude(inspection=inspection).select_for_update(of=("self",))
                for item in earlier:
                    item.fixed_on = inspected_on
                    item.fixed_by = actor
                    item.fix_note = _("Passed at the inspection of %(day)s.") % {"day": inspected_on.isoformat()}
                    item.save(update_fields=["fixed_on", "fixed_by", "fix_note"])
                    audit_event_record(actor=actor, subject=item, event="fix", old="failed", new="fixed")
            attach(inspection, uploads, user=actor)
    except IntegrityError:
        existing = Inspection.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return InspectionResult(existing, False)
    return InspectionResult(inspection, True)


def inspection_item_fix(
    *, actor, item: InspectionItem, fixed_on: datetime.date, fix_note: str = "", uploads=()
) -> InspectionItem:
    """Record that a failed item was fixed (with photos); it leaves the "to fix" list."""
    if not can_log_for(actor, item.inspection.venue.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    _check_not_future(fixed_on, "fixed_on")
    with files_removed_on_error(), transaction.atomic():
        item = InspectionItem.objects.select_for_update(of=("self",)).select_related("inspection").get(pk=item.pk)
        if item.passed:
            raise ValidationError(_("This item passed the inspection: there is nothing to fix."))
        if item.fixed_on is not None:
            return item  # already fixed: a double submission changes nothing
        if fixed_on < item.inspection.inspected_on:
            raise ValidationError({"fixed_on": _("An item cannot be fixed before it was inspected.")})
        item.fixed_on = fixed_on
        item.fixed_by = actor
        item.fix_note = fix_note.strip()
        item.save(update_fields=["fixed_on", "fixed_by", "fix_note"])
        audit_event_record(actor=actor, subject=item, event="fix", old="failed", new="fixed", reason=item.fix_note)
        attach(item, uploads, user=actor)
    return item


# --- work plans ----------------------------------------------------------------------------------


def work_plan_create(*, actor, unit: Unit, title: str, year: int, description: str = "") -> WorkPlan:
    if not can_manage_plan_of(actor, unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    with transaction.atomic():
        _lock_unit(unit)
        if WorkPlan.objects.filter(unit=unit, title=title.strip(), year=year).exists():
            raise ValidationError({"title": _("This unit already has a work plan with this title for this year.")})
        return WorkPlan.objects.create(
            unit=unit, title=title.strip(), year=year, description=description.strip(), created_by=actor
        )


def _check_responsible(plan: WorkPlan, responsible) -> None:
    if responsible is not None and responsible.unit_id != plan.unit_id:
        raise ValidationError({"responsible": _("The responsible person must belong to the plan's unit.")})


def work_task_create(
    *,
    actor,
    plan: WorkPlan,
    title: str,
    due_on: datetime.date,
    description: str = "",
    responsible=None,
    responsible_name: str = "",
) -> WorkTask:
    if not can_manage_plan_of(actor, plan.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    _check_responsible(plan, responsible)
    if responsible is None and not responsible_name.strip():
        raise ValidationError({"responsible": _("Name the responsible person.")})
    with transaction.atomic():
        # The plan's row is locked, so two copies of the same form sent at once (a double tap) check in turn.
        WorkPlan.objects.select_for_update().only("pk").get(pk=plan.pk)
        if plan.tasks.filter(title=title.strip(), due_on=due_on).exists():
            # A double submission (or the same task typed twice): one task.
            raise ValidationError({"title": _("This task is already in the plan.")})
        return WorkTask.objects.create(
            plan=plan,
            title=title.strip(),
            description=description.strip(),
            responsible=responsible,
            responsible_name="" if responsible else responsible_name.strip(),
            due_on=due_on,
        )


def work_task_update(
    *,
    actor,
    task: WorkTask,
    title: str,
    due_on: datetime.date,
    description: str = "",
    responsible=None,
    responsible_name: str = "",
) -> WorkTask:
    if not can_manage_plan_of(actor, task.plan.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    _check_responsible(task.plan, responsible)
    if responsible is None and not responsible_name.strip():
        raise ValidationError({"responsible": _("Name the responsible person.")})
    with transaction.atomic():
        task = WorkTask.objects.select_for_update().get(pk=task.pk)
        old_due = task.due_on
        task.title = title.strip()
        task.description = description.strip()
        task.responsible = responsible
        task.responsible_name = "" if responsible else responsible_name.strip()
        task.due_on = due_on
        task.save(update_fields=["title", "description", "responsible", "responsible_name", "due_on", "updated_at"])
        if old_due != due_on:
            audit_event_record(
                actor=actor, subject=task, event="reschedule", old=old_due.isoformat(), new=due_on.isoformat()
            )
    return task


DECISION_DEFAULT_DAYS = 14


def meeting_cases_from_registry(*, actor, activity: Activity, cases) -> list[MeetingCase]:
    """The meeting's cases, each linked to the registry when its number is a case ``actor`` may see (三(三):
    结合正在侦查、侦办的具体案件). A line with the number alone takes the case's type and loss as its summary."""
    from fraud_cases.meetings import registry_cases_for

    cases = [(reference.strip(), summary.strip()) for reference, summary in cases]
    # "number" typed alone arrives as the summary: a registered number is read as the reference.
    known = registry_cases_for(actor=actor, references=[ref or summary for ref, summary in cases])
    rows = []
    for reference, summary in cases:
        if not reference and summary in known:
            reference, summary = summary, ""
        case = known.get(reference)
        if case is not None and not summary:
            summary = f"{case.get_fraud_type_display()} · ¥{case.loss_amount}"
        rows.append(MeetingCase(activity=activity, reference=reference, summary=summary, fraud_case=case))
    return rows


def meeting_decision_to_task(*, actor, decision: MeetingDecision, plan: WorkPlan) -> WorkTask:
    """Follow a meeting decision up as a task of ``plan`` (once: a second call returns the same task)."""
    if not can_manage_plan_of(actor, plan.unit) or not can_log_for(actor, decision.activity.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    with transaction.atomic():
        decision = (
            MeetingDecision.objects.select_for_update(of=("self",)).select_related("activity").get(pk=decision.pk)
        )
        if decision.task_id is not None:
            return decision.task
        task = WorkTask.objects.create(
            plan=plan,
            title=decision.text[:200],
            description=_("Decision of the case analysis meeting “%(meeting)s” (%(day)s).")
            % {"meeting": decision.activity.title, "day": decision.activity.held_on.isoformat()},
            responsible_name=decision.responsible[:50] or str(actor)[:50],
            due_on=decision.due_on or timezone.localdate() + datetime.timedelta(days=DECISION_DEFAULT_DAYS),
        )
        decision.task = task
        decision.save(update_fields=["task"])
    return task


T = TaskStatus
TASK_TRANSITIONS: dict[str, Transition] = {
    "start": Transition(gettext_lazy("Start"), frozenset({T.TODO}), T.IN_PROGRESS),
    "complete": Transition(gettext_lazy("Mark done"), frozenset(OPEN_TASK_STATUSES), T.DONE),
    "reopen": Transition(gettext_lazy("Reopen"), frozenset({T.DONE, T.CANCELLED}), T.IN_PROGRESS),
    "cancel": Transition(gettext_lazy("Cancel task"), frozenset(OPEN_TASK_STATUSES), T.CANCELLED),
}


def can_transition(user, task: WorkTask, action: str) -> bool:
    transition = TASK_TRANSITIONS[action]
    return task.status in transition.sources and can_manage_plan_of(user, task.plan.unit)


def available_actions(user, task: WorkTask) -> list[str]:
    if not can_manage_plan_of(user, task.plan.unit):
        return []
    return [action for action, transition in TASK_TRANSITIONS.items() if task.status in transition.sources]


def work_task_transition(*, actor, task: WorkTask, action: str, reason: str = "") -> WorkTask:
    """Move a task along (start, complete, reopen, cancel): lock, check, change, audit."""
    transition = TASK_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    if not can_manage_plan_of(actor, task.plan.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    with transaction.atomic():
        task = lock_row(task, "plan", of_self=True)
        transition.check(
            task.status,
            refusal=_("“%(action)s” is not possible while the task is “%(status)s”."),
            state_label=task.get_status_display(),
        )
        old = task.status
        task.status = transition.target
        task.completed_on = timezone.localdate() if transition.target == T.DONE else None
        task.save(update_fields=["status", "completed_on", "updated_at"])
        audit_event_record(actor=actor, subject=task, event=action, old=old, new=task.status, reason=reason)
    return task
