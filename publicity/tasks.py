"""Thin, idempotent periodic tasks of the publicity work (scheduled by django-celery-beat, see the admin)."""

import datetime

from celery import shared_task


@shared_task(name="publicity.send_overdue_reminders", acks_late=True)
def send_overdue_reminders(today: str | None = None) -> int:
    """Overdue work-plan tasks and overdue venue fixes, each notified once per deadline."""
    from .reminders import overdue_reminders_send

    return overdue_reminders_send(today=datetime.date.fromisoformat(today) if today else None)
