"""Reminders of the warning workflow: speed after the push, overdue visits, the window's end, the morning digest.

Due dates live in the database (``WarningOrder.pushed_at``, ``next_visit_due``, ``window_ends``); a periodic scan
reads them, so no reminder depends on a long countdown. Dates are local dates in Asia/Shanghai; every function
takes ``today`` (or ``now``) so that tests (and an operator re-running a day) can name the moment. Every figure
is a plan rule (``core.rules``, shown on ``/rules/``).

Speed ("能快一秒是一秒"), in hours after the push:

- not acknowledged after ``ACK_REMINDER_HOURS``: the village team and the village head again;
- still not acknowledged after ``ACK_POLICE_HOURS``: the police;
- no police first dissuasion after ``FIRST_DISSUASION_HOURS``: the police station.

Overdue escalation, by days past the due date (``today - next_visit_due``), also after dissuasion is
confirmed (the visits last the whole window):

- ``OVERDUE_TEAM_DAYS``: the village team (in the app and in the village work group);
- ``OVERDUE_HEAD_DAYS``: the village head (also by SMS when the village has SMS enabled);
- ``OVERDUE_POLICE_DAYS``: police and leadership (likewise).

A case whose window ended while the person was still at risk (no outcome recorded, or the last visit found
the person at risk again) is not closed: it is flagged once to the village head and the police.

A reminder is claimed (a :class:`~notifications.models.ReminderSent` row, unique per case, due date and
level) in the same transaction that creates its notifications and queues its deliveries, so it goes out once
even when the scan runs twice, is retried, or runs on two workers at once. A case that is several days late
when first seen gets every level it has reached.

Scans work in bulk, in a fixed number of statements however many reminders are due: one query finds and locks
the cases with a reminder not yet claimed (skipping a case a writer holds at that moment: the next scan sees it),
one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` claims their reminders (the rows returned are this scan's to
send), recipients are loaded once per village, and the notifications and deliveries are written in one statement
each. The beat tasks (``tasks.py``) split the villages with work into chunks, one task each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.rules import rule
from notifications import channels
from notifications.models import DeliveryChannel, ReminderLevel, ReminderSent
from notifications.services import Message, insert_new, notifications_send_many
from organization.models import Unit, User

from .models import FOLLOW_UP_STATUSES, OPEN_STATUSES, OUTCOME_KNOWN_STATUSES, FollowUpVisit, WarningOrder, local_date
from .notifications import Audiences


@dataclass(frozen=True)
class Level:
    code: str
    setting: str  # the plan rule with the days overdue (or, for speed, the hours after the push)
    audiences: tuple[str, ...]  # who hears (warnings_followup.notifications.AUDIENCES)
    sms: bool

    @property
    def days_overdue(self) -> int:
        return rule(self.setting)

    @property
    def hours(self) -> int:
        return rule(self.setting)

    def recipients(self, warning: WarningOrder) -> list[User]:
        return Audiences().get(warning.village, *self.audiences)


LEVELS = (
    Level(ReminderLevel.TEAM, "OVERDUE_TEAM_DAYS", ("team",), sms=False),
    Level(ReminderLevel.HEAD, "OVERDUE_HEAD_DAYS", ("heads",), sms=True),
    Level(ReminderLevel.POLICE_LEADERSHIP, "OVERDUE_POLICE_DAYS", ("police", "leadership"), sms=True),
)
# Speed after the push: who hears when a warning is still waiting.
SPEED_LEVELS = (
    Level(ReminderLevel.ACK_TEAM, "ACK_REMINDER_HOURS", ("team",), sms=True),
    Level(ReminderLevel.ACK_POLICE, "ACK_POLICE_HOURS", ("police",), sms=True),
    Level(ReminderLevel.FIRST_DISSUASION, "FIRST_DISSUASION_HOURS", ("police",), sms=True),
)
LEVELS_BY_CODE = {level.code: level for level in (*LEVELS, *SPEED_LEVELS)}


def levels_reached(days_overdue: int) -> list[Level]:
    return [level for level in LEVELS if days_overdue >= level.days_overdue]


# --- Texts ---------------------------------------------------------------------------------------------


def _days_late(days: int) -> str:
    return ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}


def reminder_text(*, level: str, warning: WarningOrder, due: datetime.date, days: int) -> str:
    """The reminder, in the app and outside it (outside, the person's name is masked by the channel)."""
    values = {
        "person": warning.person.name,
        "village": warning.village.name,
        "number": warning.external_id,
        "due": due.isoformat(),
        "late": _days_late(days),
    }
    texts = {
        ReminderLevel.TEAM: _(
            "Visit overdue: %(person)s (%(village)s, warning %(number)s) was due a visit on %(due)s, %(late)s. "
            "Visit in person today and record the visit."
        ),
        ReminderLevel.HEAD: _(
            "Escalated to the village head: the visit to %(person)s (%(village)s, warning %(number)s) "
            "was due on %(due)s, %(late)s."
        ),
        ReminderLevel.POLICE_LEADERSHIP: _(
            "Escalated to police and leadership: the visit to %(person)s (%(village)s, warning %(number)s) "
            "was due on %(due)s, %(late)s."
        ),
    }
    return texts[level] % values


def _digest_line(warning: WarningOrder, today: datetime.date, *, name: str) -> str:
    due = warning.next_visit_due
    if due < today:
        state = _days_late((today - due).days)
    else:
        state = _("due today")
    return f"· {name} ({warning.external_id}): {state}"


def digest_text(*, village: Unit, warnings: list[WarningOrder], today: datetime.date, outside: bool) -> str:
    overdue = sum(1 for warning in warnings if warning.next_visit_due < today)
    head = _("%(village)s, %(date)s: %(total)d visits due today or overdue (%(overdue)d overdue).") % {
        "village": village.name,
        "date": today.isoformat(),
        "total": len(warnings),
        "overdue": overdue,
    }
    lines = [
        _digest_line(warning, today, name=channels.mask_name(warning.person.name) if outside else warning.person.name)
        for warning in warnings
    ]
    return "\n".join([head, *lines])


# --- Claiming and sending in bulk ----------------------------------------------------------------------


Claim = tuple[int, datetime.date, str]  # (warning id, due date, level)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def reminders_claim(claims: Iterable[Claim]) -> set[Claim]:
    """Claim reminders in one ``INSERT … ON CONFLICT DO NOTHING RETURNING``: the ones returned are this caller's to
    send; a reminder claimed before (or by another worker at the same moment) is not returned."""
    now = timezone.now()
    rows = [(warning_id, due, level, now) for warning_id, due, level in dict.fromkeys(claims)]
    if not rows:
        return set()
    inserted = insert_new(
        ReminderSent,
        ("warning", "due_date", "level", "sent_at"),
        rows,
        unique=("warning", "due_date", "level"),
        returning=("warning", "due_date", "level"),
    )
    return {(warning_id, _as_date(due), level) for warning_id, due, level in inserted}


def _not_reminded(level: str, *, due: str | None = "next_visit_due") -> Q:
    """No claim yet for ``level`` on the warning (and its due date, unless ``due`` is None)."""
    sent = ReminderSent.objects.filter(warning=OuterRef("pk"), level=level)
    if due:
        sent = sent.filter(due_date=OuterRef(due))
    return ~Q(Exists(sent))


# What a reminder reads of a case (and of its person, village and town): loading only this skips decrypting the
# person's numbers and reading a case's many moments, most of a scan's time once its queries are few.
_READ = (
    "external_id",
    "status",
    "pushed_at",
    "acknowledged_at",
    "first_dissuasion_at",
    "next_visit_due",
    "window_ends",
    "person__name",
    "village__name",
    "village__path",
    "village__parent__name",
    "village__parent__path",
)


def _lock(warnings: QuerySet, *, skip_locked: bool) -> list[WarningOrder]:
    """Lock the warnings (the lock every writer of a warning takes: a visit recorded meanwhile moves the due
    date), with their person and village; their conditions are checked again under the lock. A scan skips the
    ones a writer holds: the next scan sees them. Call inside a transaction, after :func:`_any`."""
    return list(
        warnings.select_related("person", "village__parent")
        .only(*_READ)
        .select_for_update(of=("self",), skip_locked=skip_locked)
    )


def _any(warnings: QuerySet) -> QuerySet | None:
    """``warnings`` narrowed to the ones found now (one plain query), or None when there are none: a scan with
    nothing to send runs one query, takes no lock and opens no transaction."""
    found = list(warnings.order_by().values_list("pk", flat=True))
    if not found:
        return None
    if connection.vendor == "postgresql":  # one array parameter, not thousands of placeholders to bind
        return warnings.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (found,)))
    return warnings.filter(pk__in=found)


