"""The pushed warning's model is ``WarningOrder`` (预警指令): ``Warning`` hid Python's built-in warning category.

Only the class, its table and its history table change; field names (``warning``), related names, the API and its
fields stay as they were. Content types are renamed by Django's contenttypes app during ``migrate``, so audit
events, attachments and access-log rows keep pointing at the same records."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("warnings_followup", "0005_warning_pushed_indexes"),
    ]

    operations = [
        migrations.RenameModel(old_name="Warning", new_name="WarningOrder"),
        migrations.RenameModel(old_name="HistoricalWarning", new_name="HistoricalWarningOrder"),
        # The one index that was named after the model: now named like its neighbours
        migrations.RenameIndex(
            model_name="warningorder",
            new_name="warning_village_status_idx",
            old_name="warnings_fo_village_aecace_idx",
        ),
    ]
