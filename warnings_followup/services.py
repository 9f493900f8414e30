"""Writes of the warning workflow. Every transition: lock the row, check the state and the actor's
right, change, save with ``update_fields``, write an audit event, notify on commit.

The allowed transitions are data (``TRANSITIONS``); ``can_transition`` answers for templates and
the API which actions a user may take now.

The plan (罗办发〔2023〕12号, 三(一)2) in the code:

* "首次预警劝阻主要由派出所负责": the police record their first dissuasion (``first_dissuasion_*``) whether or not
  the team has visited; the team's first in-person visit sets ``first_team_contact_at``, its own fact.
* "每三天见面回访一次预警对象，时间持续一个月": the visits go on every ``VISIT_INTERVAL_DAYS`` until ``window_ends``
  (``FOLLOW_UP_MONTHS`` calendar months from the push's local date), also after dissuasion is confirmed.
* "如经反诈宣传劝阻队确认劝阻成功…及时通报派出所解除…止付": only the village's dissuasion team and its head confirm,
  after an in-person visit by the team; confirming asks the police for the release at once.
* When the window ends, :func:`warnings_close_ended_windows` closes the cases whose outcome is known; police
  close earlier only with a reason (``CloseReason``).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core.bulk import insert_unless_taken
from core.crypto import blind_index
from core.rules import add_months, rule
from core.validators import normalize_bank_account
from core.workflow import Transition, TransitionNotAllowed, lock_row
from organization.access import VILLAGE_TEAM_ROLES, unit_in_scope
from organization.actors import is_police, is_police_for, works_in
from organization.models import Role, Unit, UnitKind
from residents.services import resident_get_or_create_for_warning

from .models import (
    EARLY_CLOSE_REASONS,
    FOLLOW_UP_STATUSES,
    OUTCOME_KNOWN_STATUSES,
    CloseReason,
    DissuasionMethod,
    EscalationContact,
    FollowUpVisit,
    StopPaymentAccount,
    VisitMethod,
    WarningOrder,
    WarningStatus,
    local_date,
)

logger = logging.getLogger(__name__)
S = WarningStatus
POLICE = "police"
TEAM = "team"  # the village's team in the wide sense: head, dissuasion team, grid workers, assistants, volunteers
CONFIRMER = "confirmer"  # "经反诈宣传劝阻队确认": the village's dissuasion team and its head
CONFIRMER_ROLES = frozenset({Role.DISSUASION_TEAM, Role.VILLAGE_HEAD})


# Each step's actors: POLICE, TEAM and/or CONFIRMER; a target of None: the status stays (or the service decides).
TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition(gettext_lazy("Acknowledge"), frozenset({S.PUSHED}), S.FOLLOWING_UP, frozenset({TEAM})),
    "first_dissuasion": Transition(
        gettext_lazy("Record first dissuasion"),
        frozenset(FOLLOW_UP_STATUSES) | {S.DEFRAUDED},
        None,
        frozenset({POLICE}),
    ),
    "confirm_dissuaded": Transition(
        gettext_lazy("Confirm dissuaded"), frozenset({S.FOLLOWING_UP}), None, frozenset({CONFIRMER})
    ),
    "confirm_release": Transition(
        gettext_lazy("Confirm stop-payment release"), frozenset({S.RELEASE_REQUESTED}), S.RELEASED, frozenset({POLICE})
    ),
    "report_defrauded": Transition(
        gettext_lazy("Report defrauded after warning"),
        frozenset({S.PUSHED, S.FOLLOWING_UP, S.DISSUADED, S.RELEASE_REQUESTED, S.RELEASED}),
        S.DEFRAUDED,
        frozenset({POLICE, TEAM}),
    ),
    # Before the window ends only with a reason (CloseReason); a pending release is confirmed first.
    "close": Transition(
        gettext_lazy("Close"),
        frozenset({S.PUSHED, S.FOLLOWING_UP, S.DISSUADED, S.RELEASED, S.DEFRAUDED}),
        S.CLOSED,
        frozenset({POLICE}),
    ),
}


def actor_kinds(user, warning: WarningOrder) -> set[str]:
    """Which sides of the workflow ``user`` acts for on ``warning``: police, the village team, both or none."""
    kinds = set()
    if is_police_for(user, warning.village):
        kinds.add(POLICE)
    if works_in(user, warning.village, roles=VILLAGE_TEAM_ROLES) and unit_in_scope(user, warning.village):
        kinds.add(TEAM)
        if user.has_role(*CONFIRMER_ROLES):
            kinds.add(CONFIRMER)
    return kinds


def can_record_contact(user, warning: WarningOrder) -> bool:
    """May ``user`` record visits and escalation contacts on ``warning``? The village's team and the police."""
    return bool(actor_kinds(user, warning) & {POLICE, TEAM})


