"""The year's target: the arithmetic against hand-counted fixtures, and the dashboard's panel."""

import datetime
from decimal import Decimal

import pytest

from assessment import report_services, targets
from core import periods

from .factories import FraudCaseFactory, YearTargetFactory

pytestmark = pytest.mark.django_db


def at(text):
    return datetime.datetime.fromisoformat(text)


def test_a_target_is_the_year_before_times_the_change():
    assert targets.target_of(10, Decimal("-20")) == Decimal("8.0")
    assert targets.target_of(3, Decimal("-20")) == Decimal("2.4")
    assert targets.target_of(Decimal("12345.67"), Decimal("-20"), targets.TWO_PLACES) == Decimal("9876.54")
    assert targets.target_of(0, Decimal("-20")) == Decimal("0.0")
    assert targets.target_of(5, None) is None


def test_the_change_is_unknown_when_there_was_nothing_a_year_earlier():
    assert targets.change_percent(8, 10) == Decimal("-20.0")
    assert targets.change_percent(4, 3) == Decimal("33.3")
    assert targets.change_percent(1, 0) is None
    assert targets.change_percent(0, 0) is None


def test_the_same_period_a_year_earlier():
    assert targets.year_earlier(periods.parse_period("2028-02")).key == "2027-02"
    assert targets.year_earlier(periods.parse_period("2028-Q1")).key == "2027-Q1"
    assert targets.year_earlier(periods.parse_period("2028")).key == "2027"


@pytest.fixture
def cases(village_a, village_b):
    """Hand-counted: February 2027 5 cases (¥1,000 each); February 2028 4 cases, one on the leap day (¥500 each);
    March 2027 none, March 2028 one (¥2,000); January: 2 cases each year (¥1,000 each)."""
    for day in ("2027-02-01", "2027-02-10", "2027-02-20", "2027-02-28", "2027-02-28"):
        FraudCaseFactory(village=village_a, reported_at=at(f"{day}T10:00+08:00"))
    for day in ("2028-02-01", "2028-02-10", "2028-02-28", "2028-02-29"):
        FraudCaseFactory(village=village_b, reported_at=at(f"{day}T23:30+08:00"), loss_amount=Decimal("500"))
    FraudCaseFactory(village=village_a, reported_at=at("2028-03-01T00:10+08:00"), loss_amount=Decimal("2000"))
    for day in ("2027-01-05", "2027-01-06", "2028-01-05", "2028-01-06"):
        FraudCaseFactory(village=village_a, reported_at=at(f"{day}T10:00+08:00"))


def test_months_against_the_year_before_and_the_target(leader, town, cases):
    YearTargetFactory(unit=town, year=2028, cases_change=Decimal("-20"), loss_change=Decimal("-20"))
    found = targets.progress(user=leader, period=periods.parse_period("2028-03"), today=datetime.date(2028, 4, 15))

    january, february, march = found.months
    assert (january.cases, january.cases_prev, january.cases_target) == (2, 2, Decimal("1.6"))
    assert january.cases_missed and january.cases_change == Decimal("0.0")
    assert (february.cases, february.cases_prev, february.cases_target) == (4, 5, Decimal("4.0"))
    assert february.cases_change == Decimal("-20.0") and not february.cases_missed  # the leap day counted
    assert (february.loss, february.loss_prev, february.loss_target) == (
        Decimal("2000.00"),
        Decimal("5000.00"),
        Decimal("4000.00"),
    )
    assert not february.missed
    assert (march.cases, march.cases_prev, march.cases_target, march.cases_change) == (1, 0, Decimal("0.0"), None)
    assert march.missed and march.loss_change is None
    assert [month.key for month in found.missed_months] == ["2028-01", "2028-03"]
    assert found.period.key == "2028-03" and found.period.cases == 1
    ytd = found.year_to_date
    assert (ytd.cases, ytd.cases_prev, ytd.cases_target) == (7, 7, Decimal("5.6"))
    assert (ytd.loss, ytd.loss_prev) == (Decimal("6000.00"), Decimal("7000.00"))
    assert ytd.loss_change == Decimal("-14.3")


def test_a_quarter_sums_its_months_and_without_a_target_nothing_is_missed(leader, cases):
    found = targets.progress(user=leader, period=periods.parse_period("2028-Q1"), today=datetime.date(2028, 4, 15))
    assert found.target is None
    assert (found.period.cases, found.period.cases_prev) == (7, 7)
    assert found.period.cases_target is None and found.missed_months == []


def test_the_year_in_progress_stops_at_today(leader, cases):
    found = targets.progress(user=leader, period=periods.parse_period("2028"), today=datetime.date(2028, 2, 29))
    assert [month.key for month in found.months] == ["2028-01", "2028-02"]
    assert found.period.cases == 6


def test_leadership_sets_the_target_and_the_dashboard_shows_the_missed_months(client, leader, town, cases):
    client.force_login(leader)
    response = client.post(
        "/assessment/targets/", {"year": 2028, "cases_change": "-20", "loss_change": "-15"}, follow=True
    )
    assert response.status_code == 200
    target = targets.target_for(leader, 2028)
    assert (target.cases_change, target.loss_change, target.set_by) == (Decimal("-20"), Decimal("-15"), leader)
    report_services.year_target_set(
        actor=leader, town=town, year=2028, cases_change=Decimal("-10"), loss_change=Decimal("-10")
    )
    assert targets.target_for(leader, 2028).cases_change == Decimal("-10")  # one per town and year

    page = client.get("/assessment/?period=2028-03").content.decode()
    assert 'data-testid="target-panel"' in page
    assert "2028-01" in page and "2028-03" in page


def test_only_leadership_sets_the_target(client, grid_a, head_a, police, town):
    for user in (grid_a, head_a, police):
        client.force_login(user)
        assert client.get("/assessment/targets/").status_code == 404
        assert client.post("/assessment/targets/", {"year": 2028, "cases_change": "-20"}).status_code == 404
