"""Outside channels: the village work group's robot (WeCom or DingTalk) and SMS, with a log of every delivery.

A message is queued with :func:`delivery_enqueue` (or :func:`village_webhook_enqueue`, :func:`sms_enqueue`): it
writes one :class:`~notifications.models.Delivery` row, unique per (channel, recipient, dedupe key), and publishes
the ``notifications.deliver`` task when the transaction commits. A second enqueue of the same message finds the row
and publishes nothing. The task calls :func:`delivery_attempt`, which locks the row, sends only while it is pending,
and records every attempt; failures are retried with back-off and end as ``failed``.

Every text goes through :func:`scrub` before it is stored or sent, so that no full ID, phone or account number
leaves the application, whatever a caller wrote.

SMS recipients: numbers come from ``User.mobile`` (encrypted at rest; :func:`sms_address`); a user without one
gets no SMS, and the delivery is logged as failed, saying so.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.validators import mask_bank_account, mask_id_number, mask_phone

from .models import Delivery, DeliveryChannel, DeliveryStatus, VillageChannel, WebhookKind

logger = logging.getLogger(__name__)

# WeCom robots accept at most 2048 bytes of text content; DingTalk more. Keep both within the smaller.
MAX_CONTENT_BYTES = 2000
MAX_RESPONSE_BYTES = 64 * 1024
# A pending delivery untouched for this long lost its task (broker down, worker lost): the scan re-publishes it.
# Longer than the longest retry back-off (600 s), so that a delivery waiting for its retry is left alone.
STALE_AFTER = datetime.timedelta(minutes=15)


# --- Masking ------------------------------------------------------------------------------------------

_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_LONG_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z+])\d(?:[ -]?\d){11,29}(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """Mask every ID number, long (account) number and mobile number in ``text``.

    Numbers glued to letters (an instruction number such as ``YJ202605030001``) are left alone.
    """
    text = _ID_RE.sub(lambda m: mask_id_number(m.group().upper()), text)
    text = _LONG_NUMBER_RE.sub(lambda m: mask_bank_account(m.group()), text)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group()), text)


def mask_name(name: str) -> str:
    """``"陈阿婆"`` -> ``"陈**"``: the family name only, for messages that leave the application."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _conceal(text: str, names) -> str:
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


# --- SMS backends ---------------------------------------------------------------------------------------


class DeliveryError(Exception):
    """A delivery attempt failed; it may succeed later (retried with back-off)."""


class PermanentDeliveryError(DeliveryError):
    """A delivery that cannot succeed however often it is tried (no webhook configured, bad URL)."""


class BaseSMSBackend:
    """Send one text message. ``send`` raises :class:`DeliveryError` (or anything) when the gateway refuses."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Development: the message goes to the log."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemSMSBackend(BaseSMSBackend):
    """Tests: messages are kept in ``LocmemSMSBackend.outbox`` as ``(phone, text)`` pairs."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSMSBackend.outbox.append((phone, text))


def get_sms_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_address(user) -> str:
    """Where an SMS to ``user`` goes: their mobile number ("" when none is on file)."""
    return getattr(user, "mobile", "") or ""


# --- Group robots -----------------------------------------------------------------------------------------


def _truncate(text: str, limit: int = MAX_CONTENT_BYTES) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def webhook_payload(kind: str, text: str) -> dict:
    """The JSON body of a text message for a WeCom or a DingTalk group robot (the two agree on it)."""
    if kind not in WebhookKind.values:
        raise PermanentDeliveryError(f"unknown robot kind {kind!r}")
    return {"msgtype": "text", "text": {"content": _truncate(text)}}