class Outbox:
    """The notifications and deliveries of many reminders, written in one statement each when flushed."""

    def __init__(self, villages: Iterable[int]):
        self.channels = channels.village_channels(villages)
        self.messages: list[Message] = []
        self.outgoing: list[channels.Outgoing] = []

    def add(
        self,
        *,
        warning: WarningOrder,
        recipients: list[User],
        kind: str,
        text: str,
        dedupe_key: str,
        body: str = "",
        url: str = "",
        log_inapp: bool = True,
        webhook: bool = True,
        sms: bool = False,
        outside_text: str | None = None,
    ) -> None:
        """One event: in the app to ``recipients``; to the village work group (``webhook``) and by SMS (``sms``,
        where the village enabled it), with the person's name masked (or ``outside_text`` as it is)."""
        village = warning.village
        self.messages.append(
            Message(recipients=recipients, kind=kind, title=text, body=body, url=url, dedupe_key=dedupe_key)
        )
        full_text = f"{text}\n{body}" if body else text
        if log_inapp:
            self.outgoing += [
                channels.Outgoing(DeliveryChannel.INAPP, dedupe_key, full_text, user=user, village=village)
                for user in recipients
            ]
        channel = self.channels.get(village.pk)
        if channel is None:
            return
        if outside_text is None:
            outside_text = channels.conceal(full_text, [warning.person.name])
        if webhook and channel.webhook_url:
            self.outgoing.append(channels.Outgoing(DeliveryChannel.WEBHOOK, dedupe_key, outside_text, village=village))
        if sms and channel.sms_enabled:
            self.outgoing += [
                channels.Outgoing(DeliveryChannel.SMS, dedupe_key, outside_text, user=user, village=village)
                for user in recipients
            ]

    def flush(self) -> int:
        """Write everything; returns how many in-app notifications were created."""
        created = notifications_send_many(messages=self.messages)
        channels.deliveries_enqueue_many(messages=self.outgoing)
        self.messages, self.outgoing = [], []
        return created


