"""Writes of the assessment: callback draws and answers, accountability items, inspections.

Every state change locks its row, checks the source state (``TransitionNotAllowed`` → 409) and the actor's
right (``PermissionDenied`` → 403), saves with ``update_fields`` and writes an audit event.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core import periods
from core.rules import rule
from core.uploads import attach, files_removed_on_error
from core.workflow import Transition, TransitionNotAllowed, lock_row
from organization.access import can, unit_in_scope
from organization.actors import own_unit, works_in
from organization.models import Role, Unit, UnitKind

from . import records
from .models import (
    ASSESSED_KINDS,
    CATEGORY_UNIT_KIND,
    COLLECTIVE_CATEGORIES,
    KINDS_FOR_UNIT,
    OWED,
    AccountabilityItem,
    AccountabilityKind,
    AccountabilitySource,
    AccountabilityStatus,
    Callback,
    CallbackDraw,
    CallbackReview,
    CallbackSettings,
    CallbackStatus,
    ChecklistItem,
    EducationChannel,
    Inspection,
    Nomination,
    NominationCategory,
    NominationKind,
    RectificationReport,
    RectificationStatus,
)
from .models import NominationStatus as N

A = AccountabilityStatus
ACCOUNTABILITY_TRANSITIONS = {
    "close": Transition(gettext_lazy("Close"), frozenset({A.OPEN}), A.CLOSED, capability="assessment.summon"),
    "reopen": Transition(gettext_lazy("Reopen"), frozenset({A.CLOSED}), A.OPEN, capability="assessment.summon"),
}
R = RectificationStatus
# The summoned unit answers (整改报告); leadership accepts (the item closes) or returns it. The item must be open.
RECTIFICATION_TRANSITIONS = {
    "submit": Transition(
        gettext_lazy("Submit the rectification"), frozenset(OWED), R.SUBMITTED, capability="assessment.rectify"
    ),
    "accept": Transition(gettext_lazy("Accept"), frozenset({R.SUBMITTED}), R.ACCEPTED, capability="assessment.summon"),
    "return": Transition(gettext_lazy("Return"), frozenset({R.SUBMITTED}), R.RETURNED, capability="assessment.summon"),
}
# 先进集体和个人: proposed from the figures, decided by the leadership group (a rejection says why).
NOMINATION_TRANSITIONS = {
    "approve": Transition(gettext_lazy("Approve"), frozenset({N.PROPOSED}), N.APPROVED, capability="assessment.award"),
    "reject": Transition(gettext_lazy("Reject"), frozenset({N.PROPOSED}), N.REJECTED, capability="assessment.award"),
}
CALLBACK_DECISIONS = {
    "sanction": CallbackReview.SANCTIONED,
    "records_confirmed": CallbackReview.RECORDS_CONFIRMED,
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


HEAD_ROLES = {
    UnitKind.VILLAGE: Role.VILLAGE_HEAD,
    UnitKind.DEPARTMENT: Role.DEPARTMENT_STAFF,
    UnitKind.SCHOOL: Role.SCHOOL_STAFF,
    UnitKind.POLICE_STATION: Role.POLICE,
}


def head_role(unit: Unit) -> str:
    """Who answers for ``unit``: the village head of a village, the staff of a department, school or station."""
    return HEAD_ROLES.get(unit.kind, Role.DEPARTMENT_STAFF)


def headed_unit(user) -> Unit | None:
    """The unit ``user`` answers for (a summons' rectification, the home page's panel): the nearest village,
    department, school or police station at or above their own unit, when they hold its head role."""
    unit = own_unit(user, ASSESSED_KINDS)
    return unit if unit is not None and user.has_role(head_role(unit)) else None


def is_unit_head(user, unit: Unit) -> bool:
    """Does ``user`` answer for ``unit`` (its village head; its department's or school's staff; its station's
    police), in the unit itself?"""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and can(user, "assessment.rectify")
        and works_in(user, unit, roles={head_role(unit)})
    )


def can_rectify(user, item: AccountabilityItem, action: str) -> bool:
    """May ``user`` take the rectification ``action`` on ``item`` now (for the buttons)?"""
    transition = RECTIFICATION_TRANSITIONS[action]
    if item.status != A.OPEN or item.rectification_status not in transition.sources:
        return False
    if action == "submit":
        return is_unit_head(user, item.unit)
    return can(user, transition.capability) and unit_in_scope(user, item.unit)


def can_decide_callback(user, callback: Callback) -> bool:
    return (
        callback.review == CallbackReview.DISAGREE
        and can(user, "assessment.summon")
        and unit_in_scope(user, callback.village)
    )


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


def _by_town_settings(by_village: dict[str, list[str]], per_village, share) -> dict[tuple, dict[str, list[str]]]:
    """``by_village`` split by the draw settings of each village's town: {(per village, share): {code: numbers}}.
    A town (or its county) that sets a count or a share in ``TownSettings`` draws with it; the others with
    ``per_village`` / ``share``."""
    from organization.models import TownSettings

    rows = [
        row
        for row in TownSettings.objects.select_related("unit")
        if row.callback_per_village is not None or row.callback_share is not None
    ]
    paths = dict(Unit.objects.filter(code__in=list(by_village)).values_list("code", "path")) if rows else {}
    groups: dict[tuple, dict[str, list[str]]] = {}
    for code, numbers in by_village.items():
        path = paths.get(code, "")
        found = max(
            (row for row in rows if path.startswith(row.unit.path)), key=lambda r: len(r.unit.path), default=None
        )
        key = (found.callback_per_village, found.callback_share) if found is not None else (per_village, share)
        groups.setdefault(key, {})[code] = numbers
    return groups


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
    given = per_village is not None or share is not None
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
    if given:
        drawn = draw_sample(by_village, seed=seed, per_village=per_village, share=share)
    else:  # each town's own count or share (TownSettings, then its county's), else the installation's
        drawn = {}
        for (town_per_village, town_share), group in _by_town_settings(by_village, per_village, share).items():
            drawn.update(draw_sample(group, seed=seed, per_village=town_per_village, share=town_share))
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
        if callback.answered_not_educated:
            evidence = records.education_evidence(callback.case)
            if evidence:
                # 对确未接受防骗宣传教育的: the records say otherwise, so leadership decides before any sanction.
                callback.review = CallbackReview.DISAGREE
                callback.records = [found.as_json() for found in evidence]
                callback.save(update_fields=["review", "records"])
                audit_event_record(
                    actor=actor,
                    subject=callback,
                    event="callback_records_disagree",
                    new=CallbackReview.DISAGREE,
                    records=callback.records,
                )
                _on_commit("records_disagree_notify", callback_id=callback.pk)
            else:
                _sanction(callback=callback, actor=actor)
    return callback


def _sanction(*, callback: Callback, actor) -> list[AccountabilityItem]:
    """确未接受防骗宣传教育: 约谈 of the village head and 通报批评, traced to the household's grid and workers."""
    reason = _("Callback of case %(case)s: the victim had not received anti-fraud education.") % {
        "case": callback.case.case_number
    }
    grid, workers = records.traced_responsibility(callback.case)
    items = []
    for kind in (AccountabilityKind.SUMMONS, AccountabilityKind.CRITICISM):
        item, created = AccountabilityItem.objects.get_or_create(
            callback=callback,
            kind=kind,
            defaults={
                "unit": callback.village,
                "source": AccountabilitySource.CALLBACK,
                "reason": reason,
                "created_by": actor,
                "case": None,
                "traced_grid": grid,
            },
        )
        if created:
            item.traced_workers.set(workers)
            audit_event_record(
                actor=actor,
                subject=item,
                event="accountability_open",
                new=A.OPEN,
                traced_grid=grid.name if grid else "",
                traced_workers=[str(worker) for worker in workers],
            )
            _on_commit("accountability_notify", item_id=item.pk)
        items.append(item)
    return items


