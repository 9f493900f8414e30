"""Writes of the fraud case registry. Every entry point (the form, the Excel batch, the API) registers
cases through :func:`fraud_case_register`.

Registering a case, in one transaction:

1. the case number is the key: a case number already registered returns that case and changes
   nothing (re-posting, re-importing);
2. the victim is linked to the resident registry by ID number (created if absent);
3. if the victim had a warning pushed before the fraud was reported, the case is linked to the most
   recent such warning ("defrauded after warning", 预后被骗); when that warning is still being followed
   up (pushed or following up) it moves to ``defrauded`` through the warning workflow's own service,
   so its audit entry, notifications and history are those of any other report; the audit entry's
   reason names the case registration;
4. if that warning was pushed within ``INCIDENT_LOOKBACK_DAYS`` before the report ("预警见面劝阻又被骗的就是
   事故"), an incident review (事故复盘) opens against the warning's village, with the warning's visit record,
   the grid and the workers responsible (``assessment.services.incident_review_open``, connected to the signal
   :data:`fraud_cases.signals.case_registered_after_warning`; one per case).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core.workflow import Transition, TransitionNotAllowed, lock_row
from organization.access import can, unit_in_scope
from organization.models import Unit, UnitKind
from residents.models import Resident, ResidentSource, id_number_hash
from residents.services import resident_create
from warnings_followup.models import OPEN_STATUSES, FraudType, WarningOrder, local_date
from warnings_followup.services import warning_report_defrauded

from .anonymity import check_anonymous
from .models import CaseSource, FraudCase, TypicalCase, TypicalCaseStatus
from .signals import case_registered_after_warning

# How far ahead of our clock a reported_at may be (the other system's clock may run fast).
CLOCK_SKEW = datetime.timedelta(minutes=5)


class RegisterResult(NamedTuple):
    case: FraudCase
    created: bool


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Enter an amount in yuan.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan.")})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _check_input(*, actor, case_number, reported_at, victim_name, village, fraud_type, source) -> dict:
    errors = {}
    if not (case_number or "").strip():
        errors["case_number"] = _("Enter the case number.")
    elif len(case_number.strip()) > 64:
        errors["case_number"] = _("A case number has at most 64 characters.")
    if not (victim_name or "").strip():
        errors["victim_name"] = _("Enter the victim's name.")
    if village is None or village.kind != UnitKind.VILLAGE or not unit_in_scope(actor, village):
        errors["village"] = _("Unknown village code.")
    if fraud_type not in FraudType.values:
        errors["fraud_type"] = _("Unknown fraud type.")
    if source not in CaseSource.values:
        errors["source"] = _("Choose 110, platform or other.")
    if reported_at is None:
        errors["reported_at"] = _("Enter when the case was reported.")
    elif timezone.is_naive(reported_at):
        errors["reported_at"] = _("Give the time with its time zone.")
    elif reported_at > timezone.now() + CLOCK_SKEW:
        errors["reported_at"] = _("The report time cannot be in the future.")
    return errors


def _victim(*, name: str, id_number: str, phone: str, village: Unit, resident_source: str) -> Resident:
    """The registered resident with this ID number (locked), or a new one in the case's village."""
    existing = Resident.objects.by_id_number(id_number).select_for_update().first()
    if existing is not None:
        if phone and not existing.phone:
            existing.set_phone(phone)
            existing.save(update_fields=["phone", "phone_hash", "updated_at"])
        return existing
    try:
        return resident_create(name=name, id_number=id_number, village=village, phone=phone, source=resident_source)
    except ValidationError:
        # Registered at the same moment by another case (the API and an import, two workers): use that one.
        winner = Resident.objects.by_id_number(id_number).select_for_update().first()
        if winner is None:
            raise
        return winner


def warning_before(*, victim: Resident, reported_at: datetime.datetime) -> WarningOrder | None:
    """The most recent warning pushed for ``victim`` before ``reported_at`` (whoever may see it)."""
    return WarningOrder.objects.filter(person=victim, pushed_at__lt=reported_at).order_by("-pushed_at", "-pk").first()