_PK_MARK = 987654321


def _detail_urls():
    """A function of a warning giving its case page's address: the pattern is reversed once per scan, however
    many thousand reminders share it."""
    pattern = reverse("warnings_followup:warning_detail", args=[_PK_MARK])
    return lambda warning: pattern.replace(str(_PK_MARK), str(warning.pk))


def _in_villages(warnings: QuerySet, village_ids: Iterable[int] | None) -> QuerySet:
    return warnings if village_ids is None else warnings.filter(village_id__in=list(village_ids))


# --- Overdue escalation ------------------------------------------------------------------------------------


def overdue_unreminded(today: datetime.date) -> QuerySet:
    """Overdue warnings with at least one level reached and not yet claimed for their current due date."""
    missing = Q(pk__in=[])
    for level in LEVELS:
        reached = Q(next_visit_due__lte=today - datetime.timedelta(days=level.days_overdue))
        missing |= reached & _not_reminded(level.code)
    return WarningOrder.objects.overdue(today).filter(missing)


def _overdue_send(warnings: QuerySet, *, today: datetime.date, only: str | None = None, skip_locked: bool) -> int:
    warnings = _any(warnings)
    if warnings is None:
        return 0
    with transaction.atomic():
        locked = _lock(warnings.order_by("next_visit_due", "pk"), skip_locked=skip_locked)
        wanted = [
            (warning.pk, warning.next_visit_due, level.code)
            for warning in locked
            for level in levels_reached((today - warning.next_visit_due).days)
            if only is None or level.code == only
        ]
        claimed = reminders_claim(wanted)
        if not claimed:
            return 0
        by_id = {warning.pk: warning for warning in locked}
        audiences = Audiences({warning.village_id: warning.village for warning in locked}.values())
        url = _detail_urls()
        outbox = Outbox({warning.village_id for warning in locked})
        for warning_id, due, code in wanted:
            if (warning_id, due, code) not in claimed:
                continue
            warning = by_id[warning_id]
            level = LEVELS_BY_CODE[code]
            text = reminder_text(level=code, warning=warning, due=due, days=(today - due).days)
            outbox.add(
                warning=warning,
                recipients=audiences.get(warning.village, *level.audiences),
                kind=f"warning.overdue.{code}",
                text=text,
                url=url(warning),
                dedupe_key=f"reminder:{warning.pk}:{due:%Y%m%d}:{code}",
                sms=level.sms,
            )
        outbox.flush()
    return len(claimed)