def _precondition_error(warning: WarningOrder, action: str) -> str | None:
    """Why ``action`` is not possible yet on ``warning`` beyond its status, or None."""
    if action == "first_dissuasion" and warning.first_dissuasion_at is not None:
        return _("The police's first dissuasion has already been recorded.")
    if action == "confirm_dissuaded" and warning.first_team_contact_at is None:
        return _("Dissuasion is confirmed after at least one in-person visit by the village team.")
    return None


def can_transition(user, warning: WarningOrder, action: str) -> bool:
    transition = TRANSITIONS[action]
    return (
        transition.allows(warning.status)
        and transition.taken_by(actor_kinds(user, warning))
        and _precondition_error(warning, action) is None
    )


def available_actions(user, warning: WarningOrder) -> list[str]:
    return [action for action in TRANSITIONS if can_transition(user, warning, action)]


def _check(user, warning: WarningOrder, action: str) -> Transition:
    transition = TRANSITIONS[action]
    transition.check_side(
        actor_kinds(user, warning),
        refusal=_("Only the village's dissuasion team and the village head may confirm dissuasion.")
        if action == "confirm_dissuaded"
        else _("Your role may not do this on this warning."),
    )
    transition.check(
        warning.status,
        refusal=_("“%(action)s” is not possible while the warning is “%(status)s”."),
        state_label=warning.get_status_display(),
    )
    error = _precondition_error(warning, action)
    if error:
        raise TransitionNotAllowed(error)
    return transition


def _locked(warning: WarningOrder) -> WarningOrder:
    return lock_row(warning, "village", "person")


def _set_status(warning: WarningOrder, new: str, *, actor, event: str, reason: str, fields: list[str], **extra) -> None:
    old = warning.status
    warning.status = new
    warning.save(update_fields=[*fields, "status", "updated_at"])
    audit_event_record(actor=actor, subject=warning, event=event, old=old, new=new, reason=reason, **extra)


def _notify_on_commit(kind: str, warning: WarningOrder) -> None:
    from . import notifications

    warning_id = warning.pk
    transaction.on_commit(lambda: notifications.warning_event_notify(kind=kind, warning_id=warning_id))


def _notify_in_background(kind: str, warning: WarningOrder) -> None:
    """Notify after the commit from a worker (``tasks.notify_event``), not in the request: a field worker's POST
    does not wait for the recipients, the notifications and the work group's delivery. When the task cannot be
    queued (the broker is down), the notification is sent here after all, never lost."""
    from . import notifications, tasks

    warning_id = warning.pk

    def queue() -> None:
        try:
            tasks.notify_event.delay(kind, warning_id)
        except Exception:  # the broker is down: send it now
            logger.warning(
                "warning %s: %s notification not queued, sent in the request", warning_id, kind, exc_info=True
            )
            notifications.warning_event_notify(kind=kind, warning_id=warning_id)

    transaction.on_commit(queue)


# --- Push ----------------------------------------------------------------------------------------


@dataclass
class PushResult:
    warning: WarningOrder
    created: bool


