"""A summons of a department already recorded becomes a summons of the department head (a department has no
村居主要负责人), and the daily scan of overdue rectifications as a django-celery-beat row the admin can edit
(09:00 Asia/Shanghai). An existing row of the same name is left as it is."""

from django.db import migrations
from django.utils import timezone

SCAN = "Overdue rectification reminders (整改逾期提醒)"


def forward(apps, schema_editor):
    AccountabilityItem = apps.get_model("assessment", "AccountabilityItem")
    AccountabilityItem.objects.filter(kind="summons", unit__kind="department").update(kind="department_summons")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="9", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=SCAN,
        defaults={
            "task": "assessment.rectification_reminders",
            "crontab": schedule,
            "description": "Reminds the summoned village or department once per item and deadline when its "
            "rectification report is overdue (not submitted, or returned).",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def backward(apps, schema_editor):
    AccountabilityItem = apps.get_model("assessment", "AccountabilityItem")
    AccountabilityItem.objects.filter(kind="department_summons").update(kind="summons")
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCAN).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_incident_reviews_records_check_rectification"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
