"""seed_scale: a synthetic county on top of the demo town, in the demo's proportions (PostgreSQL only)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from campaigns.models import DoorVisit, Pledge
from core.validators import validate_id_number
from demo.organization import seed_organization
from fraud_cases.models import FraudCase
from organization.models import Unit, UnitKind, User
from residents.models import Household, Resident
from schools.models import Student
from warnings_followup.models import FollowUpVisit, WarningOrder

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale writes with PostgreSQL COPY"),
]

RESIDENTS, TOWNS = 3_000, 2


def scale(**options):
    call_command("seed_scale", residents=RESIDENTS, towns=TOWNS, force=True, stdout=io.StringIO(), **options)


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "warnings": WarningOrder.objects.count(),
        "visits": FollowUpVisit.objects.count(),
        "door_visits": DoorVisit.objects.count(),
        "pledges": Pledge.objects.count(),
        "cases": FraudCase.objects.count(),
        "students": Student.objects.count(),
    }


@pytest.fixture
def scaled(db):
    seed_organization()  # the demo town, its units and the demo accounts
    scale()
    return Unit.objects.get(code="440605124"), Unit.objects.get(code="440605125")


def test_it_refuses_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    seed_organization()
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale", residents=100)


def test_it_needs_the_demo_town(db):
    with pytest.raises(CommandError, match="seed_demo"):
        scale()


def test_the_county_holds_the_demo_town_and_a_town_of_the_same_shape(scaled):
    demo_town, second = scaled
    county = demo_town.parent
    assert county.kind == UnitKind.COUNTY and second.parent == county
    assert demo_town.path == "/440605/440605124/" and Unit.objects.get(code="440605124001").path.startswith(
        demo_town.path
    )
    for town in scaled:
        residents = Resident.objects.filter(village__parent=town).count()
        assert RESIDENTS // TOWNS <= residents < RESIDENTS // TOWNS + 8 * 6  # whole households, eight villages
        kinds = set(Unit.objects.filter(parent=town).values_list("kind", flat=True))
        assert {UnitKind.VILLAGE, UnitKind.POLICE_STATION, UnitKind.SCHOOL, UnitKind.DEPARTMENT} <= kinds
        assert Unit.objects.filter(parent__parent=town, kind=UnitKind.GRID).count() >= 8


def test_the_rows_come_in_the_demos_proportions(scaled):
    total = counts()
    assert 2.8 < total["residents"] / total["households"] < 3.6  # the demo's 3.22 people a household
    assert 0.05 < total["warnings"] / total["residents"] < 0.09  # 5.9 per 1,000 a month, over a year
    assert 5 < total["visits"] / total["warnings"] < 12  # every three days over a month, fewer for recent ones
    households = Household.objects.filter(address__endswith="房").count()
    assert 0.3 < DoorVisit.objects.filter(someone_home=True).count() / households < 0.8
    assert 0.1 < total["pledges"] / total["residents"] < 0.5
    assert 0.015 < FraudCase.objects.filter(warning__isnull=True).count() / total["residents"] < 0.03
    assert (
        FraudCase.objects.filter(warning__status="defrauded").count()
        == WarningOrder.objects.filter(status="defrauded").count()
    )
    assert 0.03 < total["students"] / total["residents"] < 0.15
    # Grids of at most about 300 households.
    biggest = Household.objects.values("grid").annotate(n=Count("pk")).order_by("-n").first()
    assert biggest["n"] <= 310


def test_id_numbers_are_valid_unique_encrypted_and_found_by_their_blind_index(scaled):
    stored = list(Resident.objects.filter(household__address__endswith="房").order_by("pk")[:200])
    for resident in stored:
        validate_id_number(resident.id_number)
        assert Resident.objects.by_id_number(resident.id_number).get() == resident
        assert resident.birth_date.strftime("%Y%m%d") == resident.id_number[6:14]
        assert int(resident.id_number[16]) % 2 == (1 if resident.gender == "male" else 0)
        if resident.phone:
            assert resident.phone[0] == "1" and len(resident.phone) == 11
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM residents_resident WHERE id = %s", [stored[0].pk])
        token, _phone = cursor.fetchone()
    assert stored[0].id_number not in token  # stored as a Fernet token
    assert Resident.objects.values("id_number_hash").distinct().count() == Resident.objects.count()
    student = Student.objects.order_by("pk").last()
    assert Resident.objects.by_id_number(student.id_number).exists()


def test_the_demo_accounts_see_their_share(scaled):
    demo_town, second = scaled
    leader, police, head_a = (User.objects.get(username=name) for name in ("leader", "police", "head_a"))
    in_town = Resident.objects.filter(village__parent=demo_town).count()
    assert Resident.objects.for_user(leader).count() == in_town
    assert Resident.objects.for_user(police).count() == in_town
    assert (
        WarningOrder.objects.for_user(leader).count()
        == WarningOrder.objects.filter(village__parent=demo_town).count()
        > 0
    )
    village = Unit.objects.get(code="440605124001")
    assert Resident.objects.for_user(head_a).count() == Resident.objects.filter(village=village).count() > 0
    assert not Resident.objects.for_user(leader).filter(village__parent=second).exists()
    assert WarningOrder.objects.filter(village=village, visits__visitors__username="grid_a").exists()


def test_a_second_run_adds_nothing_and_a_larger_one_adds_the_difference(scaled):
    before = counts()
    scale()
    assert counts() == before
    call_command("seed_scale", residents=4_000, towns=TOWNS, force=True, stdout=io.StringIO())
    after = counts()
    assert before["residents"] + 900 < after["residents"] < before["residents"] + 1_100
    assert after["warnings"] > before["warnings"]


def test_another_seed_is_refused(scaled):
    with pytest.raises(CommandError, match="--seed 2026"):
        scale(seed=7)


def test_it_refuses_politely_on_another_database(db, monkeypatch):
    seed_organization()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        scale()
