"""Thin tasks: deliver one logged message (see ``notifications.channels``)."""

from celery import shared_task
from django.conf import settings

from .channels import DeliveryError


@shared_task(
    bind=True,
    name="notifications.deliver",
    autoretry_for=(DeliveryError,),
    retry_backoff=30,  # 30 s, 60 s, 120 s ... with jitter, at most retry_backoff_max
    retry_backoff_max=600,
    max_retries=settings.DELIVERY_MAX_RETRIES,
    acks_late=True,  # idempotent: delivery_attempt sends only a pending delivery, under a row lock
)
def deliver(self, delivery_id: int) -> str | None:
    from .channels import delivery_attempt

    final = self.max_retries is not None and self.request.retries >= self.max_retries
    return delivery_attempt(delivery_id=delivery_id, final=final)