def fraud_case_register(
    *,
    actor,
    case_number: str,
    reported_at: datetime.datetime,
    victim_name: str,
    id_number: str,
    phone: str = "",
    village: Unit,
    fraud_type: str,
    loss_amount,
    recovered_amount=0,
    source: str,
    resident_source: str = ResidentSource.FRAUD_CASE,
) -> RegisterResult:
    """Register a fraud case (idempotent by ``case_number``); returns ``(case, created)``.

    Raises ``PermissionDenied`` without ``fraud_cases.register`` and ``ValidationError`` (per field) for bad
    input: a village outside the actor's scope is "unknown", like one that does not exist.
    """
    if not can(actor, "fraud_cases.register"):
        raise PermissionDenied(_("Only police staff may register fraud cases."))
    case_number = (case_number or "").strip()
    existing = FraudCase.objects.filter(case_number=case_number).first() if case_number else None
    if existing is not None:
        return RegisterResult(existing, False)
    errors = _check_input(
        actor=actor,
        case_number=case_number,
        reported_at=reported_at,
        victim_name=victim_name,
        village=village,
        fraud_type=fraud_type,
        source=source,
    )
    amounts = {}
    for field, value in (("loss_amount", loss_amount), ("recovered_amount", recovered_amount)):
        try:
            amounts[field] = _amount(value, field)
        except ValidationError as exc:
            errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if "loss_amount" in amounts and "recovered_amount" in amounts:
        if amounts["recovered_amount"] > amounts["loss_amount"]:
            errors["recovered_amount"] = _("The recovered amount cannot exceed the loss.")
    try:
        id_number_hash(id_number)
    except ValidationError as exc:
        errors["id_number"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            case = _register(
                actor=actor,
                case_number=case_number,
                reported_at=reported_at,
                victim_name=victim_name.strip(),
                id_number=id_number,
                phone=phone or "",
                village=village,
                fraud_type=fraud_type,
                source=source,
                resident_source=resident_source,
                **amounts,
            )
    except IntegrityError:
        # The same case registered twice at once: the other one won.
        winner = FraudCase.objects.filter(case_number=case_number).first()
        if winner is None:
            raise
        return RegisterResult(winner, False)
    return RegisterResult(case, True)


def _register(*, actor, case_number, reported_at, victim_name, id_number, phone, village, resident_source, **fields):
    victim = _victim(
        name=victim_name, id_number=id_number, phone=phone, village=village, resident_source=resident_source
    )
    warning = warning_before(victim=victim, reported_at=reported_at)
    if warning is not None:
        warning = WarningOrder.objects.select_for_update().get(pk=warning.pk)
    case = FraudCase.objects.create(
        case_number=case_number,
        reported_at=reported_at,
        victim=victim,
        village=village,
        warning=warning,
        registered_by=actor,
        **fields,
    )
    audit_event_record(
        actor=actor,
        subject=case,
        event="register",
        new="defrauded_after_warning" if warning else "",
        warning=warning.external_id if warning else "",
        loss_amount=str(case.loss_amount),
    )
    if warning is not None and warning.status in OPEN_STATUSES:
        warning_report_defrauded(
            warning=warning,
            actor=actor,
            loss_amount=case.loss_amount,
            defrauded_on=local_date(reported_at),
            reason=_("Registered as fraud case %(number)s.") % {"number": case.case_number},
            event="report_defrauded",
        )
    if warning is not None:
        case_registered_after_warning.send(sender=FraudCase, case=case, actor=actor)  # assessment: incident review
    return case


# --- typical cases (典型案例) -------------------------------------------------------------------------------

SCRIPT_MIN, SCRIPT_MAX = 3, 6
SCRIPT_POINT_MAX = 80
SIGNS_MIN, SIGNS_MAX = 1, 8
SIGN_MAX = 120


T = TypicalCaseStatus
TYPICAL_CASE_TRANSITIONS = {
    "publish": Transition(gettext_lazy("Publish"), frozenset({T.DRAFT, T.RETIRED}), T.PUBLISHED),
    "retire": Transition(gettext_lazy("Retire"), frozenset({T.PUBLISHED}), T.RETIRED),
}
EDITABLE = frozenset({T.DRAFT, T.PUBLISHED})


def _may_write(user, case: TypicalCase | None = None) -> bool:
    return can(user, "fraud_cases.write_typical") and (case is None or unit_in_scope(user, case.unit))


def can_edit_typical_case(user, case: TypicalCase) -> bool:
    return case.status in EDITABLE and _may_write(user, case)


def can_transition_typical_case(user, case: TypicalCase, action: str) -> bool:
    return TYPICAL_CASE_TRANSITIONS[action].allows(case.status) and _may_write(user, case)


def _points(values, *, field: str, least: int, most: int, longest: int) -> list[str]:
    points = [" ".join(str(value).split()) for value in (values or [])]
    points = [point for point in points if point]
    if not least <= len(points) <= most:
        raise ValidationError(
            {field: _("Give between %(least)d and %(most)d points, one per line.") % {"least": least, "most": most}}
        )
    too_long = [point for point in points if len(point) > longest]
    if too_long:
        raise ValidationError(
            {
                field: _("Keep each point short: at most %(count)d characters (“%(point)s…”).")
                % {"count": longest, "point": too_long[0][:12]}
            }
        )
    return points


def _source_case(actor, number: str) -> FraudCase | None:
    number = (number or "").strip()
    if not number:
        return None
    case = FraudCase.objects.for_user(actor).select_related("victim").filter(case_number=number).first()
    if case is None:
        raise ValidationError({"source_case_number": _("No case with this number in your area.")})
    return case


def typical_case_library_unit(actor) -> Unit:
    """The unit whose library a new typical case joins: the author's town (or the top of their unit)."""
    if actor.unit_id is None:
        raise ValidationError(_("Your account belongs to no unit: ask an administrator to set it."))
    return actor.unit.ancestor(UnitKind.TOWN) or actor.unit


def typical_case_save(
    *,
    actor,
    case: TypicalCase | None = None,
    title: str,
    fraud_type: str,
    story: str,
    warning_signs: list[str],
    script: list[str],
    source_case_number: str = "",
) -> TypicalCase:
    """Write a new typical case (a draft) or change one (draft or published). The text must be anonymous.

    Raises ``PermissionDenied`` for anyone but the police and the governance centre (in the case's scope),
    ``TransitionNotAllowed`` for a retired case and ``ValidationError`` per field.
    """
    if not _may_write(actor, case):
        raise PermissionDenied(_("Only the police and the governance centre write typical cases."))
    errors = {}
    title, story = " ".join((title or "").split()), (story or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    if not story:
        errors["story"] = _("Tell how the swindle went.")
    if fraud_type not in FraudType.values:
        errors["fraud_type"] = _("Unknown fraud type.")
    cleaned = {}
    for field, values, least, most, longest in (
        ("warning_signs", warning_signs, SIGNS_MIN, SIGNS_MAX, SIGN_MAX),
        ("script", script, SCRIPT_MIN, SCRIPT_MAX, SCRIPT_POINT_MAX),
    ):
        try:
            cleaned[field] = _points(values, field=field, least=least, most=most, longest=longest)
        except ValidationError as exc:
            errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    try:
        source = _source_case(actor, source_case_number)
    except ValidationError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
        source = None
    if errors:
        raise ValidationError(errors)
    check_anonymous(
        {"title": title, "story": story, **cleaned}, names=[source.victim.name] if source is not None else []
    )
    values = {"title": title, "fraud_type": fraud_type, "story": story, "source_case": source, **cleaned}
    with transaction.atomic():
        if case is None:
            case = TypicalCase.objects.create(author=actor, unit=typical_case_library_unit(actor), **values)
            audit_event_record(actor=actor, subject=case, event="typical_case_create", new=case.status)
            return case
        case = lock_row(case)
        if case.status not in EDITABLE:
            raise TransitionNotAllowed(_("A retired typical case cannot be changed: publish it again first."))
        changed = [field for field, value in values.items() if getattr(case, field) != value]
        if not changed:
            return case
        for field in changed:
            setattr(case, field, values[field])
        case.save(update_fields=[*changed, "updated_at"])
        audit_event_record(actor=actor, subject=case, event="typical_case_update", fields=changed)
    return case


def typical_case_transition(*, actor, case: TypicalCase, action: str, reason: str = "") -> TypicalCase:
    """Publish (from draft or retired) or retire (from published) a typical case, audited."""
    transition = TYPICAL_CASE_TRANSITIONS[action]
    if not _may_write(actor, case):
        raise PermissionDenied(_("Only the police and the governance centre write typical cases."))
    with transaction.atomic():
        case = lock_row(case)
        if case.status == transition.target:
            return case
        transition.check(
            case.status,
            refusal=_("“%(action)s” is not possible while the typical case is “%(status)s”."),
            state_label=case.get_status_display(),
        )
        old = case.status
        case.status = transition.target
        fields = ["status", "updated_at"]
        if transition.target == T.PUBLISHED:
            case.published_on = timezone.localdate()
            fields.append("published_on")
        case.save(update_fields=fields)
        audit_event_record(
            actor=actor, subject=case, event=f"typical_case_{action}", old=old, new=case.status, reason=reason
        )
    return case


def typical_case_publish(*, actor, case: TypicalCase, reason: str = "") -> TypicalCase:
    return typical_case_transition(actor=actor, case=case, action="publish", reason=reason)


def typical_case_retire(*, actor, case: TypicalCase, reason: str = "") -> TypicalCase:
    return typical_case_transition(actor=actor, case=case, action="retire", reason=reason)
