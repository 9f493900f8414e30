"""A semester's town is required, and its name unique in the town (issue 18)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("education", "0007_semester_town_assign")]

    operations = [
        migrations.AlterField(
            model_name="semester",
            name="town",
            field=models.ForeignKey(
                limit_choices_to={"kind": "town"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="semesters",
                to="organization.unit",
                verbose_name="town",
            ),
        ),
        migrations.AddConstraint(
            model_name="semester",
            constraint=models.UniqueConstraint(fields=("town", "name"), name="education_semester_town_name"),
        ),
    ]
