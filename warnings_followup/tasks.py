"""Thin, idempotent periodic tasks of the warning workflow (scheduled by django-celery-beat, see the admin).

The reminder tasks split by village: the beat task finds the villages with work (a cheap query) and, when
they are more than one chunk of :data:`VILLAGES_PER_TASK`, queues one task per chunk on its own queue; each
chunk claims its reminders in bulk (``reminders.py``), so a chunk run twice sends nothing twice.
"""

import datetime

from celery import shared_task

# Villages per chunk task: a county's 300 villages make 15 tasks, each a few hundred reminders at most.
VILLAGES_PER_TASK = 20


def _day(today: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(today) if today else None


def _fan_out(task, village_ids: list[int], **kwargs) -> int | None:
    """Queue ``task`` once per chunk of villages (on the queue of the task running now); None when there is at
    most one chunk, which the caller then runs itself."""
    from notifications.channels import current_task_queue

    if len(village_ids) <= VILLAGES_PER_TASK:
        return None
    queue = current_task_queue()
    chunks = [village_ids[i : i + VILLAGES_PER_TASK] for i in range(0, len(village_ids), VILLAGES_PER_TASK)]
    for chunk in chunks:
        task.apply_async(kwargs={**kwargs, "village_ids": chunk}, queue=queue)
    return len(chunks)


@shared_task(name="warnings_followup.scan_overdue", acks_late=True)
def scan_overdue(today: str | None = None) -> int:
    """Send the overdue-visit reminders not yet sent, and re-publish deliveries whose task was lost.

    ``today``: an ISO date to scan as (default: the local date in Asia/Shanghai). Returns the reminders sent
    here (0 when the villages were split into chunk tasks, which send them).
    """
    from notifications.channels import deliveries_requeue_stale

    from .reminders import reminders_scan_overdue, villages_with_reminders

    day = _day(today)
    villages = villages_with_reminders(today=day)
    sent = 0
    if villages and _fan_out(scan_overdue_villages, villages, today=today) is None:
        sent = reminders_scan_overdue(today=day, village_ids=villages)
    deliveries_requeue_stale()
    return sent


@shared_task(name="warnings_followup.scan_overdue_villages", acks_late=True)
def scan_overdue_villages(village_ids: list[int], today: str | None = None) -> int:
    """One chunk of the overdue scan: the reminders of ``village_ids`` not yet sent."""
    from .reminders import reminders_scan_overdue

    return reminders_scan_overdue(today=_day(today), village_ids=village_ids)


@shared_task(name="warnings_followup.send_morning_digest", acks_late=True)
def send_morning_digest(today: str | None = None) -> int:
    """Each village team member's visits due today and overdue (once a day, whatever the number of runs)."""
    from django.utils import timezone

    from .reminders import morning_digest_send, villages_with_visits_due

    day = _day(today) or timezone.localdate()
    villages = villages_with_visits_due(today=day)
    if not villages or _fan_out(send_morning_digest_villages, villages, today=day.isoformat()) is not None:
        return 0
    return morning_digest_send(today=day, village_ids=villages)


@shared_task(name="warnings_followup.send_morning_digest_villages", acks_late=True)
def send_morning_digest_villages(village_ids: list[int], today: str | None = None) -> int:
    """One chunk of the morning digest."""
    from .reminders import morning_digest_send

    return morning_digest_send(today=_day(today), village_ids=village_ids)


@shared_task(name="warnings_followup.scan_speed", acks_late=True)
def scan_speed(now: str | None = None) -> int:
    """The speed reminders after a push (not acknowledged, no police first dissuasion), once per case and level.

    ``now``: an ISO datetime to scan as (default: now).
    """
    from django.utils import timezone

    from .reminders import reminders_scan_speed, villages_with_reminders

    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    villages = villages_with_reminders(now=moment)
    if not villages or _fan_out(scan_speed_villages, villages, now=moment.isoformat()) is not None:
        return 0
    return reminders_scan_speed(now=moment, village_ids=villages)


@shared_task(name="warnings_followup.scan_speed_villages", acks_late=True)
def scan_speed_villages(village_ids: list[int], now: str | None = None) -> int:
    """One chunk of the speed scan."""
    from .reminders import reminders_scan_speed

    return reminders_scan_speed(now=datetime.datetime.fromisoformat(now) if now else None, village_ids=village_ids)


@shared_task(name="warnings_followup.close_ended_windows", acks_late=True)
def close_ended_windows(today: str | None = None) -> int:
    """Close every case whose window ended with its outcome known (idempotent: row lock, state check)."""
    from .services import warnings_close_ended_windows

    return warnings_close_ended_windows(today=_day(today))


@shared_task(name="warnings_followup.notify_event", acks_late=True)
def notify_event(kind: str, warning_id: int) -> int:
    """Notify a warning's event (a visit that found the person still at risk) after the request that recorded it."""
    from .notifications import warning_event_notify

    return warning_event_notify(kind=kind, warning_id=warning_id)
