"""seed_demo's registry: every demo village gets a few hundred households with believable residents."""

import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.validators import normalize_id_number
from demo import residents as demo
from demo.management.commands.seed_demo import SEEDERS
from demo.organization import TOWN, VILLAGES, seed_organization
from organization.models import Unit, UnitKind
from residents.models import Household, Resident, ResidentTag, id_number_hash


@pytest.fixture
def seeded(db):
    seed_organization()
    return demo.seed_registry()


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def test_seed_demo_twice_gives_the_same_counts_and_restores_deleted_rows(db, settings):
    assert SEEDERS.index("demo.residents.seed_registry") > SEEDERS.index("demo.organization.seed_organization")
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    in_town = {"village__parent__code": TOWN[0]}  # the demo town's (demo.second_town adds a few of its own)
    households, residents = Household.objects.filter(**in_town).count(), Resident.objects.filter(**in_town).count()
    assert f"demo.residents.seed_registry: households={households}, residents={residents}," in out.getvalue()
    assert residents > households > 0
    hashes = set(Resident.objects.values_list("id_number_hash", flat=True))

    again = demo.seed_registry()
    counts = {"households": households, "residents": residents}
    assert again == {**counts, "created_households": 0, "created_residents": 0}
    assert (Household.objects.filter(**in_town).count(), Resident.objects.filter(**in_town).count()) == (
        households,
        residents,
    )

    # The same people come back, with the same ID numbers: generation is deterministic.
    # (a household nobody has visited yet: visits and pledges keep their households on file)
    household = Household.objects.filter(door_visits__isnull=True).exclude(members__pledge__isnull=False)
    household = household.order_by("pk")[17]
    members = household.members.count()
    household.members.all().delete()
    household.delete()
    restored = demo.seed_registry()
    assert restored == {**counts, "created_households": 1, "created_residents": members}
    assert set(Resident.objects.values_list("id_number_hash", flat=True)) == hashes


def test_every_village_and_grid_has_households_with_valid_residents(seeded):
    today = timezone.localdate()
    villages = Unit.objects.filter(kind=UnitKind.VILLAGE, code__in=[TOWN[0] + row[0] for row in VILLAGES])
    assert villages.count() == len(VILLAGES)
    for village in villages:
        households = Household.objects.filter(village=village).with_member_count()
        assert 150 <= households.count() <= 300, village.name
        assert all(h.address.startswith(village.name) and h.address.endswith("号") for h in households)
        assert all(1 <= h.member_count <= 5 for h in households)
        grids = set(village.children.filter(kind=UnitKind.GRID).values_list("pk", flat=True))
        assert set(households.values_list("grid", flat=True)) == grids  # spread across every grid

    residents = list(Resident.objects.all())
    numbers = [r.id_number for r in residents]
    assert len(set(numbers)) == len(numbers)
    for resident in residents:
        assert normalize_id_number(resident.id_number) == resident.id_number
        assert resident.id_number.startswith("440605")
        assert resident.id_number_hash == id_number_hash(resident.id_number)
        assert resident.birth_date.strftime("%Y%m%d") == resident.id_number[6:14]
        assert resident.household_id is not None
        assert 2 <= len(resident.name) <= 3
        age = _age(resident.birth_date, today)
        assert resident.is_elderly == (age >= 60)
        assert resident.is_student == (6 <= age <= 22)
        if resident.is_finance_staff:
            assert 23 <= age <= 55

    ages = [_age(r.birth_date, today) for r in residents]
    assert min(ages) < 6
    assert max(ages) >= 80
    tags = Counter(tag for r in residents for tag in r.tags)
    assert set(tags) == set(ResidentTag.values)
    assert tags["elderly"] > len(residents) * 0.1
    assert tags["student"] > len(residents) * 0.1
    assert all(count >= 20 for count in tags.values()), tags
    assert sum(1 for r in residents if r.phone) > len(residents) / 2
    assert Counter(r.gender for r in residents).keys() == {"male", "female"}
    # Heads of household carry the contact phone.
    assert Household.objects.exclude(contact_phone_hash="").count() > Household.objects.count() / 2


def test_generated_households_are_deterministic():
    one, two = random.Random("x"), random.Random("x")
    first = [demo._household_people(one) for _ in range(50)]
    second = [demo._household_people(two) for _ in range(50)]
    assert first == second
    assert {len(people) for people in first} == {1, 2, 3, 4, 5}
    assert all(people[0].relation == "户主" for people in first)


def test_id_numbers_never_collide_within_a_run():
    used = set()
    rng = random.Random(1)
    birth = demo.REFERENCE_DATE.replace(year=1970)
    numbers = [demo._id_number(rng, birth, "male", used) for _ in range(400)]
    assert len(set(numbers)) == 400
    assert all(int(number[16]) % 2 == 1 for number in numbers)  # men have an odd sequence digit
