"""The villages' overview counts the whole registry: its counts are cached, and every change shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import Resident
from tests import factories

pytestmark = pytest.mark.django_db


def counts(client, code):
    response = client.get(reverse("residents:village_overview"))
    village = next(row["village"] for row in response.context["rows"] if row["village"].code == code)
    return village.household_count, village.resident_count, village.elderly_count


def test_a_second_view_reads_no_resident_row(client, leader, village_a):
    factories.ResidentFactory(household=factories.HouseholdFactory(village=village_a), is_elderly=True)
    client.force_login(leader)
    assert counts(client, village_a.code) == (1, 1, 1)

    with CaptureQueriesContext(connection) as queries:
        assert counts(client, village_a.code) == (1, 1, 1)

    read = [q["sql"] for q in queries.captured_queries if 'FROM "residents_' in q["sql"] and "MAX(" not in q["sql"]]
    assert read == []  # only the highest ids, part of the cache key


def test_a_resident_registered_moved_or_deleted_shows_at_once(client, leader, village_a):
    household = factories.HouseholdFactory(village=village_a)
    resident = factories.ResidentFactory(household=household)
    client.force_login(leader)
    assert counts(client, village_a.code) == (1, 1, 0)

    resident.is_elderly = True
    resident.save()
    assert counts(client, village_a.code) == (1, 1, 1)

    factories.ResidentFactory(household=household)
    assert counts(client, village_a.code) == (1, 2, 1)

    resident.delete()
    assert counts(client, village_a.code) == (1, 1, 0)


def test_a_bulk_insert_without_signals_shows_at_once(client, leader, village_a):
    """The registry import inserts in bulk (no signal): the highest id is part of the cache key."""
    household = factories.HouseholdFactory(village=village_a)
    client.force_login(leader)
    assert counts(client, village_a.code) == (1, 0, 0)

    template = factories.ResidentFactory.build(household=household, village=village_a, is_elderly=True)
    Resident.objects.bulk_create([template])

    assert counts(client, village_a.code) == (1, 1, 1)