def warning_push(
    *,
    actor,
    external_id: str,
    person_name: str,
    id_number: str,
    village: Unit,
    fraud_type: str,
    risk_level: str,
    summary: str = "",
    phone: str = "",
    address: str = "",
    stop_payment_accounts: list[dict] | tuple = (),
    pushed_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> PushResult:
    """Police push a warning. Re-pushing the same ``external_id`` returns the existing warning.

    ``now`` (here and in the services below that stamp a time): the moment the service acts, default the
    clock's; the demo plays its cases at the moment each step happened.
    """
    if not is_police(actor):
        raise PermissionDenied(_("Only police staff may push warnings."))
    if village.kind != UnitKind.VILLAGE or not unit_in_scope(actor, village):
        raise ValidationError({"village": _("Unknown village code.")})
    existing = WarningOrder.objects.filter(external_id=external_id).first()
    if existing is not None:
        return PushResult(existing, False)
    accounts = []
    errors = []
    for index, account in enumerate(stop_payment_accounts):
        try:
            number = normalize_bank_account(account.get("account_number", ""))
        except ValidationError as exc:
            errors.append(_("Account %(n)d: %(message)s") % {"n": index + 1, "message": " ".join(exc.messages)})
            continue
        bank = (account.get("bank") or "").strip()
        if not bank:
            errors.append(_("Account %(n)d: enter the bank.") % {"n": index + 1})
        accounts.append((bank, number))
    if errors:
        raise ValidationError({"stop_payment_accounts": errors})
    pushed_at = pushed_at or now or timezone.now()
    push_day = local_date(pushed_at)
    try:
        with transaction.atomic():
            person = resident_get_or_create_for_warning(
                name=person_name, id_number=id_number, village=village, phone=phone
            )
            warning = WarningOrder.objects.create(
                external_id=external_id,
                person=person,
                village=village,
                address=address,
                fraud_type=fraud_type,
                risk_level=risk_level,
                summary=summary,
                pushed_at=pushed_at,
                pushed_by=actor,
                window_ends=add_months(push_day, rule("FOLLOW_UP_MONTHS")),
                next_visit_due=push_day + datetime.timedelta(days=rule("VISIT_INTERVAL_DAYS")),
            )
            StopPaymentAccount.objects.bulk_create(
                StopPaymentAccount(
                    warning=warning,
                    bank=bank,
                    account_number=number,
                    account_number_hash=blind_index(number, purpose="bank_account"),
                )
                for bank, number in accounts
            )
            audit_event_record(actor=actor, subject=warning, event="push", new=S.PUSHED, accounts=len(accounts))
            _notify_on_commit("pushed", warning)
    except IntegrityError:
        # Two pushes of the same instruction at once: the other one won.
        return PushResult(WarningOrder.objects.get(external_id=external_id), False)
    return PushResult(warning, True)


# --- Transitions ---------------------------------------------------------------------------------


@transaction.atomic
def warning_acknowledge(
    *, warning: WarningOrder, actor, reason: str = "", now: datetime.datetime | None = None
) -> WarningOrder:
    warning = _locked(warning)
    transition = _check(actor, warning, "acknowledge")
    warning.acknowledged_at = now or timezone.now()
    warning.acknowledged_by = actor
    _set_status(
        warning,
        transition.target,
        actor=actor,
        event="acknowledge",
        reason=reason,
        fields=["acknowledged_at", "acknowledged_by"],
    )
    return warning


@transaction.atomic
def warning_record_first_dissuasion(
    *,
    warning: WarningOrder,
    actor,
    method: str,
    result: str,
    reason: str = "",
    at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> WarningOrder:
    """The police's own first dissuasion ("首次预警劝阻主要由派出所负责"), whether or not the team has visited.

    Refused (409) only when the police's first dissuasion is already recorded. ``at``: when it happened
    (default now; never in the future).
    """
    warning = _locked(warning)
    _check(actor, warning, "first_dissuasion")
    if method not in DissuasionMethod.values:
        raise ValidationError({"method": _("Choose by phone, in person or jointly.")})
    if not (result or "").strip():
        raise ValidationError({"result": _("Describe the result of the first dissuasion.")})
    now = now or timezone.now()
    at = at or now
    if at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"at": _("The first dissuasion cannot be in the future.")})
    warning.first_dissuasion_at = at
    warning.first_dissuasion_by = actor
    warning.first_dissuasion_method = method
    warning.first_dissuasion_result = result.strip()
    warning.save(
        update_fields=[
            "first_dissuasion_at",
            "first_dissuasion_by",
            "first_dissuasion_method",
            "first_dissuasion_result",
            "updated_at",
        ]
    )
    audit_event_record(actor=actor, subject=warning, event="first_dissuasion", reason=reason or result, method=method)
    return warning


