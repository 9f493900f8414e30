"""Thin, idempotent periodic tasks of the warning workflow (scheduled by django-celery-beat, see the admin)."""

import datetime

from celery import shared_task


def _day(today: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(today) if today else None


@shared_task(name="warnings_followup.scan_overdue", acks_late=True)
def scan_overdue(today: str | None = None) -> int:
    """Send the overdue-visit reminders not yet sent, and re-publish deliveries whose task was lost.

    ``today``: an ISO date to scan as (default: the local date in Asia/Shanghai).
    """
    from notifications.channels import deliveries_requeue_stale

    from .reminders import reminders_scan_overdue

    sent = reminders_scan_overdue(today=_day(today))
    deliveries_requeue_stale()
    return sent


@shared_task(name="warnings_followup.send_morning_digest", acks_late=True)
def send_morning_digest(today: str | None = None) -> int:
    """Each village team member's visits due today and overdue (once a day, whatever the number of runs)."""
    from .reminders import morning_digest_send

    return morning_digest_send(today=_day(today))


@shared_task(name="warnings_followup.scan_speed", acks_late=True)
def scan_speed(now: str | None = None) -> int:
    """The speed reminders after a push (not acknowledged, no police first dissuasion), once per case and level.

    ``now``: an ISO datetime to scan as (default: now).
    """
    from .reminders import reminders_scan_speed

    return reminders_scan_speed(now=datetime.datetime.fromisoformat(now) if now else None)


@shared_task(name="warnings_followup.close_ended_windows", acks_late=True)
def close_ended_windows(today: str | None = None) -> int:
    """Close every case whose follow-up window ended with its outcome known (idempotent: row lock, state check)."""
    from .services import warnings_close_ended_windows

    return warnings_close_ended_windows(today=_day(today))
