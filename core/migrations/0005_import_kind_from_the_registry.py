from django.db import migrations, models

import core.sheets


class Migration(migrations.Migration):
    """``ImportJob.kind`` names a sheet an app registered (``core.sheets.register``): no choices, so a new kind of
    import needs no migration."""

    dependencies = [
        ("core", "0004_export_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(
                default="residents", max_length=32, validators=[core.sheets.validate_import_kind], verbose_name="kind"
            ),
        ),
    ]