def reminder_send(*, warning_id: int, due: datetime.date, level: str, today: datetime.date) -> bool:
    """Claim and send one reminder; False when it was already sent or the case is no longer overdue."""
    warnings = WarningOrder.objects.overdue(today).filter(pk=warning_id, next_visit_due=due)
    return bool(_overdue_send(warnings, today=today, only=level, skip_locked=False))


def reminders_scan_overdue(*, today: datetime.date | None = None, village_ids: Iterable[int] | None = None) -> int:
    """Send every overdue (and window-ended) reminder not yet sent, in ``village_ids`` (default: everywhere);
    return how many went out. A fixed number of statements however many reminders are due."""
    today = today or timezone.localdate()
    sent = _overdue_send(_in_villages(overdue_unreminded(today), village_ids), today=today, skip_locked=True)
    return sent + reminders_scan_window_ended(today=today, village_ids=village_ids)


# --- The window ended while the person may still be at risk -------------------------------------------------


def window_ended_at_risk(warning: WarningOrder) -> bool:
    """Still at risk when the window ends: no outcome recorded, or dissuaded but the last visit found the
    person at risk again. Such a case is not closed; it is flagged to the head and the police."""
    from .services import still_at_risk

    if warning.status in OPEN_STATUSES:
        return True
    return warning.status in OUTCOME_KNOWN_STATUSES and still_at_risk(warning)


def window_ended_unreminded(today: datetime.date) -> QuerySet:
    """Warnings whose window ended before ``today`` while the person may still be at risk, not yet flagged."""
    latest_at_risk = (
        FollowUpVisit.objects.filter(warning=OuterRef("pk")).order_by("-visited_at", "-pk").values("at_risk")[:1]
    )
    return (
        WarningOrder.objects.filter(window_ends__lt=today)
        .filter(Q(status__in=OPEN_STATUSES) | Q(Q(status__in=OUTCOME_KNOWN_STATUSES) & Q(Subquery(latest_at_risk))))
        .filter(_not_reminded(ReminderLevel.WINDOW_ENDED, due="window_ends"))
    )


def window_ended_text(warning: WarningOrder) -> str:
    return _(
        "The follow-up month of %(person)s (%(village)s, warning %(number)s) ended on %(end)s while the person "
        "may still be at risk: the case stays open. Confirm the dissuasion, report the fraud or close it with "
        "a reason."
    ) % {
        "person": warning.person.name,
        "village": warning.village.name,
        "number": warning.external_id,
        "end": warning.window_ends.isoformat(),
    }


def _window_ended_send(warnings: QuerySet, *, skip_locked: bool) -> int:
    level = ReminderLevel.WINDOW_ENDED
    warnings = _any(warnings)
    if warnings is None:
        return 0
    with transaction.atomic():
        locked = _lock(warnings.order_by("window_ends", "pk"), skip_locked=skip_locked)
        claimed = reminders_claim((warning.pk, warning.window_ends, level) for warning in locked)
        if not claimed:
            return 0
        audiences = Audiences({warning.village_id: warning.village for warning in locked}.values())
        url = _detail_urls()
        outbox = Outbox({warning.village_id for warning in locked})
        for warning in locked:
            if (warning.pk, warning.window_ends, level) not in claimed:
                continue
            outbox.add(
                warning=warning,
                recipients=audiences.get(warning.village, "heads", "police"),
                kind="warning.window_ended",
                text=window_ended_text(warning),
                url=url(warning),
                dedupe_key=f"reminder:{warning.pk}:{warning.window_ends:%Y%m%d}:{level}",
                log_inapp=False,
            )
        outbox.flush()
    return len(claimed)


