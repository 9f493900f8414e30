"""Registering households and residents: one person, one record; sensitive numbers encrypted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.validators import make_id_number
from residents import services
from residents.models import Resident, ResidentSource
from tests import factories

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", __import__("datetime").date(1955, 3, 14), 123)


def test_register_a_resident_derives_birth_date_and_gender(village_a):
    resident = services.resident_create(name="李四", id_number=ID.lower(), village=village_a, phone="+86 138-0013-8000")
    assert resident.birth_date.isoformat() == "1955-03-14"
    assert resident.gender in {"male", "female"}
    assert resident.phone == "13800138000"
    assert resident.masked_phone == "138****8000"
    assert resident.masked_id_number == ID[:6] + "********" + ID[-4:]


def test_the_same_id_number_cannot_create_two_residents(village_a, village_b):
    services.resident_create(name="李四", id_number=ID, village=village_a)
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(name="李四", id_number=ID, village=village_b)
    assert "id_number" in excinfo.value.message_dict
    assert Resident.objects.count() == 1


def test_find_by_id_number_uses_the_keyed_hash(village_a):
    resident = services.resident_create(name="李四", id_number=ID, village=village_a)
    assert list(Resident.objects.by_id_number(ID)) == [resident]


def test_raw_sql_shows_no_plain_id_or_phone_numbers(village_a):
    household = services.household_create(village=village_a, address="幸福路1号", contact_phone="13912345678")
    services.resident_create(name="李四", id_number=ID, household=household, phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM residents_resident")
        resident_rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM residents_household")
        household_rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM residents_historicalresident")
        history_rows = repr(cursor.fetchall())
    for dump in (resident_rows, household_rows, history_rows):
        assert ID not in dump and ID[:14] not in dump
        assert "13800138000" not in dump and "13912345678" not in dump


def test_a_grid_must_belong_to_the_village(village_a, grid_b1):
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(village=village_a, address="幸福路1号", grid=grid_b1)
    assert "grid" in excinfo.value.message_dict


def test_forged_village_outside_scope_is_refused(grid_a, village_b):
    with pytest.raises(ValidationError):
        services.household_create(village=village_b, address="幸福路1号", user=grid_a)


def test_a_person_warned_first_is_linked_not_duplicated(village_a):
    warned = services.resident_get_or_create_for_warning(name="王五", id_number=ID, village=village_a)
    assert warned.source == ResidentSource.WARNING
    again = services.resident_get_or_create_for_warning(
        name="王五", id_number=ID, village=village_a, phone="13800138000"
    )
    assert again.pk == warned.pk
    assert again.phone == "13800138000"


def test_moving_a_household_moves_its_members(village_a, village_b):
    household = factories.HouseholdFactory(village=village_a)
    member = factories.ResidentFactory(household=household)
    services.household_update(household=household, village=village_b)
    member.refresh_from_db()
    assert member.village == village_b


def test_invalid_id_number_is_refused_with_a_message(village_a):
    with pytest.raises(ValidationError):
        services.resident_create(name="李四", id_number=ID[:-1] + ("0" if ID[-1] != "0" else "1"), village=village_a)


def test_a_warned_person_with_a_bad_phone_is_an_input_error(village_a):
    with pytest.raises(ValidationError) as excinfo:
        services.resident_get_or_create_for_warning(name="王五", id_number=ID, village=village_a, phone="12345")
    assert "phone" in str(excinfo.value) or excinfo.value.messages
    assert not Resident.objects.exists()
