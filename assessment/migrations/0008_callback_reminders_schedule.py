"""The daily scan of callbacks not made in time (一案双查: the caller, then the leadership group) as a
django-celery-beat row the admin can edit (09:30 Asia/Shanghai). An existing row of the same name is left as it is."""

from django.db import migrations
from django.utils import timezone

SCAN = "Overdue callback reminders (回访逾期提醒)"


def forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="9", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=SCAN,
        defaults={
            "task": "assessment.callback_reminders",
            "crontab": schedule,
            "description": "Reminds the caller of a callback not made 10 days (RULE_CALLBACK_DUE_DAYS) after its "
            "draw, then the leadership group: once per callback and level.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCAN).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_targets_reports_documents"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
