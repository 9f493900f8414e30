"""Thin, idempotent periodic tasks of the publicity work (scheduled by django-celery-beat, see the admin)."""

import datetime

from celery import shared_task


@shared_task(name="publicity.send_overdue_reminders", acks_late=True)
def send_overdue_reminders(today: str | None = None) -> int:
    """Overdue work-plan tasks and overdue venue fixes, each notified once per deadline."""
    from .reminders import overdue_reminders_send

    return overdue_reminders_send(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(
    bind=True,
    name="publicity.finance_sms_deliver",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    acks_late=True,  # idempotent: finance_sms_attempt sends only a pending SMS, under a row lock
)
def finance_sms_deliver(self, recipient_id: int, base_url: str = "") -> str | None:
    """One finance staff member's SMS of a push (三(七)), with their personal link."""
    from .finance import finance_sms_attempt

    final = self.max_retries is not None and self.request.retries >= self.max_retries
    return finance_sms_attempt(recipient_id=recipient_id, base_url=base_url, final=final)