@transaction.atomic
def warning_confirm_dissuaded(
    *, warning: WarningOrder, actor, reason: str = "", now: datetime.datetime | None = None
) -> WarningOrder:
    """The dissuasion team (or the village head) confirms no further risk, after an in-person visit by the team.

    A release request goes to police at once if accounts are stopped. The visits go on: ``next_visit_due``
    keeps running until the window ends.
    """
    warning = _locked(warning)
    _check(actor, warning, "confirm_dissuaded")
    pending = warning.stop_payment_accounts.filter(released_at__isnull=True).exists()
    warning.dissuaded_at = now or timezone.now()
    target = S.RELEASE_REQUESTED if pending else S.DISSUADED
    _set_status(
        warning,
        target,
        actor=actor,
        event="confirm_dissuaded",
        reason=reason,
        fields=["dissuaded_at"],
    )
    _notify_on_commit("release_requested" if pending else "dissuaded", warning)
    return warning


@transaction.atomic
def warning_confirm_release(
    *, warning: WarningOrder, actor, reason: str = "", now: datetime.datetime | None = None
) -> WarningOrder:
    """Police release every account still under stop-payment. Two police at once: exactly one release."""
    warning = _locked(warning)
    transition = _check(actor, warning, "confirm_release")
    now = now or timezone.now()
    released = warning.stop_payment_accounts.filter(released_at__isnull=True).update(released_at=now, released_by=actor)
    _set_status(
        warning, transition.target, actor=actor, event="confirm_release", reason=reason, fields=[], accounts=released
    )
    return warning


@transaction.atomic
def warning_report_defrauded(
    *,
    warning: WarningOrder,
    actor,
    loss_amount,
    defrauded_on: datetime.date,
    reason: str = "",
    event="report_defrauded",
) -> WarningOrder:
    warning = _locked(warning)
    transition = _check(actor, warning, "report_defrauded")
    try:
        loss = Decimal(str(loss_amount))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({"loss_amount": _("Enter the loss as an amount in yuan.")}) from exc
    if loss < 0:
        raise ValidationError({"loss_amount": _("The loss cannot be negative.")})
    if defrauded_on is None:
        raise ValidationError({"defrauded_on": _("Enter the date of the fraud.")})
    warning.loss_amount = loss
    warning.defrauded_on = defrauded_on
    warning.next_visit_due = None
    _set_status(
        warning,
        transition.target,
        actor=actor,
        event=event,
        reason=reason,
        fields=["loss_amount", "defrauded_on", "next_visit_due"],
        loss_amount=str(loss),
    )
    _notify_on_commit("defrauded", warning)
    return warning


@transaction.atomic
def warning_close(
    *, warning: WarningOrder, actor, reason: str = "", close_reason: str = "", now: datetime.datetime | None = None
) -> WarningOrder:
    """Police close a case. Before the window ends (or while no outcome is known) only with a reason from
    ``EARLY_CLOSE_REASONS``; "other" needs the reason in words. After the window, a case whose outcome is
    known closes without one (the window-end task would close it anyway)."""
    warning = _locked(warning)
    transition = _check(actor, warning, "close")
    now = now or timezone.now()
    reason = (reason or "").strip()
    early = not warning.window_has_ended(local_date(now)) or warning.status not in (
        *OUTCOME_KNOWN_STATUSES,
        S.DEFRAUDED,
    )
    if close_reason and close_reason not in dict(EARLY_CLOSE_REASONS):
        raise ValidationError({"close_reason": _("Choose a reason from the list.")})
    if early and not close_reason:
        raise ValidationError(
            {"close_reason": _("Before the follow-up window ends, a case is closed only for a reason from the list.")}
        )
    if close_reason == CloseReason.OTHER and not reason:
        raise ValidationError({"reason": _("Describe the other reason.")})
    warning.closed_at = now
    warning.close_reason = close_reason
    warning.next_visit_due = None
    _set_status(
        warning,
        transition.target,
        actor=actor,
        event="close",
        reason=reason,
        fields=["closed_at", "close_reason", "next_visit_due"],
        close_reason=close_reason,
    )
    return warning


