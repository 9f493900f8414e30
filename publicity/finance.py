"""The finance and audit centre's push to finance staff (三(七) 镇财审中心: 通过短信平台、微信工作群…向村居、相关单位
财务人员推送防范电信网络诈骗知识), done for real.

* The centre keeps a **roster** of the finance staff of every village and unit (:class:`~publicity.models.
  FinanceStaff`: name, unit, mobile — encrypted, found by its keyed hash, masked in lists).
* A **push** goes to a chosen audience (units): one SMS per staff member through the project's SMS backend, with
  a personal link, and one message to each village's work-group robot (never a full number in either). It is
  logged as the centre's publicity activity (category ``finance_push``, channel SMS) with one recipient row each.
* Each recipient **confirms reading** through the link: no login, one tap, until the link expires
  (:data:`LINK_DAYS` days). The activity shows the read rate per unit from those confirmations, not a tick by the
  sender. Staff who did not confirm their latest push are listed (and included by default) for the next push.

The personal link carries a signed token of the recipient row (``django.core.signing``, its own salt): nothing is
stored that would let someone reading the database confirm for another person, and a forged or altered token
answers 404. The expiry is the push's own ``links_expire_at``.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.validators import normalize_phone
from organization.actors import is_admin
from organization.models import Unit, UnitKind

from .access import can_log_for, has_duty, logging_unit
from .models import (
    Activity,
    Category,
    Channel,
    Duty,
    FinancePush,
    FinanceStaff,
    PushRecipient,
    SmsStatus,
)

LINK_DAYS = 14  # the personal link works this long after the push
TOKEN_SALT = "publicity.finance-push.read"
ROSTER_KINDS = (UnitKind.VILLAGE, UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION)


# --- who keeps the roster -----------------------------------------------------------------------------------


def finance_unit(user) -> Unit | None:
    """The finance and audit centre ``user`` works for (administrators: the first one), or None."""
    unit = logging_unit(user)
    if unit is not None and has_duty(unit, Duty.FINANCE_AUDIT):
        return unit
    if is_admin(user):
        return Unit.objects.filter(publicity_duties__duty=Duty.FINANCE_AUDIT).order_by("path").first()
    return None


def _check_keeper(actor, keeper: Unit) -> None:
    if not (can_log_for(actor, keeper) or is_admin(actor)) or not has_duty(keeper, Duty.FINANCE_AUDIT):
        raise PermissionDenied(_("Only the finance and audit centre keeps the finance staff roster."))


def roster_units(keeper: Unit) -> QuerySet:
    """The villages and units whose finance staff ``keeper`` lists: every active one of its town."""
    town = keeper.town
    units = Unit.objects.filter(kind__in=ROSTER_KINDS, is_active=True)
    if town is not None:
        units = units.filter(path__startswith=town.path)
    return units.order_by("path")


# --- the roster --------------------------------------------------------------------------------------------


def _mobile(value: str) -> str:
    try:
        number = normalize_phone(value)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages}) from error
    if not (len(number) == 11 and number.isdigit()):
        raise ValidationError({"mobile": _("Enter a mobile number: a text message cannot reach a landline.")})
    return number


def finance_staff_add(*, actor, keeper: Unit, unit: Unit, name: str, mobile: str, position: str = "") -> FinanceStaff:
    _check_keeper(actor, keeper)
    if not roster_units(keeper).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose a village or unit of the town.")})
    staff = FinanceStaff(keeper=keeper, unit=unit, name=name.strip(), position=position.strip())
    staff.set_mobile(_mobile(mobile))
    if FinanceStaff.objects.filter(keeper=keeper, mobile_hash=staff.mobile_hash).exists():
        raise ValidationError({"mobile": _("This mobile number is already on the roster.")})
    try:
        with transaction.atomic():
            staff.save()
            audit_event_record(actor=actor, subject=staff, event="finance_staff_add", new=staff.name)
    except IntegrityError:
        raise ValidationError({"mobile": _("This mobile number is already on the roster.")}) from None
    return staff


def finance_staff_update(
    *, actor, staff: FinanceStaff, unit: Unit, name: str, position: str = "", mobile: str = "", is_active: bool = True
) -> FinanceStaff:
    """Correct a roster entry; an empty ``mobile`` keeps the number on file."""
    _check_keeper(actor, staff.keeper)
    if not roster_units(staff.keeper).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose a village or unit of the town.")})
    with transaction.atomic():
        staff = FinanceStaff.objects.select_for_update().get(pk=staff.pk)
        fields = ["unit", "name", "position", "is_active", "updated_at"]
        staff.unit, staff.name, staff.position, staff.is_active = unit, name.strip(), position.strip(), is_active
        if mobile:
            staff.set_mobile(_mobile(mobile))
            clash = FinanceStaff.objects.filter(keeper=staff.keeper, mobile_hash=staff.mobile_hash)
            if clash.exclude(pk=staff.pk).exists():
                raise ValidationError({"mobile": _("This mobile number is already on the roster.")})
            fields += ["mobile", "mobile_hash"]
        staff.save(update_fields=fields)
        audit_event_record(actor=actor, subject=staff, event="finance_staff_update", new=staff.name)
    return staff


def roster_for(keeper: Unit) -> QuerySet:
    return FinanceStaff.objects.filter(keeper=keeper).select_related("unit")


def staff_not_confirmed(keeper: Unit) -> QuerySet:
    """Active staff who did not confirm reading their latest push: listed (and included) for the next push."""
    latest = PushRecipient.objects.filter(staff=OuterRef("pk")).order_by("-activity__held_on", "-pk")
    return (
        roster_for(keeper)
        .filter(is_active=True)
        .annotate(
            received=Exists(PushRecipient.objects.filter(staff=OuterRef("pk"))),
            latest_read=Subquery(latest.values("read_confirmed_at")[:1]),
        )
        .filter(received=True, latest_read__isnull=True)
    )


# --- the push ----------------------------------------------------------------------------------------------


def read_token(recipient: PushRecipient) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(str(recipient.pk))


def read_path(recipient: PushRecipient) -> str:
    return reverse("publicity:finance_read", args=[read_token(recipient)])


def sms_text(recipient: PushRecipient, push: FinancePush, *, base_url: str) -> str:
    """The SMS: the push's title and knowledge, and the recipient's personal link (no number of anyone)."""
    return _("%(title)s\n%(message)s\nPlease confirm you have read it (one tap, until %(day)s): %(link)s") % {
        "title": push.activity.title,
        "message": push.message,
        "day": f"{timezone.localtime(push.links_expire_at):%Y-%m-%d}",
        "link": base_url.rstrip("/") + read_path(recipient),
    }


def robot_text(push: FinancePush) -> str:
    return _("%(title)s\n%(message)s\nFinance staff: confirm reading through the link in your text message.") % {
        "title": push.activity.title,
        "message": push.message,
    }


@dataclass
class PushResult:
    push: FinancePush
    created: bool


def finance_push_send(
    *,
    actor,
    keeper: Unit,
    title: str,
    message: str,
    units,
    include_not_confirmed: bool = True,
    client_id: uuid.UUID | None = None,
    base_url: str = "",
) -> PushResult:
    """Send a push to the active finance staff of ``units`` (and, by default, those who did not confirm their
    latest push): one SMS each with a personal link, one message per village work-group robot; logged as the
    centre's activity. Idempotent by ``client_id`` (a form sent twice sends once)."""
    from notifications.channels import village_webhook_enqueue

    client_id = client_id or uuid.uuid4()
    existing = FinancePush.objects.filter(activity__client_id=client_id).first()
    if existing is not None:
        return PushResult(existing, False)
    _check_keeper(actor, keeper)
    units = list(units)
    staff = {s.pk: s for s in roster_for(keeper).filter(is_active=True, unit__in=units)}
    if include_not_confirmed:
        staff.update({s.pk: s for s in staff_not_confirmed(keeper)})
    if not message.strip():
        raise ValidationError({"message": _("Write the knowledge to push.")})
    if not staff:
        raise ValidationError({"units": _("No active finance staff on the roster for this audience.")})
    now = timezone.now()
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                client_id=client_id,
                unit=keeper,
                category=Category.FINANCE_PUSH,
                title=title.strip(),
                held_on=timezone.localdate(),
                channel=Channel.SMS,
                audience_size=len(staff),
                description=message.strip(),
                recorded_by=actor,
            )
            push = FinancePush.objects.create(
                activity=activity,
                message=message.strip(),
                sent_by=actor,
                sent_at=now,
                links_expire_at=now + datetime.timedelta(days=LINK_DAYS),
            )
            push.audience.set(units)
            recipients = PushRecipient.objects.bulk_create(
                PushRecipient(
                    activity=activity,
                    staff=member,
                    name=member.name,
                    organisation=member.unit.name,
                    recipient_unit=member.unit,
                    sms_status=SmsStatus.PENDING,
                )
                for member in sorted(staff.values(), key=lambda m: (m.unit.path, m.name, m.pk))
            )
            villages = {r.recipient_unit_id for r in recipients if r.recipient_unit.kind == UnitKind.VILLAGE}
            for village in Unit.objects.filter(pk__in=villages):
                village_webhook_enqueue(village=village, text=robot_text(push), dedupe_key=f"finance-push:{push.pk}")
            audit_event_record(
                actor=actor, subject=activity, event="finance_push_send", new=str(len(recipients)), units=len(units)
            )
            ids = [r.pk for r in recipients]
            transaction.on_commit(lambda: _queue_sms(ids, base_url), robust=True)
    except IntegrityError:
        existing = FinancePush.objects.filter(activity__client_id=client_id).first()
        if existing is None:
            raise
        return PushResult(existing, False)
    return PushResult(push, True)