def window_ended_reminder_send(*, warning_id: int, today: datetime.date) -> bool:
    """Claim and send the one reminder of a case whose window ended without an outcome."""
    return bool(_window_ended_send(window_ended_unreminded(today).filter(pk=warning_id), skip_locked=False))


def reminders_scan_window_ended(*, today: datetime.date, village_ids: Iterable[int] | None = None) -> int:
    return _window_ended_send(_in_villages(window_ended_unreminded(today), village_ids), skip_locked=True)


# --- Speed after the push ("能快一秒是一秒") --------------------------------------------------------------


def _speed_waiting(level: str, warning: WarningOrder) -> bool:
    """Is ``warning`` still waiting for what ``level`` reminds of?"""
    if level in (ReminderLevel.ACK_TEAM, ReminderLevel.ACK_POLICE):
        return warning.acknowledged_at is None and warning.status in FOLLOW_UP_STATUSES
    return warning.first_dissuasion_at is None and warning.status in FOLLOW_UP_STATUSES


def _speed_condition(level: Level, now: datetime.datetime) -> Q:
    waiting = Q(pushed_at__lte=now - datetime.timedelta(hours=level.hours)) & _not_reminded(level.code, due=None)
    if level.code == ReminderLevel.FIRST_DISSUASION:
        return waiting & Q(first_dissuasion_at__isnull=True)
    return waiting & Q(acknowledged_at__isnull=True)


def speed_unreminded(now: datetime.datetime, levels=SPEED_LEVELS) -> QuerySet:
    """Warnings still followed up that wait for something ``levels`` remind of, not yet reminded of it."""
    missing = Q(pk__in=[])
    for level in levels:
        missing |= _speed_condition(level, now)
    return WarningOrder.objects.in_follow_up().filter(missing)


def speed_text(*, level: str, warning: WarningOrder, hours: int) -> str:
    values = {
        "person": warning.person.name,
        "village": warning.village.name,
        "number": warning.external_id,
        "hours": hours,
        "pushed": timezone.localtime(warning.pushed_at).strftime("%Y-%m-%d %H:%M"),
    }
    texts = {
        ReminderLevel.ACK_TEAM: _(
            "Not acknowledged: the warning for %(person)s (%(village)s, %(number)s) pushed at %(pushed)s is still "
            "not acknowledged after %(hours)d hours. Acknowledge it and go to see the person now."
        ),
        ReminderLevel.ACK_POLICE: _(
            "Not acknowledged after %(hours)d hours: the village team has not acknowledged the warning for "
            "%(person)s (%(village)s, %(number)s) pushed at %(pushed)s."
        ),
        ReminderLevel.FIRST_DISSUASION: _(
            "No first dissuasion by the police %(hours)d hours after the push of the warning for %(person)s "
            "(%(village)s, %(number)s, pushed at %(pushed)s): record the police's first dissuasion."
        ),
    }
    return texts[level] % values


