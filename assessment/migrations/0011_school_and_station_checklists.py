"""The default inspection checklists of a school (三(四)) and of the police station (三(一)、三(二)), beside the
villages' and departments' of 0003: every kind of unit is inspected against its own checklist (四(一)、四(三)). A kind
that already has active items (configured in the admin) is left as it is; removing the migration keeps the rows."""

from django.db import migrations

CHECKLIST = {
    # The same labels as the demo's (demo.case_work.SCHOOL_CHECKLIST): the demo reuses these rows.
    "school": [
        ("每学期至少两次教职员工防骗宣传，留存影像资料", 40),
        ("防骗微课堂纳入安全课，每学期至少两次", 30),
        ("校园广播每天定时播放防骗MP3", 30),
    ],
    "police_station": [
        ("预警指令及时推送，首次劝阻在时限内完成", 40),
        ("止付及解除止付及时办理", 20),
        ("案件登记、研判会商、破案打击", 20),
        ("防骗宣传进村居、进企业、进学校，留存影像资料", 20),
    ],
}


def create(apps, schema_editor):
    ChecklistItem = apps.get_model("assessment", "ChecklistItem")
    for kind, items in CHECKLIST.items():
        if ChecklistItem.objects.filter(unit_kind=kind, is_active=True).exists():
            continue
        for order, (label, points) in enumerate(items):
            ChecklistItem.objects.get_or_create(
                unit_kind=kind, label=label, defaults={"points": points, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0010_nominations"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
