"""The daily reminder of overdue work-plan tasks and venue fixes, as a django-celery-beat row the admin
can edit: 08:30 Asia/Shanghai every day. An existing row (same name) is left as it is."""

from django.db import migrations
from django.utils import timezone

NAME = "Overdue work-plan tasks and venue fixes"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "publicity.send_overdue_reminders",
            "crontab": schedule,
            "description": "Each overdue work-plan task to its responsible person, each inspection item past its "
            "fix-by date to the venue's unit; once per deadline. Change the time here.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