def warning_close_at_window_end(*, warning_id: int, today: datetime.date, now: datetime.datetime | None = None) -> bool:
    """Close one case whose window ended and whose outcome is known (dissuaded or released) and whose last
    visit did not find the person at risk again. Idempotent: False when there is nothing to do."""
    with transaction.atomic():
        warning = WarningOrder.objects.select_for_update().filter(pk=warning_id).first()
        if warning is None or warning.status not in OUTCOME_KNOWN_STATUSES or not warning.window_has_ended(today):
            return False
        if still_at_risk(warning):
            return False
        warning.closed_at = now or timezone.now()
        warning.close_reason = CloseReason.WINDOW_ENDED
        warning.next_visit_due = None
        _set_status(
            warning,
            S.CLOSED,
            actor=None,
            event="window_ended",
            reason=_("The follow-up window ended on %(end)s.") % {"end": warning.window_ends.isoformat()},
            fields=["closed_at", "close_reason", "next_visit_due"],
        )
    return True


def warnings_close_ended_windows(*, today: datetime.date | None = None) -> int:
    """The beat task's work: close every case whose window ended before ``today`` with its outcome known."""
    today = today or timezone.localdate()
    candidates = WarningOrder.objects.filter(status__in=OUTCOME_KNOWN_STATUSES, window_ends__lt=today)
    return sum(
        warning_close_at_window_end(warning_id=pk, today=today)
        for pk in candidates.order_by("window_ends", "pk").values_list("pk", flat=True)
    )


def still_at_risk(warning: WarningOrder) -> bool:
    """Did the latest visit find the person still at risk (also after dissuasion was confirmed)?"""
    latest = warning.visits.order_by("-visited_at", "-pk").values_list("at_risk", flat=True).first()
    return bool(latest)


# --- Visits and escalation -----------------------------------------------------------------------


@dataclass
class VisitResult:
    visit: FollowUpVisit
    created: bool


def anchors(*, pushed_at: datetime.datetime, visits) -> dict[int, datetime.date | None]:
    """Each visit's ``anchor_day`` (by pk) from ``visits`` as (pk, visited_at, method): an in-person visit answers
    the clock set by the in-person visit before it, or by the push; a phone call answers none."""
    clock = local_date(pushed_at)
    found = {}
    for pk, visited_at, method in sorted(visits, key=lambda visit: (visit[1], visit[0])):
        if method == VisitMethod.IN_PERSON:
            found[pk] = clock
            clock = local_date(visited_at)
        else:
            found[pk] = None
    return found


def visits_reanchor(*, warning_id: int) -> int:
    """Set ``anchor_day`` on every visit of one warning (after a visit was recorded out of order, changed or
    deleted); returns how many changed. The service sets a new visit's own anchor without calling this."""
    warning = WarningOrder.objects.filter(pk=warning_id).only("pushed_at").first()
    if warning is None:
        return 0
    visits = list(FollowUpVisit.objects.filter(warning_id=warning_id).only("visited_at", "method", "anchor_day"))
    wanted = anchors(pushed_at=warning.pushed_at, visits=[(v.pk, v.visited_at, v.method) for v in visits])
    changed = [visit for visit in visits if visit.anchor_day != wanted[visit.pk]]
    for visit in changed:
        visit.anchor_day = wanted[visit.pk]
    FollowUpVisit.objects.bulk_update(changed, ["anchor_day"])
    return len(changed)


