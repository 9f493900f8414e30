"""The police's first dissuasion and the team's first in-person contact become two facts.

``first_contact_at`` held whichever came first. Where a first dissuasion was recorded (a method is set) it was
the police's: it moves to ``first_dissuasion_at``, with its author from the audit trail. The team's first
in-person contact is the earliest in-person visit. Then ``first_contact_at`` goes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def split_first_contact(apps, schema_editor):
    Warning = apps.get_model("warnings_followup", "Warning")
    FollowUpVisit = apps.get_model("warnings_followup", "FollowUpVisit")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="warnings_followup", model="warning").first()
    for warning in Warning.objects.filter(first_contact_at__isnull=False).exclude(first_dissuasion_method=""):
        warning.first_dissuasion_at = warning.first_contact_at
        if content_type is not None:
            event = (
                AuditEvent.objects.filter(
                    content_type=content_type, object_id=str(warning.pk), event="first_dissuasion"
                )
                .order_by("at", "pk")
                .first()
            )
            warning.first_dissuasion_by_id = event.actor_id if event else None
        warning.save(update_fields=["first_dissuasion_at", "first_dissuasion_by"])
    earliest = (
        FollowUpVisit.objects.filter(warning=OuterRef("pk"), method="in_person")
        .order_by("visited_at")
        .values("visited_at")[:1]
    )
    Warning.objects.update(first_team_contact_at=Subquery(earliest))


def join_first_contact(apps, schema_editor):
    Warning = apps.get_model("warnings_followup", "Warning")
    for warning in Warning.objects.all():
        moments = [m for m in (warning.first_dissuasion_at, warning.first_team_contact_at) if m is not None]
        if moments:
            warning.first_contact_at = min(moments)
            warning.save(update_fields=["first_contact_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("warnings_followup", "0002_escalation_client_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("audit", "0002_auditevent"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalwarning",
            name="close_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("moved_away", "Moved away"),
                    ("deceased", "Deceased"),
                    ("duplicate_push", "Duplicate push"),
                    ("window_ended", "Follow-up window ended"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="close reason",
            ),
        ),
        migrations.AddField(
            model_name="historicalwarning",
            name="first_dissuasion_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first dissuasion at"),
        ),
        migrations.AddField(
            model_name="historicalwarning",
            name="first_dissuasion_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="first dissuasion by",
            ),
        ),
        migrations.AddField(
            model_name="historicalwarning",
            name="first_team_contact_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="team's first in-person contact at"),
        ),
        migrations.AddField(
            model_name="warning",
            name="close_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("moved_away", "Moved away"),
                    ("deceased", "Deceased"),
                    ("duplicate_push", "Duplicate push"),
                    ("window_ended", "Follow-up window ended"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="close reason",
            ),
        ),
        migrations.AddField(
            model_name="warning",
            name="first_dissuasion_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first dissuasion at"),
        ),
        migrations.AddField(
            model_name="warning",
            name="first_dissuasion_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="first dissuasion by",
            ),
        ),
        migrations.AddField(
            model_name="warning",
            name="first_team_contact_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="team's first in-person contact at"),
        ),
        migrations.RunPython(split_first_contact, join_first_contact),
        migrations.RemoveField(
            model_name="historicalwarning",
            name="first_contact_at",
        ),
        migrations.RemoveField(
            model_name="warning",
            name="first_contact_at",
        ),
    ]
