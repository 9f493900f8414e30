import uuid

from django.db import migrations, models


def give_existing_contacts_an_id(apps, schema_editor):
    EscalationContact = apps.get_model("warnings_followup", "EscalationContact")
    for contact in EscalationContact.objects.filter(client_id__isnull=True).only("pk"):
        contact.client_id = uuid.uuid4()
        contact.save(update_fields=["client_id"])


class Migration(migrations.Migration):
    dependencies = [("warnings_followup", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="escalationcontact",
            name="client_id",
            field=models.UUIDField(null=True, verbose_name="client id"),
        ),
        migrations.RunPython(give_existing_contacts_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="escalationcontact",
            name="client_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, verbose_name="client id"),
        ),
    ]