def _speed_send(warnings: QuerySet, *, now: datetime.datetime, levels=SPEED_LEVELS, skip_locked: bool) -> int:
    warnings = _any(warnings)
    if warnings is None:
        return 0
    with transaction.atomic():
        locked = _lock(warnings.order_by("pushed_at", "pk"), skip_locked=skip_locked)
        wanted = [
            (warning.pk, local_date(warning.pushed_at), level.code)
            for level in levels
            for warning in locked
            if _speed_waiting(level.code, warning) and now >= warning.pushed_at + datetime.timedelta(hours=level.hours)
        ]
        claimed = reminders_claim(wanted)
        if not claimed:
            return 0
        by_id = {warning.pk: warning for warning in locked}
        audiences = Audiences({warning.village_id: warning.village for warning in locked}.values())
        url = _detail_urls()
        outbox = Outbox({warning.village_id for warning in locked})
        for warning_id, due, code in wanted:
            if (warning_id, due, code) not in claimed:
                continue
            warning = by_id[warning_id]
            level = LEVELS_BY_CODE[code]
            outbox.add(
                warning=warning,
                recipients=audiences.get(warning.village, *level.audiences),
                kind=f"warning.speed.{code}",
                text=speed_text(level=code, warning=warning, hours=level.hours),
                url=url(warning),
                dedupe_key=f"reminder:{warning.pk}:{due:%Y%m%d}:{code}",
                webhook=code == ReminderLevel.ACK_TEAM,
                sms=level.sms,
            )
        outbox.flush()
    return len(claimed)


def speed_reminder_send(*, warning_id: int, level: str, now: datetime.datetime) -> bool:
    """Claim and send one speed reminder; False when already sent or no longer waiting. Once per warning and
    level (``ReminderSent``, its due date being the push's local date)."""
    levels = [LEVELS_BY_CODE[level]]
    warnings = speed_unreminded(now, levels).filter(pk=warning_id)
    return bool(_speed_send(warnings, now=now, levels=levels, skip_locked=False))


def reminders_scan_speed(*, now: datetime.datetime | None = None, village_ids: Iterable[int] | None = None) -> int:
    """Send every speed reminder due and not yet sent (in ``village_ids``, default everywhere); return how many
    went out."""
    now = now or timezone.now()
    return _speed_send(_in_villages(speed_unreminded(now), village_ids), now=now, skip_locked=True)


# --- Morning digest ---------------------------------------------------------------------------------------------


def morning_digest_send(*, today: datetime.date | None = None, village_ids: Iterable[int] | None = None) -> int:
    """Each village team member's list of visits due today and overdue: one notification each, once a day,
    and one message to each village's work group. Returns the number of in-app notifications created."""
    today = today or timezone.localdate()
    due = _in_villages(WarningOrder.objects.due_on_or_before(today), village_ids)
    by_village: dict[int, list[WarningOrder]] = defaultdict(list)
    for warning in due.select_related("person", "village").order_by("next_visit_due", "pk"):
        by_village[warning.village_id].append(warning)
    if not by_village:
        return 0

    dedupe_key = f"digest:{today:%Y%m%d}"
    url = reverse("warnings_followup:today")
    audiences = Audiences(warnings[0].village for warnings in by_village.values())
    outbox = Outbox(by_village)
    for warnings in by_village.values():
        village = warnings[0].village
        title, _newline, body = digest_text(village=village, warnings=warnings, today=today, outside=False).partition(
            "\n"
        )
        outbox.add(
            warning=warnings[0],
            recipients=audiences.get(village, "team"),
            kind="warning.digest",
            text=title,
            body=body,
            url=url,
            dedupe_key=dedupe_key,
            outside_text=digest_text(village=village, warnings=warnings, today=today, outside=True),
        )
    with transaction.atomic():
        return outbox.flush()


# --- Which villages have work (the beat tasks split by village) -----------------------------------------------


def villages_with_reminders(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> list[int]:
    """The villages with an overdue or window-ended reminder not yet sent (``today``), or a speed reminder (``now``)."""
    if now is not None:
        querysets = [speed_unreminded(now)]
    else:
        today = today or timezone.localdate()
        querysets = [overdue_unreminded(today), window_ended_unreminded(today)]
    # One query whatever the kinds of reminder (UNION drops the duplicates): the steady-state scan's round trips.
    villages = [warnings.order_by().values_list("village_id", flat=True) for warnings in querysets]
    return sorted(set(villages[0].union(*villages[1:]) if len(villages) > 1 else villages[0].distinct()))


def villages_with_visits_due(*, today: datetime.date) -> list[int]:
    """The villages with a visit due today or overdue (the morning digest's)."""
    due = WarningOrder.objects.due_on_or_before(today).order_by().values_list("village_id", flat=True).distinct()
    return sorted(due)
