from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("warnings_followup", "0004_visit_anchor_day"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="warning",
            index=models.Index(fields=["-pushed_at", "-id"], name="warning_pushed_desc_idx"),
        ),
        migrations.AddIndex(
            model_name="warning",
            index=models.Index(fields=["village", "-pushed_at", "-id"], name="warning_village_pushed_idx"),
        ),
    ]