def _queue_sms(recipient_ids: list[int], base_url: str) -> None:
    from .tasks import finance_sms_deliver

    for pk in recipient_ids:
        finance_sms_deliver.delay(pk, base_url)


def finance_sms_attempt(*, recipient_id: int, base_url: str, final: bool = False) -> str | None:
    """Send one recipient's SMS once (the row stays locked, so it never goes out twice); record the attempt.

    A gateway failure is raised again for the task to retry, unless ``final`` (then the SMS is marked failed)."""
    from notifications.channels import DeliveryError, get_sms_backend, scrub

    error = None
    with transaction.atomic():
        recipient = (
            PushRecipient.objects.select_for_update(of=("self",))
            .select_related("staff", "activity__finance_push", "activity")
            .filter(pk=recipient_id)
            .first()
        )
        if recipient is None or recipient.sms_status != SmsStatus.PENDING:
            return recipient.sms_status if recipient else None
        recipient.sms_attempts += 1
        try:
            if recipient.staff is None or not recipient.staff.mobile:
                raise DeliveryError("no mobile number on file")
            push = recipient.activity.finance_push
            get_sms_backend().send(recipient.staff.mobile, scrub(sms_text(recipient, push, base_url=base_url)))
        except Exception as exc:  # noqa: BLE001 (a gateway library may raise anything; the attempt is logged)
            error = exc
            recipient.sms_error = scrub(f"{exc.__class__.__name__}: {exc}")[:200]
            if final or recipient.staff is None:
                recipient.sms_status = SmsStatus.FAILED
        else:
            recipient.sms_status = SmsStatus.SENT
            recipient.sms_sent_at = timezone.now()
            recipient.sms_error = ""
        recipient.save(update_fields=["sms_status", "sms_attempts", "sms_error", "sms_sent_at"])
    if error is not None and recipient.sms_status == SmsStatus.PENDING:
        raise error if isinstance(error, DeliveryError) else DeliveryError(str(error))
    return recipient.sms_status