def warning_record_visit(
    *,
    warning: WarningOrder,
    actor,
    client_id,
    visited_at: datetime.datetime,
    method: str,
    at_risk: bool,
    notes: str = "",
    visitors=(),
    understands_risk: bool = False,
    still_in_contact: bool = False,
    new_transfer_attempts: bool = False,
    app_installed: bool = False,
    relatives_informed: bool = False,
    now: datetime.datetime | None = None,
) -> VisitResult:
    """Record a follow-up visit. Re-posting the same ``client_id`` returns the first visit.

    Visits go on until the case is closed or the person defrauded, also after dissuasion is confirmed. The
    first in-person visit with a member of the village team sets ``first_team_contact_at``.
    """
    if not can_record_contact(actor, warning):
        raise PermissionDenied(_("Only the village's team and the police may record visits."))
    if method not in VisitMethod.values:
        raise ValidationError({"method": _("Choose in person or by phone.")})
    now = now or timezone.now()
    if visited_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("A visit cannot be in the future.")})
    if warning.pushed_at is not None and visited_at < warning.pushed_at - datetime.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("A visit cannot be before the warning was pushed.")})
    # Issue 13: at most eight queries a POST. The lock also reads the visit already posted with this client id
    # and the in-person visits around this one; the visit is inserted with ON CONFLICT DO NOTHING (a replay
    # racing this one inserts nothing); no savepoint, so nothing may raise inside the block.
    refused = None
    with transaction.atomic(savepoint=False):
        warning = _locked_for_visit(warning, client_id=client_id, visited_at=visited_at)
        if warning.replayed_visit is not None:
            refused = "replay"
        elif warning.status not in FOLLOW_UP_STATUSES:
            refused = _("Visits can only be recorded while the warning is being followed up (now “%(status)s”).") % {
                "status": warning.get_status_display()
            }
        else:
            visit = _visit_insert(
                warning=warning,
                actor=actor,
                client_id=client_id,
                visited_at=visited_at,
                method=method,
                at_risk=at_risk,
                notes=notes,
                understands_risk=understands_risk,
                still_in_contact=still_in_contact,
                new_transfer_attempts=new_transfer_attempts,
                app_installed=app_installed,
                relatives_informed=relatives_informed,
            )
            if visit is None:  # posted twice at once: the other request inserted it
                refused = "replay"
            else:
                people = list({person.pk: person for person in (list(visitors) or [actor])}.values())
                FollowUpVisit.visitors.through.objects.bulk_create(
                    [FollowUpVisit.visitors.through(followupvisit_id=visit.pk, user_id=person.pk) for person in people]
                )
                _visit_update_warning(warning=warning, visit=visit, actor=actor, people=people, now=now)
                audit_event_record(
                    actor=actor,
                    subject=warning,
                    event="visit",
                    reason=notes,
                    method=method,
                    at_risk=at_risk,
                    visit=visit.pk,
                )
                if at_risk:
                    _notify_in_background("at_risk", warning)
                _prefetched(visit, "visitors", people)
    if refused == "replay":
        existing = FollowUpVisit.objects.filter(client_id=client_id).first()
        if existing.warning_id != warning.pk:
            raise ValidationError({"client_id": _("This client id belongs to another warning.")})
        return VisitResult(existing, False)
    if refused:
        raise TransitionNotAllowed(refused)
    return VisitResult(visit, True)


def _in_person(warning_ref, **lookups):
    return FollowUpVisit.objects.filter(warning_id=warning_ref, method=VisitMethod.IN_PERSON, **lookups)


def _locked_for_visit(warning: WarningOrder, *, client_id, visited_at) -> WarningOrder:
    """The warning locked, with ``replayed_visit`` (the pk of a visit already posted with ``client_id``), and
    ``earlier_visit`` / ``later_visit`` / ``last_visit``: the in-person visits' moments around ``visited_at``."""
    ref = OuterRef("pk")
    return (
        WarningOrder.objects.select_for_update(of=("self",))
        .select_related("village")
        .annotate(
            replayed_visit=Subquery(FollowUpVisit.objects.filter(client_id=client_id).values("pk")[:1]),
            earlier_visit=Subquery(
                _in_person(ref, visited_at__lte=visited_at).order_by("-visited_at").values("visited_at")[:1]
            ),
            later_visit=Subquery(
                _in_person(ref, visited_at__gt=visited_at).order_by("-visited_at").values("visited_at")[:1]
            ),
        )
        .get(pk=warning.pk)
    )