def webhook_post(*, url: str, kind: str, text: str, timeout: float | None = None) -> None:
    """POST the message to the robot; raise :class:`DeliveryError` unless it answers 2xx with errcode 0."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentDeliveryError("the webhook URL must start with http:// or https://")
    body = json.dumps(webhook_payload(kind, text), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (http or https only, checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout or settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"the robot answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"the robot could not be reached: {reason}") from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if str(errcode) != "0":
        raise DeliveryError(f"the robot answered errcode {errcode}: {str(answer.get('errmsg', ''))[:200]}")


# --- Queueing -----------------------------------------------------------------------------------------------


def current_task_queue() -> str | None:
    """The queue of the task running now, if it is not one of ``CELERY_QUEUE_NAMES``: work a task produces on a
    queue of its own (a test's worker) stays there; on the named queues every task goes where
    ``CELERY_TASK_ROUTES`` sends it (a scan's deliveries to ``notifications``)."""
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    if request is None or getattr(request, "is_eager", False) or getattr(request, "called_directly", True):
        return None
    queue = (request.delivery_info or {}).get("routing_key") or None
    return None if queue in settings.CELERY_QUEUE_NAMES else queue


def _publish(delivery_id: int, queue: str | None) -> None:
    from .tasks import deliver

    if queue:
        deliver.apply_async(args=[delivery_id], queue=queue)
    else:
        deliver.delay(delivery_id)


def _publish_on_commit(delivery_id: int) -> None:
    queue = current_task_queue()

    def publish_delivery():
        _publish(delivery_id, queue)

    # robust: a broker that is down must not fail the caller; the periodic scan re-publishes stale deliveries.
    transaction.on_commit(publish_delivery, robust=True)


@dataclass
class Outgoing:
    """One message to log (and, outside the app, to send): ``user`` or ``village`` is the recipient."""

    channel: str
    dedupe_key: str
    text: str
    user: object = None
    village: object = None

    @property
    def recipient_key(self) -> str:
        return f"user:{_pk(self.user)}" if self.user is not None else f"village:{_pk(self.village)}"


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


DELIVERY_FIELDS = (
    "channel",
    "recipient_key",
    "user",
    "village",
    "dedupe_key",
    "summary",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "created_at",
    "updated_at",
)


def deliveries_enqueue_many(*, messages: Iterable[Outgoing]) -> list[int]:
    """Log many messages in one statement per batch; in-app ones as sent, the others pending and published
    (one ``notifications.deliver`` task each) when the transaction commits. A message already logged (same
    channel, recipient and dedupe key) is skipped. Returns the ids of the pending deliveries created."""
    from .services import insert_new

    now = timezone.now()
    rows, seen = [], set()
    for message in messages:
        key = (message.channel, message.recipient_key, message.dedupe_key[:120])
        if key in seen:
            continue
        seen.add(key)
        inapp = message.channel == DeliveryChannel.INAPP
        rows.append(
            (
                *key[:2],
                None if message.user is None else _pk(message.user),
                None if message.village is None else _pk(message.village),
                key[2],
                scrub(message.text),
                DeliveryStatus.SENT if inapp else DeliveryStatus.PENDING,
                1 if inapp else 0,
                "",
                now if inapp else None,
                now,
                now,
            )
        )
    if not rows:
        return []
    created = insert_new(
        Delivery, DELIVERY_FIELDS, rows, unique=("channel", "recipient_key", "dedupe_key"), returning=("id", "status")
    )
    pending = [pk for pk, status in created if status == DeliveryStatus.PENDING]
    if pending:
        queue = current_task_queue()

        def publish_deliveries():
            for delivery_id in pending:
                _publish(delivery_id, queue)

        transaction.on_commit(publish_deliveries, robust=True)
    return pending


def village_channels(village_ids: Iterable[int]) -> dict[int, VillageChannel]:
    """The outside channels of these villages, by village id (one query; villages without one are absent)."""
    return {channel.village_id: channel for channel in VillageChannel.objects.filter(village_id__in=list(village_ids))}


def conceal(text: str, names) -> str:
    """``text`` with each of ``names`` masked (``陈阿婆`` -> ``陈**``), for a message that leaves the app."""
    return _conceal(text, names)


def delivery_enqueue(*, channel: str, dedupe_key: str, text: str, user=None, village=None) -> Delivery | None:
    """Log one outside message and send it after commit; ``None`` when the same message was already queued."""
    if channel == DeliveryChannel.INAPP:
        raise ValueError("in-app messages are logged with inapp_record()")
    recipient_key = f"user:{user.pk}" if user is not None else f"village:{village.pk}"
    delivery, created = Delivery.objects.get_or_create(
        channel=channel,
        recipient_key=recipient_key,
        dedupe_key=dedupe_key[:120],
        defaults={"user": user, "village": village, "summary": scrub(text)},
    )
    if not created:
        return None
    _publish_on_commit(delivery.pk)
    return delivery


@dataclass(frozen=True)
class Robot:
    url: str
    kind: str


def work_group_robot(village) -> Robot | None:
    """The work group robot a village's messages go to: the village's own (``VillageChannel``), else its town's,
    else its county's (``organization.TownSettings``: the nearest row up the tree that sets a URL, with that row's
    kind); None when none is set anywhere."""
    from organization.models import TownSettings

    if village is None:
        return None
    own = VillageChannel.objects.filter(village=village).exclude(webhook_url="").first()
    if own is not None:
        return Robot(own.webhook_url, own.webhook_kind)
    codes = [code for code in village.path.strip("/").split("/") if code]
    rows = TownSettings.objects.filter(unit__code__in=codes).exclude(robot_webhook_url="").select_related("unit")
    above = [row for row in rows if village.path.startswith(row.unit.path)]
    nearest = max(above, key=lambda row: len(row.unit.path), default=None)
    if nearest is None:
        return None
    return Robot(nearest.robot_webhook_url, nearest.robot_webhook_kind or WebhookKind.WECOM)


def village_webhook_enqueue(*, village, text: str, dedupe_key: str, conceal=()) -> Delivery | None:
    """Post ``text`` to the village work group's robot (or, without one, its town's or county's: see
    :func:`work_group_robot`), once per ``dedupe_key``; nothing when none is set.

    ``conceal``: names to mask in the text (``陈阿婆`` -> ``陈**``) because the message leaves the application.
    """
    if work_group_robot(village) is None:
        return None
    return delivery_enqueue(
        channel=DeliveryChannel.WEBHOOK,
        village=village,
        text=_conceal(text, conceal),
        dedupe_key=dedupe_key,
    )


def sms_enabled(village) -> bool:
    return VillageChannel.objects.filter(village=village, sms_enabled=True).exists()


def sms_enqueue(*, user, village, text: str, dedupe_key: str, conceal=()) -> Delivery | None:
    """Send ``text`` by SMS to ``user`` once per ``dedupe_key`` (the caller checks :func:`sms_enabled`)."""
    return delivery_enqueue(
        channel=DeliveryChannel.SMS, user=user, village=village, text=_conceal(text, conceal), dedupe_key=dedupe_key
    )


def inapp_record(*, users, village, text: str, dedupe_key: str) -> None:
    """Log in-app notifications (already created by ``notifications_send``) as sent deliveries."""
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=DeliveryChannel.INAPP,
                recipient_key=f"user:{user.pk}",
                user=user,
                village=village,
                dedupe_key=dedupe_key[:120],
                summary=scrub(text),
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
            for user in {user.pk: user for user in users}.values()
        ],
        ignore_conflicts=True,
    )


