"""seed_demo's door-knocking: visits and pledges in every demo village, at different paces, idempotent."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.coverage import coverage_by_unit
from campaigns.models import DoorVisit, Pledge, PoliceContact, PrintMaterial
from demo import campaigns as demo
from demo.management.commands.seed_demo import SEEDERS
from demo.organization import TOWN, VILLAGES, seed_organization
from demo.residents import seed_registry
from organization.models import Unit, UnitKind, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo town with its registry, seeded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_organization()
        seed_registry()
        started = time.monotonic()
        counts = demo.seed()
        counts["seconds"] = time.monotonic() - started
        yield counts
        transaction.set_rollback(True)


def test_the_seeder_runs_after_the_registry_and_the_warnings():
    assert SEEDERS.index("demo.campaigns.seed") > SEEDERS.index("demo.warnings_followup.seed_warnings")


def test_seeding_twice_creates_nothing(seeded):
    assert seeded["created_visits"] == seeded["visits"] > 0
    assert seeded["created_pledges"] == seeded["pledges"] > 0
    assert seeded["seconds"] < 20
    again = demo.seed()
    assert again["created_visits"] == again["created_pledges"] == again["created_contacts"] == 0
    assert (again["visits"], again["pledges"]) == (seeded["visits"], seeded["pledges"])
    assert PoliceContact.objects.count() == len(demo.POLICE_CONTACTS)
    assert PrintMaterial.objects.count() == 3


def test_a_deleted_visit_comes_back_the_same(seeded):
    visit = DoorVisit.objects.filter(someone_home=False).order_by("client_id").first()
    client_id, household, visited_at = visit.client_id, visit.household_id, visit.visited_at
    visit.delete()
    assert demo.seed()["created_visits"] == 1
    again = DoorVisit.objects.get(client_id=client_id)
    assert (again.household_id, again.someone_home) == (household, False)
    assert abs((again.visited_at - visited_at).total_seconds()) < 3600 * 24


def test_every_village_is_partly_covered_at_its_own_pace(seeded):
    codes = [TOWN[0] + row[0] for row in VILLAGES]
    villages = list(Unit.objects.filter(code__in=codes, kind=UnitKind.VILLAGE).order_by("code"))
    figures = coverage_by_unit(villages)
    rates = [figures[village.pk].coverage_rate for village in villages]
    assert all(0.1 < rate < 0.95 for rate in rates), rates
    assert rates[0] > rates[-1] + 0.3  # 罗村社区 ahead of 塱沙村
    assert len({round(rate, 2) for rate in rates}) == len(rates)
    for village in villages:
        assert figures[village.pk].residents_pledged > 0
        assert figures[village.pk].app_installs > 0
    assert DoorVisit.objects.filter(someone_home=False).exists()


def test_visits_are_by_the_villages_demo_accounts(seeded):
    grid_a = User.objects.get(username="grid_a")
    visits = DoorVisit.objects.filter(household__grid=grid_a.unit)
    assert visits.exists()
    assert not visits.exclude(visitors=grid_a).exists()
    grid_b = User.objects.get(username="grid_b")
    assert not DoorVisit.objects.filter(visitors=grid_b).exclude(household__village=grid_b.unit.parent).exists()


def test_pledges_belong_to_adults_of_the_visited_household(seeded):
    pledge = Pledge.objects.select_related("resident", "visit").order_by("pk").first()
    assert pledge.visit.someone_home
    assert pledge.resident.household_id == pledge.visit.household_id
    assert pledge.signed_at >= pledge.visit.visited_at
    assert pledge.image.name == demo.SIGNATURE_NAME
    assert pledge.image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert not Pledge.objects.filter(signed_at__gt=timezone.now()).exists()
    assert not DoorVisit.objects.filter(visited_at__gt=timezone.now()).exists()
