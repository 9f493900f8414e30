"""Each town keeps its own school calendar (issue 18): semesters gain a town (filled in by 0007, required by 0008)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0005_staff_roster"),
        ("organization", "0004_county_leadership_town_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="semester",
            name="town",
            field=models.ForeignKey(
                null=True,
                limit_choices_to={"kind": "town"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="semesters",
                to="organization.unit",
                verbose_name="town",
            ),
        ),
        migrations.AddField(
            model_name="historicalsemester",
            name="town",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                limit_choices_to={"kind": "town"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organization.unit",
                verbose_name="town",
            ),
        ),
        migrations.AlterField(
            model_name="semester",
            name="name",
            field=models.CharField(max_length=60, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="historicalsemester",
            name="name",
            field=models.CharField(max_length=60, verbose_name="name"),
        ),
    ]
