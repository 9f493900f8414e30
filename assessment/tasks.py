"""Background work of the assessment: the monthly callback draw (beat: the 1st of each month), the daily
scan of overdue rectifications (beat: 09:00) and of callbacks not made in time (beat: 09:30)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="assessment.monthly_callback_draw")
def monthly_callback_draw() -> str:
    """Draw last month's cases for callback. Idempotent: a month already drawn is left as it is."""
    from core import periods

    from . import services

    month = periods.current_month(timezone.localdate()).previous()
    draw, created = services.callback_draw_month(month=month.first_day)
    return f"{draw} {'drawn' if created else 'already drawn'}"


@shared_task(name="assessment.rectification_reminders")
def rectification_reminders() -> int:
    """Daily: remind the units whose rectification is overdue (once per item and deadline)."""
    from . import services

    return services.rectification_reminders()


@shared_task(name="assessment.report_reminders")
def report_reminders() -> int:
    """Daily: remind each town's leadership group of the report to the county, two days before it is due (once)."""
    from . import report_services

    return report_services.county_report_reminders()


@shared_task(name="assessment.callback_reminders", acks_late=True)
def callback_reminders() -> int:
    """Daily: callbacks not made in time remind their caller, then the leadership group (once per callback and
    level)."""
    from .reminders import callback_reminders_send

    return callback_reminders_send()
