"""A town's coverage page lists its households not yet visited village by village, each read from its own index
(issue 13): the pages hold exactly the rows of the one query over the town, in its order, and a page costs the
same number of queries however many villages and households the town has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.coverage import NotVisitedByVillage, coverage_for, households_not_visited
from tests.factories import GridFactory, HouseholdFactory, VillageFactory

from .factories import DoorVisitFactory

pytestmark = pytest.mark.django_db
URL = reverse("campaigns:coverage")


def households(village, grid, count, *, prefix, visited_every=0):
    for number in range(count):
        household = HouseholdFactory(village=village, grid=grid, address=f"{prefix}{number:02d}号")
        if visited_every and number % visited_every == 0:
            DoorVisitFactory(household=household)


@pytest.fixture
def busy_town(town, village_a, village_b, grid_a1, grid_b1):
    households(village_a, grid_a1, 23, prefix="东街", visited_every=4)  # 17 not visited
    households(village_b, grid_b1, 9, prefix="南街", visited_every=3)  # 6 not visited
    third = VillageFactory(parent=town)
    households(third, GridFactory(parent=third), 12, prefix="北街")  # 12 not visited
    return town


def test_the_pages_of_a_town_are_the_rows_of_the_town_query_in_order(leader, busy_town):
    expected = [h.pk for h in households_not_visited(busy_town, user=leader)]
    total = coverage_for(busy_town)
    chain = NotVisitedByVillage(busy_town, not_visited=total.not_visited_by_village, user=leader)
    assert chain.count() == len(expected) == total.households_not_visited == 35
    assert [h.pk for h in chain[0:35]] == expected
    # Pages that start and end inside a village, and one that spans three villages.
    for start, stop in [(0, 20), (20, 40), (5, 12), (16, 18), (16, 30), (34, 35), (35, 40)]:
        assert [h.pk for h in chain[start:stop]] == expected[start:stop]
    assert chain[22].pk == expected[22]


def test_leadership_pages_through_every_household_not_visited(client, leader, busy_town):
    client.force_login(leader)
    seen = []
    for number in (1, 2):
        response = client.get(URL, {"unit": busy_town.code, "page": number})
        assert response.status_code == 200
        seen += [h.pk for h in response.context["page"].object_list]
    assert seen == [h.pk for h in households_not_visited(busy_town, user=leader)]
    assert response.context["page"].paginator.count == 35


def test_the_town_page_runs_the_same_queries_for_more_villages_and_households(
    client, leader, busy_town, django_assert_max_num_queries
):
    client.force_login(leader)
    client.get(URL, {"unit": busy_town.code})

    def count(page):
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL, {"unit": busy_town.code, "page": page}).status_code == 200
        return len(context.captured_queries)

    first, second = count(1), count(2)
    for number in range(3):
        village = VillageFactory(parent=busy_town)
        households(village, GridFactory(parent=village), 8, prefix=f"新村{number}-", visited_every=2)
    client.get(URL, {"unit": busy_town.code})  # the scope's unit ids, worked out again after the new villages
    assert (count(1), count(2)) == (first, second)  # page 2 spans five villages now: still one pick, one read
    with django_assert_max_num_queries(12):
        client.get(URL, {"unit": busy_town.code})
