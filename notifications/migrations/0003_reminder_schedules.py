"""The two reminder schedules, as django-celery-beat rows that the admin can edit (Periodic tasks).

- the morning digest of visits due today and overdue: 08:00 Asia/Shanghai every day;
- the overdue escalation scan: every 15 minutes from 07:00 to 21:45 Asia/Shanghai, so that the
  reminders of a newly overdue visit go out at 07:00 rather than at midnight.

Existing rows (same name) are left as they are: a time changed in the admin survives a re-run.
"""

from django.db import migrations
from django.utils import timezone

DIGEST = "Morning digest of due and overdue visits"
SCAN = "Overdue visit escalation scan"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    def crontab(minute, hour):
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        return schedule

    PeriodicTask.objects.get_or_create(
        name=DIGEST,
        defaults={
            "task": "warnings_followup.send_morning_digest",
            "crontab": crontab("0", "8"),
            "description": "Each village team member's list of visits due today and overdue (in the app and "
            "in the village work group). Change the time here.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=SCAN,
        defaults={
            "task": "warnings_followup.scan_overdue",
            "crontab": crontab("*/15", "7-21"),
            "description": "Overdue visits: the team on the day after due, the village head one day later, "
            "police and leadership after 3 days. Each reminder is sent once per case, due date and level.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[DIGEST, SCAN]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_villagechannel_delivery_remindersent"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
