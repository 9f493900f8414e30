"""Coverage numbers against a hand-counted fixture: per grid, village and town, weeks in Beijing time."""

import datetime
import zoneinfo

import pytest

from campaigns.coverage import (
    coverage_by_unit,
    coverage_for,
    coverage_rate,
    households_not_visited,
    week_start,
    weekly_series,
)
from tests.factories import GridFactory, HouseholdFactory, ResidentFactory

from .factories import DoorVisitFactory, PledgeFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Wednesday 25 November 2026, noon in Luocun. The week began on Monday the 23rd at 00:00 (Sunday 16:00 UTC).
AS_OF = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def at(day, hour=10, minute=0):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def town_with_visits(village_a, village_b, grid_a1, grid_b1):
    """Seven households, twelve residents; counted by hand below.

    VA-01: h1 (3 people), h2 (2), h3 (1)   VA-02: h4 (2)   VA without grid: h5 (1)   VB-01: h6 (2), h7 (1)
    """
    grid_a2 = GridFactory(code="VA-02", parent=village_a)
    sizes = {"h1": (grid_a1, 3), "h2": (grid_a1, 2), "h3": (grid_a1, 1), "h4": (grid_a2, 2), "h5": (None, 1)}
    sizes |= {"h6": (grid_b1, 2), "h7": (grid_b1, 1)}
    households = {}
    for key, (grid, size) in sizes.items():
        village = grid.parent if grid else village_a
        household = HouseholdFactory(village=village, grid=grid, address=f"{key}号")
        household.people = [ResidentFactory(household=household) for _ in range(size)]
        households[key] = household
    h = households

    # h1: reached two weeks ago with the app installed, and again this week: counts once.
    first = DoorVisitFactory(household=h["h1"], visited_at=at(10), app_installed=True)
    DoorVisitFactory(household=h["h1"], visited_at=at(24))
    PledgeFactory(visit=first, resident=h["h1"].people[0], signed_at=at(10, 10, 5))
    PledgeFactory(visit=first, resident=h["h1"].people[1], signed_at=at(10, 10, 6))
    # h2: nobody at home, Monday 00:30 (still Sunday in UTC): a visit this week, but not visited.
    DoorVisitFactory(household=h["h2"], visited_at=at(23, 0, 30), someone_home=False)
    # h3: nobody at home, Sunday 23:30: last week.
    DoorVisitFactory(household=h["h3"], visited_at=at(22, 23, 30), someone_home=False)
    # h4: reached this Tuesday, app installed, one pledge.
    visit4 = DoorVisitFactory(household=h["h4"], visited_at=at(24, 15), app_installed=True)
    PledgeFactory(visit=visit4, resident=h["h4"].people[0], signed_at=at(24, 15, 10))
    # h6: reached last week, one pledge; h7: reached tomorrow (after as_of), with a pledge: not counted.
    visit6 = DoorVisitFactory(household=h["h6"], visited_at=at(18))
    PledgeFactory(visit=visit6, resident=h["h6"].people[0], signed_at=at(18, 10, 30))
    visit7 = DoorVisitFactory(household=h["h7"], visited_at=at(26), app_installed=True)
    PledgeFactory(visit=visit7, resident=h["h7"].people[0], signed_at=at(26, 10, 5))
    # A resident with a pledge but no household (warned by the police, not registered) counts nowhere.
    PledgeFactory(resident=ResidentFactory(village=village_a), signed_at=at(20))
    households["grid_a2"] = grid_a2
    return households


def figures(coverage):
    return coverage.as_dict()


