"""The monthly callback draw as a django-celery-beat row the admin can edit: 02:00 Asia/Shanghai on the 1st,
and the default inspection checklists. Existing rows (same name or label) are left as they are."""

from django.db import migrations
from django.utils import timezone

DRAW = "Monthly case callback draw (一案双查)"

CHECKLIST = {
    "village": [
        ("敲门行动：逐户走访，发放一封信、警民联系卡、承诺书", 25),
        ("承诺书签字、备案留存", 15),
        ("预警劝阻：每3天见面回访，持续一个月", 25),
        ("组建反诈宣传劝阻队，任务再分解", 15),
        ("村居宣传：横幅、广播、微信工作群", 20),
    ],
    "department": [
        ("按方案要求开展防骗宣传活动", 40),
        ("留存影像等资料备查", 30),
        ("制定工作方案，明确责任人和时限", 30),
    ],
}


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    ChecklistItem = apps.get_model("assessment", "ChecklistItem")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=DRAW,
        defaults={
            "task": "assessment.monthly_callback_draw",
            "crontab": schedule,
            "description": "Draws last month's fraud cases for callback, stratified by village (count or share in "
            "Assessment › Callback settings). A month is drawn once; leadership can also draw by hand.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})
    if not ChecklistItem.objects.exists():
        for kind, items in CHECKLIST.items():
            for order, (label, points) in enumerate(items):
                ChecklistItem.objects.create(unit_kind=kind, label=label, points=points, order=order)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=DRAW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_client_ids"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
