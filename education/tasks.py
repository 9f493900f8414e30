"""Thin, idempotent periodic tasks of the education work (scheduled by django-celery-beat, see the admin)."""

import datetime

from celery import shared_task


@shared_task(name="education.remind_broadcast", acks_late=True)
def remind_broadcast() -> int:
    """Remind the schools whose anti-fraud broadcast of today is not logged by the semester's deadline."""
    from .reminders import broadcast_reminders_send

    return broadcast_reminders_send()


@shared_task(name="education.remind_behind", acks_late=True)
def remind_behind(today: str | None = None) -> int:
    """Tell each school what is falling behind this semester (once a week per school).

    ``today``: an ISO date to scan as (default: the local date in Asia/Shanghai).
    """
    from .reminders import requirement_reminders_send

    return requirement_reminders_send(today=datetime.date.fromisoformat(today) if today else None)