def callback_decide(*, callback: Callback, actor, decision: str, note: str = "") -> Callback:
    """Leadership decides a "records disagree" callback: ``sanction`` (confirmed not educated: 约谈 and 通报批评)
    or ``records_confirmed`` (the records stand: no sanction; a note says why)."""
    _require(actor, "assessment.summon", callback.village)
    if decision not in CALLBACK_DECISIONS:
        raise ValidationError({"decision": _("Unknown decision.")})
    note = (note or "").strip()
    if decision == "records_confirmed" and not note:
        raise ValidationError({"note": _("Say why the records stand.")})
    with transaction.atomic():
        callback = Callback.objects.select_for_update().select_related("village", "case__victim").get(pk=callback.pk)
        if callback.review != CallbackReview.DISAGREE:
            raise TransitionNotAllowed(_("This callback does not wait for a decision."))
        old = callback.review
        callback.review = CALLBACK_DECISIONS[decision]
        callback.review_note, callback.reviewed_by, callback.reviewed_at = note, actor, timezone.now()
        callback.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
        audit_event_record(
            actor=actor, subject=callback, event=f"callback_{decision}", old=old, new=callback.review, reason=note
        )
        if decision == "sanction":
            _sanction(callback=callback, actor=actor)
    return callback


# --- 事故复盘: defrauded after warning ----------------------------------------------------------------


