"""The speed reminders' levels, and two more schedules (django-celery-beat rows the admin can edit):

- the speed scan (not acknowledged, no police first dissuasion): every 10 minutes, day and night
  ("能快一秒是一秒");
- the window-end close of the cases whose outcome is known: every day at 00:30 Asia/Shanghai.

Existing rows (same name) are left as they are.
"""

from django.db import migrations, models
from django.utils import timezone

SPEED = "Speed reminders after a push"
WINDOW = "Close cases whose follow-up window ended"


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
        name=SPEED,
        defaults={
            "task": "warnings_followup.scan_speed",
            "crontab": crontab("*/10", "*"),
            "description": "A push not acknowledged (the team and the head, then the police) or without the "
            "police's first dissuasion after the hours set in the plan's rules. Once per case and level.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=WINDOW,
        defaults={
            "task": "warnings_followup.close_ended_windows",
            "crontab": crontab("30", "0"),
            "description": "Closes every case whose follow-up month ended with dissuasion confirmed (an audit "
            "event 'window ended'); a case still at risk stays open and is flagged by the overdue scan.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[SPEED, WINDOW]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_window_ended_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="remindersent",
            name="level",
            field=models.CharField(
                choices=[
                    ("team", "Village team"),
                    ("head", "Village head"),
                    ("police_leadership", "Police and leadership"),
                    ("window_ended", "Follow-up window ended"),
                    ("ack_team", "Not acknowledged: village team and head"),
                    ("ack_police", "Not acknowledged: police"),
                    ("first_dissuasion", "No police first dissuasion"),
                ],
                max_length=20,
                verbose_name="level",
            ),
        ),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