# --- confirming through the personal link ------------------------------------------------------------------


class LinkExpired(Exception):
    """The personal link is genuine but past its push's expiry."""


def recipient_for_token(token: str) -> PushRecipient | None:
    """The recipient a personal link names (None for a forged or altered token)."""
    try:
        pk = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return (
        PushRecipient.objects.select_related("activity__finance_push", "activity__unit", "recipient_unit")
        .filter(pk=int(pk), activity__finance_push__isnull=False)
        .first()
    )


def link_expired(recipient: PushRecipient, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= recipient.activity.finance_push.links_expire_at


def push_read_confirm(*, token: str, now: datetime.datetime | None = None) -> PushRecipient | None:
    """The recipient confirms reading (one tap). Twice changes nothing (the first time is kept); None for a
    forged token; :class:`LinkExpired` after the push's expiry."""
    recipient = recipient_for_token(token)
    if recipient is None:
        return None
    now = now or timezone.now()
    if recipient.read_confirmed_at is None and link_expired(recipient, now):
        raise LinkExpired
    PushRecipient.objects.filter(pk=recipient.pk, read_confirmed_at__isnull=True).update(
        read_confirmed_at=now, confirmed_via_link=True
    )
    recipient.refresh_from_db(fields=["read_confirmed_at", "confirmed_via_link"])
    return recipient


# --- what the activity shows ---------------------------------------------------------------------------------


@dataclass
class UnitReadRate:
    unit_name: str
    read: int
    total: int


def read_rates(recipients) -> list[UnitReadRate]:
    """Per unit, in the order of the recipients: how many confirmed reading out of how many the push reached."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for recipient in recipients:
        row = counts[recipient.organisation or "—"]
        row[1] += 1
        if recipient.read_confirmed_at:
            row[0] += 1
    return [UnitReadRate(name, read, total) for name, (read, total) in counts.items()]
