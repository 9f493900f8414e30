"""The indicators' cached figures (assessment.figures): a closed month's report is read from the cache, and every
write that changes it — a case, a warning's outcome, a follow-up visit, a callback, an inspection, a door visit —
makes the next report count again."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from assessment import figures, indicators
from core.periods import parse_period
from tests.campaigns.factories import DoorVisitFactory
from tests.factories import FollowUpVisitFactory, HouseholdFactory, VillageFactory, WarningFactory
from warnings_followup.models import WarningStatus

from .factories import CallbackFactory, FraudCaseFactory, InspectionFactory

TODAY = datetime.date(2026, 6, 10)  # March is closed and settled (its windows ended in April)
MARCH = parse_period("2026-03")


def at(text):
    return datetime.datetime.fromisoformat(text)


def rows(user, period=MARCH, today=TODAY):
    return {row.unit.code: row for row in indicators.indicator_report(user=user, period=period, today=today).rows}


@pytest.fixture
def march(village_a, village_b):
    village_a.population, village_b.population = 10_000, 10_000
    village_a.save(), village_b.save()
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-05T10:00+08:00"), loss_amount=Decimal("100"))
    return village_a, village_b


def test_a_closed_month_is_read_from_the_cache(leader, march, django_assert_max_num_queries):
    first = rows(leader)
    with django_assert_max_num_queries(6):  # villages, epoch, weights, the coverage of March's end: cached too
        again = rows(leader)
    assert again["VA"].cases == first["VA"].cases == 1


def test_a_case_added_to_a_closed_month_changes_its_report(leader, march, village_a):
    assert rows(leader)["VA"].cases == 1
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-20T10:00+08:00"), loss_amount=Decimal("50"))
    found = rows(leader)["VA"]
    assert (found.cases, found.loss) == (2, Decimal("150"))
    assert rows(leader, period=parse_period("2026"))["VA"].cases == 2  # the year is the sum of its months


def test_a_case_moved_to_another_month_leaves_both_months_right(leader, march, village_a):
    case = village_a.fraud_cases.get()
    assert (rows(leader)["VA"].cases, rows(leader, period=parse_period("2026-04"))["VA"].cases) == (1, 0)
    case.reported_at = at("2026-04-02T10:00+08:00")
    case.save()
    assert (rows(leader)["VA"].cases, rows(leader, period=parse_period("2026-04"))["VA"].cases) == (0, 1)


def test_a_deleted_case_leaves_the_report(leader, march, village_a):
    assert rows(leader)["VA"].cases == 1
    village_a.fraud_cases.get().delete()
    assert rows(leader)["VA"].cases == 0


def test_an_outcome_and_a_visit_of_a_closed_months_warning_change_its_report(leader, march, village_b):
    warning = WarningFactory(village=village_b, pushed_at=at("2026-03-02T10:00+08:00"))
    before = rows(leader)["VB"]
    assert (before.dissuaded, before.decided, before.on_time) == (0, 0, 0)
    warning.status = WarningStatus.DISSUADED
    warning.save()
    FollowUpVisitFactory(warning=warning, visited_at=at("2026-03-04T10:00+08:00"))
    after = rows(leader)["VB"]
    assert (after.dissuaded, after.decided, after.on_time) == (1, 1, 1)


def test_a_callback_and_an_inspection_change_their_months_report(leader, march, village_b):
    assert rows(leader)["VB"].inspection_score is None
    InspectionFactory(unit=village_b, inspected_on=datetime.date(2026, 3, 9), score=Decimal("80"))
    InspectionFactory(unit=village_b, inspected_on=datetime.date(2026, 3, 19), score=Decimal("85"))
    assert rows(leader)["VB"].inspection_score == Decimal("82.5")
    CallbackFactory(case=FraudCaseFactory(village=village_b), status="done", reached=True, educated=False)
    assert rows(leader)["VB"].not_educated == 1


def test_a_door_visit_changes_the_coverage_of_a_closed_month(leader, march, village_b):
    household = HouseholdFactory(village=village_b)
    assert (rows(leader)["VB"].households, rows(leader)["VB"].households_visited) == (1, 0)
    DoorVisitFactory(household=household, visited_at=at("2026-03-10T10:00+08:00"))
    assert rows(leader)["VB"].households_visited == 1


def test_a_month_whose_windows_run_counts_again_each_day(leader, village_b):
    """A warning pushed on 30 May, never visited: its missed due date counts from the day it passed."""
    WarningFactory(village=village_b, pushed_at=at("2026-05-30T10:00+08:00"), status=WarningStatus.FOLLOWING_UP)
    may = parse_period("2026-05")
    assert rows(leader, period=may, today=datetime.date(2026, 6, 1))["VB"].due == 0
    assert rows(leader, period=may, today=datetime.date(2026, 6, 10))["VB"].due == 1


def test_writes_without_signals_show_after_invalidate_all(leader, march, village_a):
    """seed_scale writes with COPY (no signal) and then drops every cached figure: a new epoch."""
    from fraud_cases.models import FraudCase

    assert rows(leader)["VA"].cases == 1
    FraudCase.objects.bulk_create([FraudCaseFactory.build(village=village_a, reported_at=at("2026-03-07T10:00+08:00"))])
    assert rows(leader)["VA"].cases == 1  # no signal: the cached figures still answer
    figures.invalidate_all()
    assert rows(leader)["VA"].cases == 2


def test_figures_survive_a_version_the_cache_lost(leader, march, village_a):
    assert rows(leader)["VA"].cases == 1
    cache.delete(figures._version_key(datetime.date(2026, 3, 1)))  # evicted: starts again from a new value
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-21T10:00+08:00"))
    assert rows(leader)["VA"].cases == 2


def test_a_new_village_is_compared_at_once(leader, march, town):
    assert "VN" not in rows(leader)
    VillageFactory(code="VN", parent=town, population=500)
    assert rows(leader)["VN"].cases == 0


def test_a_door_visit_recorded_now_keeps_a_closed_months_coverage_cached(
    leader, march, village_b, django_assert_max_num_queries
):
    household = HouseholdFactory(village=village_b)
    rows(leader)
    DoorVisitFactory(household=household)  # today: no closed period counts it
    with django_assert_max_num_queries(6):
        assert rows(leader)["VB"].households_visited == 0


# --- Live reports (figures.live): the warnings as they are now ------------------------------------------


def test_the_dashboard_pipeline_is_cached_until_a_warning_is_written(leader, village_a, django_assert_num_queries):
    from assessment.dashboard import pipeline

    today = datetime.date.today()
    WarningFactory(village=village_a, status=WarningStatus.FOLLOWING_UP)
    assert pipeline(user=leader, today=today)["open"] == 1
    with django_assert_num_queries(1):  # the epoch; the grouped count over every warning is not run
        assert pipeline(user=leader, today=today)["open"] == 1

    warning = WarningFactory(village=village_a, status=WarningStatus.PUSHED)
    assert pipeline(user=leader, today=today)["open"] == 2
    warning.status = WarningStatus.DISSUADED
    warning.save()
    assert pipeline(user=leader, today=today)["open"] == 1


def test_live_reports_are_per_scope(leader, head_a, village_a, village_b):
    from assessment.dashboard import pipeline

    today = datetime.date.today()
    WarningFactory(village=village_a, status=WarningStatus.FOLLOWING_UP)
    WarningFactory(village=village_b, status=WarningStatus.FOLLOWING_UP)
    WarningFactory(village=village_b, status=WarningStatus.FOLLOWING_UP)
    assert pipeline(user=leader, today=today)["open"] == 3
    assert pipeline(user=head_a, today=today)["open"] == 1
    assert figures.user_scope_key(head_a) != figures.user_scope_key(leader)