def warned_within_lookback(*, warning, reported_at: datetime.datetime) -> bool:
    """Was ``warning`` pushed within INCIDENT_LOOKBACK_DAYS before ``reported_at`` (预警…又被骗的就是事故)?"""
    if warning is None or warning.pushed_at >= reported_at:
        return False
    return warning.pushed_at >= reported_at - datetime.timedelta(days=rule("INCIDENT_LOOKBACK_DAYS"))


def incident_review_open(*, case, actor=None) -> tuple[AccountabilityItem | None, bool]:
    """Open the incident review of ``case`` when its victim was warned within the lookback window: an item
    against the warning's village, with the warning (its visit record), the grid and the workers responsible;
    leadership and the village head are notified. Idempotent: one review per case. ``(item, created)``.

    Called inside the case registration's transaction (the registering police officer is the actor)."""
    warning = case.warning
    if not warned_within_lookback(warning=warning, reported_at=case.reported_at):
        return None, False
    existing = AccountabilityItem.objects.filter(case=case, kind=AccountabilityKind.INCIDENT_REVIEW).first()
    if existing is not None:
        return existing, False
    grid, workers = records.traced_responsibility(case, warning=warning)
    reason = _(
        "%(name)s was warned on %(pushed)s (warning %(warning)s) and defrauded: case %(case)s, reported on "
        "%(reported)s, loss ¥%(loss)s. Warned and still defrauded is an incident."
    ) % {
        "name": case.victim.name,
        "pushed": f"{timezone.localtime(warning.pushed_at):%Y-%m-%d}",
        "warning": warning.external_id,
        "case": case.case_number,
        "reported": f"{timezone.localtime(case.reported_at):%Y-%m-%d}",
        "loss": case.loss_amount,
    }
    try:
        with transaction.atomic():
            item = AccountabilityItem.objects.create(
                unit=warning.village,
                kind=AccountabilityKind.INCIDENT_REVIEW,
                source=AccountabilitySource.INCIDENT,
                case=case,
                warning=warning,
                reason=reason,
                traced_grid=grid,
                created_by=actor,
            )
            item.traced_workers.set(workers)
            audit_event_record(
                actor=actor,
                subject=item,
                event="accountability_open",
                new=A.OPEN,
                reason=reason,
                case=case.case_number,
                warning=warning.external_id,
                traced_grid=grid.name if grid else "",
                traced_workers=[str(worker) for worker in workers],
            )
    except IntegrityError:
        return AccountabilityItem.objects.get(case=case, kind=AccountabilityKind.INCIDENT_REVIEW), False
    _on_commit("accountability_notify", item_id=item.pk)
    return item, True


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
    if unit.kind not in ASSESSED_KINDS:
        raise ValidationError({"unit": _("Choose a village, a department, a school or a police station.")})
    if kind not in AccountabilityKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if kind == AccountabilityKind.INCIDENT_REVIEW:
        raise ValidationError({"kind": _("An incident review is opened by the registration of the case.")})
    if kind not in KINDS_FOR_UNIT[unit.kind]:
        raise ValidationError(
            {
                "kind": _("A %(kind)s does not fit a %(unit)s.")
                % {"kind": AccountabilityKind(kind).label, "unit": UnitKind(unit.kind).label}
            }
        )
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
        item = lock_row(item)
        transition.check(
            item.status,
            refusal=_("“%(action)s” is not possible while the item is “%(status)s”."),
            state_label=item.get_status_display(),
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
            if item.rectification_status == R.ACCEPTED:  # reopened: the unit owes a new rectification
                item.rectification_status = R.AWAITING
                fields.append("rectification_status")
        old = item.status
        item.status = transition.target
        item.save(update_fields=fields)
        audit_event_record(actor=actor, subject=item, event=f"accountability_{action}", old=old, new=item.status)
    return item


# --- 整改报告: the summoned unit answers -------------------------------------------------------------


def _lock_for_rectification(item: AccountabilityItem, action: str) -> AccountabilityItem:
    transition = RECTIFICATION_TRANSITIONS[action]
    item = lock_row(item, "unit")
    if item.status != A.OPEN or not transition.allows(item.rectification_status):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the rectification is “%(status)s”.")
            % {"action": transition.label, "status": item.get_rectification_status_display()}
        )
    return item


