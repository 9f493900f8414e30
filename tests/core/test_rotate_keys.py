from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from residents.models import Resident
from tests import factories

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_with_the_new_key_and_keeps_lookups(settings, village_a):
    resident = factories.ResidentFactory(village=village_a)
    id_number = resident.id_number
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_field_keys", stdout=StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    assert Resident.objects.get(pk=resident.pk).id_number == id_number
    assert Resident.objects.by_id_number(id_number).get() == resident
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM residents_resident WHERE id = %s", [resident.pk])
        token = cursor.fetchone()[0]
    assert Fernet(new_key).decrypt(token.encode()).decode() == id_number
