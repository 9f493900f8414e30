"""Reminders of the warning workflow: speed after the push, overdue visits, the window's end, the morning digest.

Due dates live in the database (``Warning.pushed_at``, ``next_visit_due``, ``window_ends``); a periodic scan
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
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.rules import rule
from notifications import channels
from notifications.models import ReminderLevel, ReminderSent
from notifications.services import notifications_send
from organization import selectors as organization_selectors
from organization.models import Unit, User

from .models import FOLLOW_UP_STATUSES, OPEN_STATUSES, OUTCOME_KNOWN_STATUSES, Warning, local_date
from .notifications import leadership, police_staff, village_heads, village_team


@dataclass(frozen=True)
class Level:
    code: str
    setting: str  # the plan rule with the days overdue (or, for speed, the hours after the push)
    recipients: Callable[[Warning], Iterable[User]]
    sms: bool

    @property
    def days_overdue(self) -> int:
        return rule(self.setting)

    @property
    def hours(self) -> int:
        return rule(self.setting)


LEVELS = (
    Level(ReminderLevel.TEAM, "OVERDUE_TEAM_DAYS", lambda warning: village_team(warning), sms=False),
    Level(ReminderLevel.HEAD, "OVERDUE_HEAD_DAYS", lambda warning: village_heads(warning), sms=True),
    Level(
        ReminderLevel.POLICE_LEADERSHIP,
        "OVERDUE_POLICE_DAYS",
        lambda warning: [*police_staff(warning), *leadership(warning)],
        sms=True,
    ),
)
# Speed after the push: (level, which warnings are still waiting).
SPEED_LEVELS = (
    Level(ReminderLevel.ACK_TEAM, "ACK_REMINDER_HOURS", lambda warning: village_team(warning), sms=True),
    Level(ReminderLevel.ACK_POLICE, "ACK_POLICE_HOURS", lambda warning: police_staff(warning), sms=True),
    Level(ReminderLevel.FIRST_DISSUASION, "FIRST_DISSUASION_HOURS", lambda warning: police_staff(warning), sms=True),
)
LEVELS_BY_CODE = {level.code: level for level in (*LEVELS, *SPEED_LEVELS)}


def levels_reached(days_overdue: int) -> list[Level]:
    return [level for level in LEVELS if days_overdue >= level.days_overdue]


# --- Texts ---------------------------------------------------------------------------------------------


def _days_late(days: int) -> str:
    return ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}


def reminder_text(*, level: str, warning: Warning, due: datetime.date, days: int) -> str:
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


def _digest_line(warning: Warning, today: datetime.date, *, name: str) -> str:
    due = warning.next_visit_due
    if due < today:
        state = _days_late((today - due).days)
    else:
        state = _("due today")
    return f"· {name} ({warning.external_id}): {state}"


def digest_text(*, village: Unit, warnings: list[Warning], today: datetime.date, outside: bool) -> str:
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


# --- Overdue escalation ------------------------------------------------------------------------------------


def reminder_send(*, warning_id: int, due: datetime.date, level: str, today: datetime.date) -> bool:
    """Claim and send one reminder; False when it was already sent or the case is no longer overdue."""
    with transaction.atomic():
        # The lock every writer of the warning takes (services): a visit recorded meanwhile moves the due date.
        warning = (
            Warning.objects.select_for_update(of=("self",))
            .select_related("person", "village__parent")
            .filter(pk=warning_id)
            .first()
        )
        if warning is None or warning.next_visit_due != due or not warning.is_overdue(today):
            return False
        _claim, created = ReminderSent.objects.get_or_create(warning=warning, due_date=due, level=level)
        if not created:
            return False

        days = (today - due).days
        text = reminder_text(level=level, warning=warning, due=due, days=days)
        recipients = list(LEVELS_BY_CODE[level].recipients(warning))
        dedupe_key = f"reminder:{warning.pk}:{due:%Y%m%d}:{level}"
        notifications_send(
            recipients=recipients,
            kind=f"warning.overdue.{level}",
            title=text,
            body="",
            url=reverse("warnings_followup:warning_detail", args=[warning.pk]),
            dedupe_key=dedupe_key,
        )
        channels.inapp_record(users=recipients, village=warning.village, text=text, dedupe_key=dedupe_key)
        conceal = [warning.person.name]
        channels.village_webhook_enqueue(village=warning.village, text=text, dedupe_key=dedupe_key, conceal=conceal)
        if LEVELS_BY_CODE[level].sms and channels.sms_enabled(warning.village):
            for user in {user.pk: user for user in recipients}.values():
                channels.sms_enqueue(
                    user=user, village=warning.village, text=text, dedupe_key=dedupe_key, conceal=conceal
                )
    return True


def window_ended_reminder_send(*, warning_id: int, today: datetime.date) -> bool:
    """Claim and send the one reminder of a case whose window ended without an outcome."""
    with transaction.atomic():
        warning = (
            Warning.objects.select_for_update(of=("self",))
            .select_related("person", "village__parent")
            .filter(pk=warning_id)
            .first()
        )
        if warning is None or not warning.window_has_ended(today) or not window_ended_at_risk(warning):
            return False
        _claim, created = ReminderSent.objects.get_or_create(
            warning=warning, due_date=warning.window_ends, level=ReminderLevel.WINDOW_ENDED
        )
        if not created:
            return False
        text = _(
            "The follow-up month of %(person)s (%(village)s, warning %(number)s) ended on %(end)s while the person "
            "may still be at risk: the case stays open. Confirm the dissuasion, report the fraud or close it with "
            "a reason."
        ) % {
            "person": warning.person.name,
            "village": warning.village.name,
            "number": warning.external_id,
            "end": warning.window_ends.isoformat(),
        }
        recipients = [*village_heads(warning), *police_staff(warning)]
        dedupe_key = f"reminder:{warning.pk}:{warning.window_ends:%Y%m%d}:{ReminderLevel.WINDOW_ENDED}"
        notifications_send(
            recipients=recipients,
            kind="warning.window_ended",
            title=text,
            url=reverse("warnings_followup:warning_detail", args=[warning.pk]),
            dedupe_key=dedupe_key,
        )
        channels.village_webhook_enqueue(
            village=warning.village, text=text, dedupe_key=dedupe_key, conceal=[warning.person.name]
        )
    return True


def window_ended_at_risk(warning: Warning) -> bool:
    """Still at risk when the window ends: no outcome recorded, or dissuaded but the last visit found the
    person at risk again. Such a case is not closed; it is flagged to the head and the police."""
    from .services import still_at_risk

    if warning.status in OPEN_STATUSES:
        return True
    return warning.status in OUTCOME_KNOWN_STATUSES and still_at_risk(warning)


def reminders_scan_window_ended(*, today: datetime.date) -> int:
    ended = Warning.objects.filter(status__in=[*OPEN_STATUSES, *OUTCOME_KNOWN_STATUSES], window_ends__lt=today)
    already = set(
        ReminderSent.objects.filter(warning__in=ended, level=ReminderLevel.WINDOW_ENDED).values_list(
            "warning_id", flat=True
        )
    )
    return sum(
        window_ended_reminder_send(warning_id=pk, today=today)
        for pk in ended.order_by("window_ends", "pk").values_list("pk", flat=True)
        if pk not in already
    )


def reminders_scan_overdue(*, today: datetime.date | None = None) -> int:
    """Send every overdue (and window-ended) reminder not yet sent; return how many went out."""
    today = today or timezone.localdate()
    overdue = Warning.objects.overdue(today)
    already = set(ReminderSent.objects.filter(warning__in=overdue).values_list("warning_id", "due_date", "level"))
    sent = 0
    for warning_id, due in overdue.order_by("next_visit_due", "pk").values_list("pk", "next_visit_due"):
        for level in levels_reached((today - due).days):
            if (warning_id, due, level.code) in already:
                continue
            sent += reminder_send(warning_id=warning_id, due=due, level=level.code, today=today)
    return sent + reminders_scan_window_ended(today=today)


# --- Speed after the push ("能快一秒是一秒") --------------------------------------------------------------


def _speed_waiting(level: str, warning: Warning) -> bool:
    """Is ``warning`` still waiting for what ``level`` reminds of?"""
    if level in (ReminderLevel.ACK_TEAM, ReminderLevel.ACK_POLICE):
        return warning.acknowledged_at is None and warning.status in FOLLOW_UP_STATUSES
    return warning.first_dissuasion_at is None and warning.status in FOLLOW_UP_STATUSES


def speed_text(*, level: str, warning: Warning, hours: int) -> str:
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


def speed_reminder_send(*, warning_id: int, level: str, now: datetime.datetime) -> bool:
    """Claim and send one speed reminder; False when already sent or no longer waiting. Once per warning and
    level (``ReminderSent``, its due date being the push's local date)."""
    spec = LEVELS_BY_CODE[level]
    with transaction.atomic():
        warning = (
            Warning.objects.select_for_update(of=("self",))
            .select_related("person", "village__parent")
            .filter(pk=warning_id)
            .first()
        )
        if warning is None or not _speed_waiting(level, warning):
            return False
        if now < warning.pushed_at + datetime.timedelta(hours=spec.hours):
            return False
        due = local_date(warning.pushed_at)
        _claim, created = ReminderSent.objects.get_or_create(warning=warning, due_date=due, level=level)
        if not created:
            return False
        text = speed_text(level=level, warning=warning, hours=spec.hours)
        recipients = list({user.pk: user for user in spec.recipients(warning)}.values())
        dedupe_key = f"reminder:{warning.pk}:{due:%Y%m%d}:{level}"
        notifications_send(
            recipients=recipients,
            kind=f"warning.speed.{level}",
            title=text,
            body="",
            url=reverse("warnings_followup:warning_detail", args=[warning.pk]),
            dedupe_key=dedupe_key,
        )
        channels.inapp_record(users=recipients, village=warning.village, text=text, dedupe_key=dedupe_key)
        conceal = [warning.person.name]
        if level == ReminderLevel.ACK_TEAM:
            channels.village_webhook_enqueue(village=warning.village, text=text, dedupe_key=dedupe_key, conceal=conceal)
        if spec.sms and channels.sms_enabled(warning.village):
            for user in recipients:
                channels.sms_enqueue(
                    user=user, village=warning.village, text=text, dedupe_key=dedupe_key, conceal=conceal
                )
    return True


def reminders_scan_speed(*, now: datetime.datetime | None = None) -> int:
    """Send every speed reminder due and not yet sent; return how many went out."""
    now = now or timezone.now()
    sent = 0
    for level in SPEED_LEVELS:
        waiting = Warning.objects.filter(
            status__in=FOLLOW_UP_STATUSES, pushed_at__lte=now - datetime.timedelta(hours=level.hours)
        )
        if level.code == ReminderLevel.FIRST_DISSUASION:
            waiting = waiting.filter(first_dissuasion_at__isnull=True)
        else:
            waiting = waiting.filter(acknowledged_at__isnull=True)
        already = set(
            ReminderSent.objects.filter(warning__in=waiting, level=level.code).values_list("warning_id", flat=True)
        )
        for pk in waiting.order_by("pushed_at", "pk").values_list("pk", flat=True):
            if pk not in already:
                sent += speed_reminder_send(warning_id=pk, level=level.code, now=now)
    return sent


# --- Morning digest ---------------------------------------------------------------------------------------------


def morning_digest_send(*, today: datetime.date | None = None) -> int:
    """Each village team member's list of visits due today and overdue: one notification each, once a day,
    and one message to each village's work group. Returns the number of in-app notifications created."""
    today = today or timezone.localdate()
    due = Warning.objects.due_on_or_before(today).select_related("person", "village").order_by("next_visit_due", "pk")
    by_village: dict[int, list[Warning]] = defaultdict(list)
    for warning in due:
        by_village[warning.village_id].append(warning)

    dedupe_key = f"digest:{today:%Y%m%d}"
    url = reverse("warnings_followup:today")
    created = 0
    for warnings in by_village.values():
        village = warnings[0].village
        members = list(organization_selectors.village_team(village=village))
        text = digest_text(village=village, warnings=warnings, today=today, outside=False)
        with transaction.atomic():
            title, _newline, body = text.partition("\n")
            created += notifications_send(
                recipients=members, kind="warning.digest", title=title, body=body, url=url, dedupe_key=dedupe_key
            )
            channels.inapp_record(users=members, village=village, text=text, dedupe_key=dedupe_key)
            channels.village_webhook_enqueue(
                village=village,
                text=digest_text(village=village, warnings=warnings, today=today, outside=True),
                dedupe_key=dedupe_key,
            )
    return created