def rectification_submit(*, item: AccountabilityItem, actor, text: str, files=()) -> RectificationReport:
    """The village head (or the department's staff) submits what their unit rectified, with evidence files
    (checked uploads). Only for an item against their own unit; again after a return."""
    if not is_unit_head(actor, item.unit):
        raise PermissionDenied(_("Only the summoned unit's head submits its rectification."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was rectified.")})
    with files_removed_on_error(), transaction.atomic():
        item = _lock_for_rectification(item, "submit")
        report = RectificationReport.objects.create(item=item, text=text, submitted_by=actor)
        if files:
            attach(report, files, user=actor)
        old = item.rectification_status
        item.rectification_status = R.SUBMITTED
        item.save(update_fields=["rectification_status"])
        audit_event_record(
            actor=actor,
            subject=item,
            event="rectification_submit",
            old=old,
            new=item.rectification_status,
            files=len(files),
        )
        _on_commit("rectification_notify", report_id=report.pk)
    return report


def rectification_decide(*, item: AccountabilityItem, actor, action: str, note: str = "") -> RectificationReport:
    """Leadership ``accept``s the latest report (the item closes, the report is its follow-up) or ``return``s it
    (a note says what is missing; the unit submits again)."""
    if action not in ("accept", "return"):
        raise ValidationError({"action": _("Unknown decision.")})
    _require(actor, RECTIFICATION_TRANSITIONS[action].capability, item.unit)
    note = (note or "").strip()
    if action == "return" and not note:
        raise ValidationError({"note": _("Say what is missing.")})
    with transaction.atomic():
        item = _lock_for_rectification(item, action)
        report = RectificationReport.objects.select_for_update().filter(item=item).order_by("-submitted_at", "-pk")[0]
        now = timezone.now()
        decisions = RectificationReport.Decision
        report.decision = decisions.ACCEPTED if action == "accept" else decisions.RETURNED
        report.decision_note, report.decided_by, report.decided_at = note, actor, now
        report.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        old = item.rectification_status
        item.rectification_status = RECTIFICATION_TRANSITIONS[action].target
        fields = ["rectification_status"]
        if action == "accept":
            item.status, item.closed_at, item.closed_by = A.CLOSED, now, actor
            item.follow_up = item.follow_up or report.text
            fields += ["status", "closed_at", "closed_by", "follow_up"]
        item.save(update_fields=fields)
        audit_event_record(
            actor=actor,
            subject=item,
            event=f"rectification_{action}",
            old=old,
            new=item.rectification_status,
            reason=note,
        )
        _on_commit("rectification_notify", report_id=report.pk)
    return report


def rectification_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each summoned unit whose rectification is overdue (not submitted, or returned): once per item
    and deadline (the notifications' own unique key). Returns how many people were newly reminded."""
    from . import notifications

    today = today or timezone.localdate()
    sent = 0
    for item in AccountabilityItem.objects.overdue(today).select_related("unit").order_by("pk"):
        sent += notifications.rectification_overdue_notify(item=item)
    return sent


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
    if unit.kind not in ASSESSED_KINDS:
        raise ValidationError({"unit": _("Choose a village, a department, a school or a police station.")})
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


# --- 先进集体和个人: year-end nominations ---------------------------------------------------------------


def can_decide_nomination(user, nomination: Nomination) -> bool:
    return nomination.status == N.PROPOSED and can(user, "assessment.award") and unit_in_scope(user, nomination.unit)


def _figures_reason(figures: dict) -> str:
    from .models import figure_rows

    return "；".join(f"{label} {value}" for label, value in figure_rows(figures) if value not in (None, ""))


def nomination_propose(
    *, actor, year: int, category: str, unit: Unit | None = None, person=None, reason: str = ""
) -> tuple[Nomination, bool]:
    """Propose ``unit`` (a collective) or ``person`` (an individual) for the year's nominations: (nomination,
    created). The figures that put them forward are computed now from the records and kept with the proposal;
    the reason is given, or written from the figures. One per year and unit or person: proposing again (a
    double tap, two leaders at once) returns the nomination already recorded."""
    from organization.access import narrowed_to

    from . import nominations

    if category not in NominationCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    collective = category in COLLECTIVE_CATEGORIES
    if collective:
        if unit is None or unit.kind != CATEGORY_UNIT_KIND[category]:
            raise ValidationError({"unit": _("Choose a unit of this kind.")})
        person = None
    else:
        if person is None or person.unit_id is None:
            raise ValidationError({"person": _("Choose a person who works in a unit.")})
        unit = person.unit
    _require(actor, "assessment.nominate", unit)
    existing = Nomination.objects.filter(
        year=year, **({"unit": unit, "person__isnull": True} if collective else {"person": person})
    ).first()
    if existing is not None:
        return existing, False
    period = nominations.year_period(year)
    if period.first_day.year != year:
        raise ValidationError({"year": _("Choose a year.")})
    town = unit.ancestor(UnitKind.TOWN)
    reader = narrowed_to(actor, town) if town is not None and unit_in_scope(actor, town) else actor
    candidate = nominations.candidate_for(user=reader, period=period, category=category, unit=unit, person=person)
    if candidate is None:
        raise ValidationError(
            _("The records of %(year)d do not put %(name)s forward: nothing to justify a nomination.")
            % {"year": year, "name": str(person) if person is not None else unit.name}
        )
    reason = (reason or "").strip() or _figures_reason(candidate.figures)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                year=year,
                kind=NominationKind.COLLECTIVE if collective else NominationKind.INDIVIDUAL,
                category=category,
                unit=unit,
                person=person,
                figures=candidate.figures,
                reason=reason,
                proposed_by=actor,
            )
            audit_event_record(
                actor=actor,
                subject=nomination,
                event="nomination_propose",
                new=N.PROPOSED,
                reason=reason,
                figures=candidate.figures,
            )
    except IntegrityError:
        lookup = {"unit": unit, "person__isnull": True} if collective else {"person": person}
        return Nomination.objects.get(year=year, **lookup), False
    return nomination, True


def nomination_decide(*, nomination: Nomination, actor, action: str, note: str = "") -> Nomination:
    """The leadership group ``approve``s or ``reject``s a proposed nomination (a rejection says why)."""
    transition = NOMINATION_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": _("Unknown decision.")})
    _require(actor, transition.capability, nomination.unit)
    note = (note or "").strip()
    if action == "reject" and not note:
        raise ValidationError({"note": _("Say why the nomination is rejected.")})
    with transaction.atomic():
        nomination = lock_row(nomination, "unit")
        transition.check(
            nomination.status,
            refusal=_("“%(action)s” is not possible while the nomination is “%(status)s”."),
            state_label=nomination.get_status_display(),
        )
        old = nomination.status
        nomination.status = transition.target
        nomination.decided_by, nomination.decided_at, nomination.decision_note = actor, timezone.now(), note
        nomination.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_event_record(
            actor=actor, subject=nomination, event=f"nomination_{action}", old=old, new=nomination.status, reason=note
        )
    return nomination