def test_coverage_of_grids_villages_and_town_matches_the_hand_count(
    town_with_visits, town, village_a, village_b, grid_a1, grid_b1, django_assert_max_num_queries
):
    grid_a2 = town_with_visits["grid_a2"]
    units = [grid_a1, grid_a2, grid_b1, village_a, village_b, town]
    with django_assert_max_num_queries(9):
        result = coverage_by_unit(units, as_of=AS_OF)

    assert figures(result[grid_a1.pk]) == {
        "households": 3,
        "households_visited": 1,
        "residents": 6,
        "residents_pledged": 2,
        "app_installs": 1,
        "visits_this_week": 2,
    }
    assert figures(result[grid_a2.pk]) == {
        "households": 1,
        "households_visited": 1,
        "residents": 2,
        "residents_pledged": 1,
        "app_installs": 1,
        "visits_this_week": 1,
    }
    assert figures(result[village_a.pk]) == {
        "households": 5,
        "households_visited": 2,
        "residents": 9,
        "residents_pledged": 3,
        "app_installs": 2,
        "visits_this_week": 3,
    }
    assert (
        figures(result[grid_b1.pk])
        == figures(result[village_b.pk])
        == {
            "households": 2,
            "households_visited": 1,
            "residents": 3,
            "residents_pledged": 1,
            "app_installs": 0,
            "visits_this_week": 0,
        }
    )
    assert figures(result[town.pk]) == {
        "households": 7,
        "households_visited": 3,
        "residents": 12,
        "residents_pledged": 4,
        "app_installs": 2,
        "visits_this_week": 3,
    }
    assert result[village_a.pk].coverage_rate == pytest.approx(2 / 5)
    assert coverage_rate(result[town.pk]) == pytest.approx(3 / 7)
    assert coverage_rate(0, 0) == 0.0


def test_later_visits_count_once_time_has_passed(town_with_visits, town, village_b):
    later = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)  # the next Monday
    assert coverage_for(village_b, as_of=later).households_visited == 2
    totals = coverage_for(town, as_of=later)
    assert (totals.households_visited, totals.residents_pledged, totals.app_installs) == (4, 5, 3)
    assert totals.visits_this_week == 0


def test_the_number_of_queries_does_not_grow_with_households(
    town_with_visits, town, village_a, grid_a1, django_assert_max_num_queries
):
    for number in range(30):
        household = HouseholdFactory(village=village_a, grid=grid_a1, address=f"新村{number}号")
        DoorVisitFactory(household=household, visited_at=at(24), someone_home=number % 2 == 0)
    with django_assert_max_num_queries(9):
        result = coverage_by_unit([town, village_a, grid_a1], as_of=AS_OF)
    assert result[grid_a1.pk].households == 33
    assert result[grid_a1.pk].households_visited == 16
    assert result[town.pk].households_visited == 18


def test_empty_units_have_zero_rates(town, village_a):
    coverage = coverage_for(village_a, as_of=AS_OF)
    assert coverage.households == 0
    assert coverage.coverage_rate == coverage.pledge_rate == coverage.app_install_rate == 0.0


def test_week_starts_on_monday_at_midnight_in_shanghai():
    assert week_start(AS_OF) == datetime.datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    assert week_start(at(23, 0, 0)) == datetime.datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    assert week_start(at(22, 23, 59)) == datetime.datetime(2026, 11, 16, 0, 0, tzinfo=SHANGHAI)


def test_households_not_yet_visited_include_the_not_at_home_ones(town_with_visits, grid_a1, village_a, grid_a):
    h = town_with_visits
    assert set(households_not_visited(grid_a1)) == {h["h2"], h["h3"]}
    assert set(households_not_visited(village_a, user=grid_a)) == {h["h2"], h["h3"], h["h5"]}


def test_not_yet_visited_is_scoped_to_the_user(town_with_visits, village_b, grid_a):
    assert list(households_not_visited(village_b, user=grid_a)) == []


def test_weekly_series_is_cumulative_by_week(town_with_visits, town, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        series = weekly_series(town, as_of=AS_OF, weeks=4)
    assert series.weeks == [datetime.date(2026, 11, d) for d in (2, 9, 16, 23)]
    # h1 on the 10th; h6 on the 18th; h4 on the 24th (h7 is after as_of).
    assert series.households_visited == [0, 1, 2, 3]
    # Two pledges on the 10th, one on the 18th, one on the 24th; the unregistered resident is not counted.
    assert series.residents_pledged == [0, 2, 3, 4]
    assert series.visits == [0, 1, 2, 3]
