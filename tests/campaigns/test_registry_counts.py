"""The registry's lists and the households API read their totals from the coverage counters (issue 13).

A town's police see 50,000 households: counting them (or the visited ones, an EXISTS per household) was most of
the households API's time. The counters kept by the writes know the totals; the API's ``count`` stays exact, the
same as a count of the rows and as a recount of the counters, whatever the filter; only a search is counted.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.counters import coverage_recount
from residents.filters import HouseholdFilter
from residents.models import Household
from tests import factories

from .factories import DoorVisitFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"visited": "true"},
    {"visited": "false"},
    {"village": "VA"},
    {"village": "VB", "visited": "false"},
    {"grid": "VA-01"},
    {"grid": "VA-01", "visited": "true"},
    {"village": "NOPE"},
]


def town_with_visits(village_a, grid_a1, village_b, *, households: int):
    """``households`` in each of grid VA-01, village A without a grid and village B: every third one reached, every
    fifth one visited with nobody at home."""
    made = []
    for n in range(households):
        for village, grid in ((village_a, grid_a1), (village_a, None), (village_b, None)):
            household = factories.HouseholdFactory(village=village, grid=grid)
            factories.ResidentFactory(household=household)
            if n % 3 == 0:
                DoorVisitFactory(household=household, someone_home=True)
            if n % 5 == 0:
                DoorVisitFactory(household=household, someone_home=False)
            made.append(household)
    return made


def households_api(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/households/", params)
    assert response.status_code == 200
    return response.json(), queries


@pytest.mark.parametrize("params", FILTERS)
def test_the_households_api_count_is_exact_without_counting_the_households(
    api_as, leader, village_a, grid_a1, village_b, params
):
    town_with_visits(village_a, grid_a1, village_b, households=7)
    data, queries = households_api(api_as(leader), {**params, "page_size": 5})

    rows = HouseholdFilter(params, queryset=Household.objects.for_user(leader)).qs
    assert data["count"] == rows.count()
    assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "residents_household" in q["sql"]]
    assert not coverage_recount(check=True)  # the counters agree with a recount


def test_a_search_is_still_counted(api_as, leader, village_a, grid_a1, village_b):
    households = town_with_visits(village_a, grid_a1, village_b, households=2)
    data, queries = households_api(api_as(leader), {"q": households[0].address})

    assert data["count"] == 1
    assert [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "residents_household" in q["sql"]]


def test_the_households_api_runs_the_same_queries_for_few_or_many_households(
    api_as, police, village_a, grid_a1, village_b
):
    client = api_as(police)
    town_with_visits(village_a, grid_a1, village_b, households=2)
    households_api(client, {"visited": "false"})
    _data, few = households_api(client, {"visited": "false"})
    town_with_visits(village_a, grid_a1, village_b, households=12)
    data, many = households_api(client, {"visited": "false"})

    assert len(many) == len(few) <= 5
    assert data["count"] == Household.objects.exclude(door_visits__someone_home=True).count()


def test_the_households_api_lists_by_village_code_whatever_order_the_villages_were_made_in(
    api_as, leader, town, village_a, village_b
):
    """Villages made in their codes' order are read in the (village, address) index's order; a village made later
    with an earlier code still comes first."""
    for village in (village_b, village_a):
        factories.HouseholdFactory(village=village, address="东街2号")
        factories.HouseholdFactory(village=village, address="东街10号")
    client = api_as(leader)

    data, queries = households_api(client, {})
    assert [(row["village"], row["address"]) for row in data["results"]] == [
        ("VA", "东街2号"),
        ("VA", "东街10号"),
        ("VB", "东街2号"),
        ("VB", "东街10号"),
    ]
    page_sql = next(q["sql"] for q in queries if "LIMIT" in q["sql"] and "residents_household" in q["sql"])
    assert 'ORDER BY "residents_household"."village_id" ASC' in page_sql

    earlier = factories.VillageFactory(code="V0", name="前村", parent=town)  # a higher id, an earlier code
    factories.HouseholdFactory(village=earlier, address="西街1号")
    data, _queries = households_api(client, {})
    assert [row["village"] for row in data["results"]] == ["V0", "VA", "VA", "VB", "VB"]


def test_the_registry_lists_show_the_counters_totals(client, police, village_a, grid_a1, village_b):
    town_with_visits(village_a, grid_a1, village_b, households=4)
    factories.ResidentFactory(village=village_b, household=None)  # in no household: counted on its own
    client.force_login(police)

    for name, params, expected in (
        ("residents:household_list", {}, 12),
        ("residents:household_list", {"village": "VB"}, 4),
        ("residents:household_list", {"grid": "VA-01"}, 4),
        ("residents:resident_list", {}, 13),
        ("residents:resident_list", {"village": "VB"}, 5),
        ("residents:resident_list", {"has_household": "true"}, 12),
        ("residents:resident_list", {"has_household": "false"}, 1),
    ):
        response = client.get(reverse(name), params)
        paginator = response.context["page"].paginator
        assert paginator.count == expected == paginator.object_list.count(), (name, params)


@pytest.mark.parametrize("show", ["todo", "visited", "all"])
def test_the_households_to_visit_count_agrees_with_the_rows(client, police, village_a, grid_a1, village_b, show):
    town_with_visits(village_a, grid_a1, village_b, households=6)
    client.force_login(police)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("campaigns:households"), {"show": show, "grid": "all"})

    paginator = response.context["page"].paginator
    assert paginator.count == paginator.object_list.count() and not paginator.capped
    assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "residents_household" in q["sql"]]


def test_a_search_of_the_households_to_visit_is_counted_up_to_the_cap(
    client, police, village_a, grid_a1, village_b, monkeypatch
):
    monkeypatch.setattr("core.pagination.LIST_COUNT_CAP", 5)
    town_with_visits(village_a, grid_a1, village_b, households=4)
    client.force_login(police)

    response = client.get(reverse("campaigns:households"), {"show": "all", "grid": "all", "q": "号"})

    assert response.context["page"].paginator.capped
    assert "超过 5 户" in response.text  # "More than 5 households"
