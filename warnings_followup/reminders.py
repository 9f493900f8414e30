"""Reminders of follow-up visits: the overdue escalation and the morning digest.

Due dates live in the database (``Warning.next_visit_due``, ``window_ends``); a periodic scan reads them, so
no reminder depends on a long countdown. Dates are local dates in Asia/Shanghai; every function takes
``today`` so that tests (and an operator re-running a day) can name the day.

Overdue escalation, by days past the due date (``today - next_visit_due``):

- 1 day: the village team (in the app and in the village work group);
- 2 days: the village head (also by SMS when the village has SMS enabled);
- 3 days: police and leadership (likewise).

A case whose 30-day window ended while it was still open (no outcome recorded) is reminded once to the
village head and the police: confirm the dissuasion, report the fraud or close it.

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

from notifications import channels
from notifications.models import ReminderLevel, ReminderSent
from notifications.services import notifications_send
from organization import selectors as organization_selectors
from organization.models import Unit, User

from .models import OPEN_STATUSES, Warning
from .notifications import leadership, police_staff, village_heads, village_team


@dataclass(frozen=True)
class Level:
    code: str
    days_overdue: int
    recipients: Callable[[Warning], Iterable[User]]
    sms: bool


LEVELS = (
    Level(ReminderLevel.TEAM, 1, lambda warning: village_team(warning), sms=False),
    Level(ReminderLevel.HEAD, 2, lambda warning: village_heads(warning), sms=True),
    Level(
        ReminderLevel.POLICE_LEADERSHIP,
        3,
        lambda warning: [*police_staff(warning), *leadership(warning)],
        sms=True,
    ),
)
LEVELS_BY_CODE = {level.code: level for level in LEVELS}


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
        if warning is None or warning.status not in OPEN_STATUSES or not warning.window_has_ended(today):
            return False
        _claim, created = ReminderSent.objects.get_or_create(
            warning=warning, due_date=warning.window_ends, level=ReminderLevel.WINDOW_ENDED
        )
        if not created:
            return False
        text = _(
            "The 30-day follow-up of %(person)s (%(village)s, warning %(number)s) ended on %(end)s without an "
            "outcome: confirm the dissuasion, report the fraud or close the case."
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


def reminders_scan_window_ended(*, today: datetime.date) -> int:
    ended = Warning.objects.open().filter(window_ends__lt=today)
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
