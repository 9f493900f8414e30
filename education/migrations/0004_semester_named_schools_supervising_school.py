"""The semester names the schools where the micro-classes and the daily broadcast apply (the schools that
broadcast daily become those schools, their rows kept); the supervising school (罗村镇中心学校).

Existing data: a semester that named no school names 罗村中学 if the town has a school of that name (the
plan names it for both); a school named 罗村镇中心学校 becomes the supervising school.
"""

import django.db.models.deletion
import education.models
from django.db import migrations, models


MIDDLE_SCHOOL = "罗村中学"
CENTRAL_SCHOOL = "罗村镇中心学校"


def name_the_schools(apps, schema_editor):
    Semester = apps.get_model("education", "Semester")
    Unit = apps.get_model("organization", "Unit")
    SupervisingSchool = apps.get_model("education", "SupervisingSchool")
    middle = Unit.objects.filter(kind="school", name=MIDDLE_SCHOOL).order_by("pk").first()
    if middle is not None:
        for semester in Semester.objects.all():
            if not semester.student_education_schools.exists():
                semester.student_education_schools.add(middle)
    for central in Unit.objects.filter(kind="school", name=CENTRAL_SCHOOL):
        SupervisingSchool.objects.get_or_create(school=central)


class Migration(migrations.Migration):

    dependencies = [
        ('education', '0003_drop_reminder_claims_notifications_dedupe'),
        ('organization', '0002_user_mobile'),
    ]

    operations = [
        migrations.RenameField(
            model_name='semester',
            old_name='broadcast_schools',
            new_name='student_education_schools',
        ),
        migrations.AlterField(
            model_name='semester',
            name='student_education_schools',
            field=models.ManyToManyField(blank=True, help_text='Schools that hold the anti-fraud micro-classes in their safety course and play the anti-fraud MP3 on the campus broadcast every school day. Staff sessions are required at every school.', limit_choices_to={'kind': 'school'}, related_name='+', to='organization.unit', verbose_name='schools with micro-classes and the daily broadcast'),
        ),
        migrations.AlterField(
            model_name='historicalsemester',
            name='required_micro_classes',
            field=models.PositiveSmallIntegerField(default=education.models.default_micro_classes, help_text='Anti-fraud micro-classes for the students each named school must hold this semester.', verbose_name='micro-classes required'),
        ),
        migrations.AlterField(
            model_name='historicalsemester',
            name='required_staff_sessions',
            field=models.PositiveSmallIntegerField(default=education.models.default_staff_sessions, help_text='Anti-fraud education sessions for the teaching staff every school must hold this semester.', verbose_name='staff education sessions required'),
        ),
        migrations.AlterField(
            model_name='semester',
            name='required_micro_classes',
            field=models.PositiveSmallIntegerField(default=education.models.default_micro_classes, help_text='Anti-fraud micro-classes for the students each named school must hold this semester.', verbose_name='micro-classes required'),
        ),
        migrations.AlterField(
            model_name='semester',
            name='required_staff_sessions',
            field=models.PositiveSmallIntegerField(default=education.models.default_staff_sessions, help_text='Anti-fraud education sessions for the teaching staff every school must hold this semester.', verbose_name='staff education sessions required'),
        ),
        migrations.CreateModel(
            name='SupervisingSchool',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('school', models.OneToOneField(limit_choices_to={'kind': 'school'}, on_delete=django.db.models.deletion.CASCADE, related_name='supervision', to='organization.unit', verbose_name='school')),
            ],
            options={
                'verbose_name': 'supervising school',
                'verbose_name_plural': 'supervising schools',
            },
        ),
        migrations.RunPython(name_the_schools, migrations.RunPython.noop),
    ]
