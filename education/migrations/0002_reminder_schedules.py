"""The education reminder schedules, as django-celery-beat rows that the admin can edit (Periodic tasks).

- broadcast not logged: every 15 minutes from 08:00 to 17:45 Asia/Shanghai (the task itself checks the
  semester's deadline, 10:00 by default, and that today is a school day);
- requirements falling behind: Mondays at 08:30 Asia/Shanghai.

Existing rows (same name) are left as they are: a time changed in the admin survives a re-run.
"""

from django.db import migrations
from django.utils import timezone

BROADCAST = "Campus broadcast not logged (schools)"
BEHIND = "School education falling behind (weekly)"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    def crontab(minute, hour, day_of_week="*"):
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        return schedule

    PeriodicTask.objects.get_or_create(
        name=BROADCAST,
        defaults={
            "task": "education.remind_broadcast",
            "crontab": crontab("*/15", "8-17"),
            "description": "Reminds a broadcasting school whose anti-fraud MP3 broadcast of the day is not logged "
            "by the semester's deadline (set on the semester), on school days only; once per school and day.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=BEHIND,
        defaults={
            "task": "education.remind_behind",
            "crontab": crontab("30", "8", "1"),
            "description": "Tells each school which semester requirement is falling behind (sessions, "
            "micro-classes, broadcast days, return slips); once per school and week.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[BROADCAST, BEHIND]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