def _visit_insert(*, warning: WarningOrder, actor, method: str, **fields) -> FollowUpVisit | None:
    """The new visit, or None when its client id is taken (one INSERT … ON CONFLICT DO NOTHING)."""
    earlier = warning.earlier_visit
    visit = FollowUpVisit(
        warning=warning,
        anchor_day=(
            (local_date(earlier) if earlier else local_date(warning.pushed_at))
            if method == VisitMethod.IN_PERSON
            else None
        ),
        method=method,
        recorded_by=actor,
        **fields,
    )
    visit.anchored = True
    return insert_unless_taken(visit)


def _visit_update_warning(
    *, warning: WarningOrder, visit: FollowUpVisit, actor, people, now: datetime.datetime
) -> None:
    """The warning's clock after ``visit``: the next in-person visit due, the team's first contact; a pushed
    warning is acknowledged on the way. One UPDATE (the derived fields keep no history row of their own: the
    visit's audit event records it); the acknowledgement is a transition with its history and audit."""
    changes = {}
    if visit.method == VisitMethod.IN_PERSON:
        if warning.later_visit is not None:  # recorded out of order: the next visit answers this one now
            visits_reanchor(warning_id=warning.pk)
        last = max(moment for moment in (warning.later_visit, visit.visited_at) if moment is not None)
        changes["next_visit_due"] = local_date(last) + datetime.timedelta(days=rule("VISIT_INTERVAL_DAYS"))
        by_team = any(TEAM in actor_kinds(person, warning) for person in people)
        if by_team and (warning.first_team_contact_at is None or visit.visited_at < warning.first_team_contact_at):
            changes["first_team_contact_at"] = visit.visited_at
    for name, value in changes.items():
        setattr(warning, name, value)
    if warning.status == S.PUSHED:
        warning.acknowledged_at = warning.acknowledged_at or now
        warning.acknowledged_by = warning.acknowledged_by or actor
        _set_status(
            warning,
            S.FOLLOWING_UP,
            actor=actor,
            event="acknowledge",
            reason=_("Acknowledged by recording a visit."),
            fields=[*changes, "acknowledged_at", "acknowledged_by"],
        )
    elif changes:
        warning.updated_at = now
        WarningOrder.objects.filter(pk=warning.pk).update(**changes, updated_at=warning.updated_at)


def _prefetched(instance, name: str, objects: list) -> None:
    """``instance.<name>.all()`` answers ``objects`` without a query (the answer of a POST lists who went)."""
    related = getattr(instance, name).all()
    related._result_cache = list(objects)
    related._prefetch_done = True
    instance._prefetched_objects_cache = {name: related}


@transaction.atomic
def warning_record_escalation(
    *,
    warning: WarningOrder,
    actor,
    name: str,
    relation: str,
    contacted_at,
    phone: str = "",
    outcome: str = "",
    client_id=None,
) -> EscalationContact:
    """Record a relative or friend mobilised. Re-posting the same ``client_id`` returns the first record."""
    from core.validators import normalize_phone

    if not can_record_contact(actor, warning):
        raise PermissionDenied(_("Only the village's team and the police may record escalation contacts."))
    client_id = client_id or uuid.uuid4()
    existing = EscalationContact.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.warning_id != warning.pk:
            raise ValidationError({"client_id": _("This client id belongs to another warning.")})
        return existing
    contact = EscalationContact.objects.create(
        client_id=client_id,
        warning=warning,
        name=name.strip(),
        relation=relation.strip(),
        phone=normalize_phone(phone) if phone else "",
        contacted_at=contacted_at,
        outcome=outcome.strip(),
        recorded_by=actor,
    )
    audit_event_record(actor=actor, subject=warning, event="escalation", reason=outcome, relation=relation)
    _notify_on_commit("escalation", warning)
    return contact