def deliveries_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Re-publish pending deliveries whose task was lost (e.g. the broker was down when they were queued)."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        status=DeliveryStatus.PENDING,
        updated_at__lt=now - STALE_AFTER,
        channel__in=[
            DeliveryChannel.WEBHOOK,
            DeliveryChannel.SMS,
        ],
    )
    ids = list(stale.values_list("pk", flat=True)[:500])
    # Touch them first, so that the next scan leaves them alone while this attempt runs.
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(updated_at=now)
    for delivery_id in ids:
        _publish_on_commit(delivery_id)
    return len(ids)


# --- Sending ---------------------------------------------------------------------------------------------------


def _send(delivery: Delivery) -> None:
    if delivery.channel == DeliveryChannel.WEBHOOK:
        robot = work_group_robot(delivery.village)
        if robot is None:
            raise PermanentDeliveryError("the village has no work group robot configured")
        webhook_post(url=robot.url, kind=robot.kind, text=delivery.summary)
    elif delivery.channel == DeliveryChannel.SMS:
        if delivery.user is None:
            raise PermanentDeliveryError("an SMS needs a recipient")
        address = sms_address(delivery.user)
        if not address:
            raise PermanentDeliveryError("the recipient has no mobile number on file")
        try:
            get_sms_backend().send(address, delivery.summary)
        except DeliveryError:
            raise
        except Exception as exc:  # a gateway library may raise anything; the attempt is logged
            raise DeliveryError(f"the SMS gateway failed: {exc.__class__.__name__}: {exc}") from exc
    else:
        raise PermanentDeliveryError(f"nothing to send on channel {delivery.channel!r}")


def delivery_attempt(*, delivery_id: int, final: bool = False) -> str | None:
    """Try to send a pending delivery once; return its status.

    The row stays locked during the attempt, so two workers never send the same message. A failure is
    recorded on the row and re-raised (for the task to retry) unless ``final``, when the delivery is
    marked failed; a :class:`PermanentDeliveryError` marks it failed at once.
    """
    error: DeliveryError | None = None
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status
        delivery.attempts += 1
        try:
            _send(delivery)
        except DeliveryError as exc:
            error = exc
            delivery.last_error = scrub(str(exc))[:500]
            if final or isinstance(exc, PermanentDeliveryError):
                delivery.status = DeliveryStatus.FAILED
                logger.warning("Delivery %s failed after %s attempts: %s", delivery.pk, delivery.attempts, exc)
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "last_error", "sent_at", "updated_at"])
    if error is not None and delivery.status == DeliveryStatus.PENDING:
        raise error
    return delivery.status
