"""Writes of the assessment: callback draws and answers, accountability items, inspections.

Every state change locks its row, checks the source state (``TransitionNotAllowed`` → 409) and the actor's
right (``PermissionDenied`` → 403), saves with ``update_fields`` and writes an audit event.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core import periods
from core.workflow import TransitionNotAllowed
from organization.access import can, unit_in_scope
from organization.models import Unit, UnitKind

from .models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilitySource,
    AccountabilityStatus,
    Callback,
    CallbackDraw,
    CallbackSettings,
    CallbackStatus,
    ChecklistItem,
    EducationChannel,
    Inspection,
)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    capability: str


A = AccountabilityStatus
ACCOUNTABILITY_TRANSITIONS = {
    "close": Transition(gettext_lazy("Close"), frozenset({A.OPEN}), A.CLOSED, "assessment.summon"),
    "reopen": Transition(gettext_lazy("Reopen"), frozenset({A.CLOSED}), A.OPEN, "assessment.summon"),
}


def _on_commit(name: str, **kwargs) -> None:
    """Notify once the transaction has committed (see assessment.notifications)."""

    def send():
        from . import notifications

        getattr(notifications, name)(**kwargs)

    transaction.on_commit(send)


def can_transition_item(user, item: AccountabilityItem, action: str) -> bool:
    transition = ACCOUNTABILITY_TRANSITIONS[action]
    return item.status in transition.sources and can(user, transition.capability) and unit_in_scope(user, item.unit)


def _require(user, capability: str, unit: Unit | None = None) -> None:
    if not can(user, capability) or (unit is not None and not unit_in_scope(user, unit)):
        raise PermissionDenied(_("Your role may not do this here."))


# --- 一案双查: the monthly draw --------------------------------------------------------------------


def draw_sample(cases_by_village: dict[str, list[str]], *, seed: int, per_village: int | None, share) -> dict:
    """The pure draw: {village code: [case numbers]} → {village code: [drawn case numbers]}.

    Stratified: each village with cases is sampled on its own, in code order, from one generator seeded with
    ``seed``; within a village the cases are sorted by number first, so the same cases and seed give the same
    draw whatever order the database returns them in.
    """
    rng = random.Random(seed)
    drawn = {}
    for code in sorted(cases_by_village):
        numbers = sorted(cases_by_village[code])
        if not numbers:
            continue
        if share is not None:
            wanted = max(1, math.ceil(Decimal(share) * len(numbers)))
        else:
            wanted = per_village if per_village is not None else 1
        drawn[code] = sorted(rng.sample(numbers, min(wanted, len(numbers))))
    return drawn


def callback_draw_month(
    *, month: datetime.date, actor=None, seed: int | None = None, per_village: int | None = None, share=None
) -> tuple[CallbackDraw, bool]:
    """Draw the cases reported in ``month`` (any day of it) for callback; (draw, created).

    Idempotent: a month is drawn once; drawing it again returns the existing draw. The count or share come
    from :class:`CallbackSettings` unless given; callers from the settings, in turn.
    """
    from fraud_cases.models import FraudCase

    if actor is not None:
        _require(actor, "assessment.callback")
    period = periods.month(month)
    existing = CallbackDraw.objects.filter(month=period.first_day).first()
    if existing:
        return existing, False
    config = CallbackSettings.current()
    if per_village is None and share is None:
        per_village, share = config.per_village, config.share
    if seed is None:
        seed = secrets.randbits(48)
    cases = list(
        FraudCase.objects.reported_between(period.start, period.end)
        .filter(callback__isnull=True)
        .values_list("pk", "case_number", "village_id", "village__code")
    )
    by_village: dict[str, list[str]] = {}
    lookup = {}
    for pk, number, village_id, code in cases:
        by_village.setdefault(code, []).append(number)
        lookup[number] = (pk, village_id)
    drawn = draw_sample(by_village, seed=seed, per_village=per_village, share=share)
    callers = list(config.callers.filter(is_active=True).order_by("pk")) if config.pk else []
    try:
        with transaction.atomic():
            draw = CallbackDraw.objects.create(
                month=period.first_day,
                seed=seed,
                per_village=None if share is not None else per_village,
                share=share,
                trigger=CallbackDraw.Trigger.MANUAL if actor else CallbackDraw.Trigger.SCHEDULE,
                drawn_by=actor,
                population=len(cases),
            )
            rows = []
            for index, number in enumerate(number for code in sorted(drawn) for number in drawn[code]):
                pk, village_id = lookup[number]
                caller = callers[index % len(callers)] if callers else None
                rows.append(Callback(draw=draw, case_id=pk, village_id=village_id, assigned_to=caller))
            Callback.objects.bulk_create(rows)
            audit_event_record(actor=actor, subject=draw, event="callback_draw", new=str(len(rows)), seed=seed)
            _on_commit("draw_notify", draw_id=draw.pk)
    except IntegrityError:
        return CallbackDraw.objects.get(month=period.first_day), False
    return draw, True


def callback_assign(*, callback: Callback, caller, actor) -> Callback:
    _require(actor, "assessment.callback", callback.village)
    if caller is not None and not (can(caller, "assessment.callback") and unit_in_scope(caller, callback.village)):
        raise ValidationError({"assigned_to": _("This person may not make callbacks.")})
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback.pk)
        if callback.status != CallbackStatus.PENDING:
            raise TransitionNotAllowed(_("This callback has already been made."))
        old = str(callback.assigned_to_id or "")
        callback.assigned_to = caller
        callback.save(update_fields=["assigned_to"])
        audit_event_record(
            actor=actor, subject=callback, event="callback_assign", old=old, new=str(caller.pk) if caller else ""
        )
    return callback


def callback_record(
    *,
    callback: Callback,
    actor,
    reached: bool,
    educated: bool | None = None,
    channels: list[str] = (),
    other_channel: str = "",
    notes: str = "",
    called_at: datetime.datetime | None = None,
) -> Callback:
    """Record the call. Reached and not educated: opens a summons and a public criticism of the village."""
    _require(actor, "assessment.callback", callback.village)
    channels = [c for c in channels if c in EducationChannel.values]
    if reached and educated is None:
        raise ValidationError({"educated": _("Say whether the victim had received anti-fraud education.")})
    if reached and educated and not channels:
        raise ValidationError({"channels": _("Say how the victim was educated.")})
    if EducationChannel.OTHER in channels and not other_channel.strip():
        raise ValidationError({"other_channel": _("Say what the other channel was.")})
    with transaction.atomic():
        callback = Callback.objects.select_for_update().select_related("village", "case").get(pk=callback.pk)
        if callback.status != CallbackStatus.PENDING:
            raise TransitionNotAllowed(_("This callback has already been recorded."))
        callback.status = CallbackStatus.DONE
        callback.reached = reached
        callback.educated = educated if reached else None
        callback.channels = channels if reached and educated else []
        callback.other_channel = other_channel.strip() if EducationChannel.OTHER in callback.channels else ""
        callback.notes = notes
        callback.called_at = called_at or timezone.now()
        callback.recorded_by = actor
        callback.save(
            update_fields=[
                "status",
                "reached",
                "educated",
                "channels",
                "other_channel",
                "notes",
                "called_at",
                "recorded_by",
            ]
        )
        audit_event_record(
            actor=actor,
            subject=callback,
            event="callback_record",
            old=CallbackStatus.PENDING,
            new=CallbackStatus.DONE,
            reason=notes,
            reached=reached,
            educated=callback.educated,
        )
        if callback.is_not_educated:
            reason = _("Callback of case %(case)s: the victim had not received anti-fraud education.") % {
                "case": callback.case.case_number
            }
            for kind in (AccountabilityKind.SUMMONS, AccountabilityKind.CRITICISM):
                item, created = AccountabilityItem.objects.get_or_create(
                    callback=callback,
                    kind=kind,
                    defaults={
                        "unit": callback.village,
                        "source": AccountabilitySource.CALLBACK,
                        "reason": reason,
                        "created_by": actor,
                    },
                )
                if created:
                    audit_event_record(actor=actor, subject=item, event="accountability_open", new=A.OPEN)
                    _on_commit("accountability_notify", item_id=item.pk)
    return callback


# --- Accountability items ---------------------------------------------------------------------------


def accountability_open(
    *,
    unit: Unit,
    kind: str,
    actor,
    reason: str,
    source: str = AccountabilitySource.MANUAL,
    held_on: datetime.date | None = None,
    people: str = "",
    notes: str = "",
    rectification_deadline: datetime.date | None = None,
    client_id=None,
) -> AccountabilityItem:
    """Record a summons or a public criticism of ``unit`` (a village, or a department).

    Idempotent by ``client_id``: the same form submitted twice records one item."""
    _require(actor, "assessment.summon", unit)
    if client_id and (existing := AccountabilityItem.objects.filter(client_id=client_id).first()):
        return existing
    if unit.kind not in (UnitKind.VILLAGE, UnitKind.DEPARTMENT):
        raise ValidationError({"unit": _("Choose a village or a department.")})
    if kind not in AccountabilityKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    try:
        with transaction.atomic():
            return _accountability_create(
                client_id=client_id,
                unit=unit,
                kind=kind,
                source=source,
                reason=reason.strip(),
                held_on=held_on,
                people=people,
                notes=notes,
                rectification_deadline=rectification_deadline,
                created_by=actor,
            )
    except IntegrityError:
        if client_id:
            return AccountabilityItem.objects.get(client_id=client_id)
        raise


def accountability_summon_suggested(*, village: Unit, actor, reason: str) -> tuple[AccountabilityItem, bool]:
    """A summons suggestion turned into a summons of the village head: (item, created).

    One open suggested summons per village: the village row is locked, so a double tap or two leaders at
    once record one summons; while it is open, asking again returns it."""
    _require(actor, "assessment.summon", village)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=village.pk).first()
        existing = (
            AccountabilityItem.objects.filter(
                unit=village, kind=AccountabilityKind.SUMMONS, source=AccountabilitySource.SUGGESTION, status=A.OPEN
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if existing is not None:
            return existing, False
        item = accountability_open(
            unit=village,
            kind=AccountabilityKind.SUMMONS,
            actor=actor,
            reason=reason,
            source=AccountabilitySource.SUGGESTION,
        )
    return item, True


def _accountability_create(**fields) -> AccountabilityItem:
    item = AccountabilityItem.objects.create(**fields)
    _on_commit("accountability_notify", item_id=item.pk)
    audit_event_record(
        actor=fields["created_by"], subject=item, event="accountability_open", new=A.OPEN, reason=item.reason
    )
    return item


def accountability_update(
    *,
    item: AccountabilityItem,
    actor,
    held_on: datetime.date | None,
    people: str,
    notes: str,
    rectification_deadline: datetime.date | None,
    follow_up: str = "",
) -> AccountabilityItem:
    """Fill in the date, people, notes, deadline and follow-up of an open item."""
    _require(actor, "assessment.summon", item.unit)
    with transaction.atomic():
        item = AccountabilityItem.objects.select_for_update().get(pk=item.pk)
        if item.status != A.OPEN:
            raise TransitionNotAllowed(_("A closed item cannot be changed: reopen it first."))
        item.held_on, item.people, item.notes = held_on, people, notes
        item.rectification_deadline, item.follow_up = rectification_deadline, follow_up
        item.save(update_fields=["held_on", "people", "notes", "rectification_deadline", "follow_up"])
        audit_event_record(actor=actor, subject=item, event="accountability_update")
    return item


def accountability_transition(
    *, item: AccountabilityItem, actor, action: str, follow_up: str = ""
) -> AccountabilityItem:
    transition = ACCOUNTABILITY_TRANSITIONS[action]
    _require(actor, transition.capability, item.unit)
    with transaction.atomic():
        item = AccountabilityItem.objects.select_for_update().get(pk=item.pk)
        if item.status not in transition.sources:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the item is “%(status)s”.")
                % {"action": transition.label, "status": item.get_status_display()}
            )
        fields = ["status", "closed_at", "closed_by"]
        if action == "close":
            follow_up = (follow_up or item.follow_up).strip()
            if not item.held_on:
                raise ValidationError({"held_on": _("Record when it took place before closing.")})
            if not follow_up:
                raise ValidationError({"follow_up": _("Record the rectification follow-up before closing.")})
            item.follow_up = follow_up
            item.closed_at, item.closed_by = timezone.now(), actor
            fields.append("follow_up")
        else:
            item.closed_at, item.closed_by = None, None
        old = item.status
        item.status = transition.target
        item.save(update_fields=fields)
        audit_event_record(actor=actor, subject=item, event=f"accountability_{action}", old=old, new=item.status)
    return item


# --- 督导检查 -----------------------------------------------------------------------------------------


def checklist_for(unit: Unit):
    return ChecklistItem.objects.filter(is_active=True, unit_kind=unit.kind).order_by("order", "pk")


def inspection_record(
    *,
    unit: Unit,
    actor,
    inspected_on: datetime.date,
    inspectors: str,
    results: dict[int, int] | None = None,
    score: Decimal | None = None,
    findings: str = "",
    rectification_deadline: datetime.date | None = None,
    client_id=None,
) -> Inspection:
    """Record an inspection. With a checklist the score is the points awarded over the points possible × 100.
    Idempotent by ``client_id``."""
    _require(actor, "assessment.supervise", unit)
    if client_id and (existing := Inspection.objects.filter(client_id=client_id).first()):
        return existing
    if unit.kind not in (UnitKind.VILLAGE, UnitKind.DEPARTMENT):
        raise ValidationError({"unit": _("Choose a village or a department.")})
    items = list(checklist_for(unit))
    stored = {}
    if items:
        results = results or {}
        total = sum(item.points for item in items)
        awarded = 0
        for item in items:
            points = int(results.get(item.pk, 0))
            if not 0 <= points <= item.points:
                raise ValidationError(
                    _("“%(item)s”: between 0 and %(max)d points.") % {"item": item.label, "max": item.points}
                )
            awarded += points
            stored[str(item.pk)] = {"label": item.label, "points": points, "max": item.points}
        score = (Decimal(awarded) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    elif score is None:
        raise ValidationError({"score": _("Give a score (no checklist is configured).")})
    if rectification_deadline is not None and rectification_deadline < inspected_on:
        raise ValidationError({"rectification_deadline": _("The deadline cannot be before the inspection.")})
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                client_id=client_id,
                unit=unit,
                inspected_on=inspected_on,
                inspectors=inspectors,
                results=stored,
                score=score,
                findings=findings,
                rectification_deadline=rectification_deadline,
                created_by=actor,
            )
            audit_event_record(actor=actor, subject=inspection, event="inspection", new=str(score))
    except IntegrityError:
        if client_id:
            return Inspection.objects.get(client_id=client_id)
        raise
    return inspection


def inspection_mark_rectified(*, inspection: Inspection, actor, notes: str) -> Inspection:
    _require(actor, "assessment.supervise", inspection.unit)
    if not notes.strip():
        raise ValidationError({"notes": _("Say what was rectified.")})
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.rectified_at is not None or inspection.rectification_deadline is None:
            raise TransitionNotAllowed(_("Nothing to rectify on this inspection."))
        inspection.rectified_at = timezone.now()
        inspection.rectification_notes = notes.strip()
        inspection.save(update_fields=["rectified_at", "rectification_notes"])
        audit_event_record(actor=actor, subject=inspection, event="inspection_rectified", reason=notes)
    return inspection
