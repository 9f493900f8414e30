import datetime
from decimal import Decimal

import pytest

from assessment import indicators
from tests.factories import VillageFactory

from .factories import FraudCaseFactory, InspectionFactory

EXISTING_FIELDS = {
    "unit",
    "population",
    "cases",
    "loss",
    "cases_per_10k",
    "defrauded_after_warning",
    "coverage_rate",
    "on_time_rate",
    "dissuasion_rate",
    "score",
    "rank",
}
FIELDS = EXISTING_FIELDS | {"band", "ranked_of", "inspection_score", "not_educated", "missing"}


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def cases(village_a, village_b):
    village_a.population = 30_000
    village_a.save()
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-31T23:30+08:00"), loss_amount=Decimal("1234.5"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-04-01T00:10+08:00"))


def test_indicators_for_a_month(api_as, leader, cases):
    response = api_as(leader).get("/api/v1/indicators/?period=2026-03")
    assert response.status_code == 200
    rows = {row["unit"]: row for row in response.json()}
    assert set(rows) == {"VA", "VB"}
    assert set(rows["VA"]) == FIELDS
    assert rows["VA"]["cases"] == 1 and rows["VA"]["loss"] == "1234.50" and rows["VA"]["cases_per_10k"] == "0.33"
    assert rows["VB"]["cases"] == 0 and rows["VB"]["cases_per_10k"] == "0.00"
    assert rows["VB"]["rank"] == 1 and rows["VA"]["rank"] == 2


def test_quarters_and_years(api_as, leader, cases):
    q2 = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/?period=2026-Q2").json()}
    assert q2["VA"]["cases"] == 1
    year = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/?period=2026").json()}
    assert year["VA"]["cases"] == 2


@pytest.mark.parametrize("period", ["", "2026-13", "2026-Q0", "March"])
def test_a_bad_period_is_a_400_with_a_message(api_as, leader, period):
    response = api_as(leader).get(f"/api/v1/indicators/?period={period}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "YYYY" in response.json()["detail"] or "between" in response.json()["detail"]
    chinese = api_as(leader).get(f"/api/v1/indicators/?period={period}").json()["detail"]
    assert chinese != response.json()["detail"]  # translated for the default language


def test_scope_and_roles(api_as, police, school, cases):
    assert {row["unit"] for row in api_as(police).get("/api/v1/indicators/?period=2026-03").json()} == {"VA", "VB"}
    assert api_as(school).get("/api/v1/indicators/?period=2026-03").status_code == 403


def test_every_row_has_a_band(api_as, leader, cases):
    rows = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/?period=2026-03").json()}
    # VB: no case, score 100 — but no registered household, so no known door-visit coverage: amber, not green
    assert rows["VB"]["score"] == "100.0" and rows["VB"]["band"] == "amber"
    assert rows["VA"]["band"] == "red"
    assert all(row["band"] in {"green", "amber", "red"} for row in rows.values())


def test_a_missing_indicator_is_null_and_named(api_as, leader, village_a, cases):
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 3, 20), score=Decimal("80"))
    rows = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/?period=2026-03").json()}
    assert rows["VA"]["inspection_score"] == "80.0" and rows["VB"]["inspection_score"] is None
    assert rows["VB"]["missing"] == ["inspection_score"] and rows["VA"]["missing"] == []
    assert rows["VB"]["coverage_rate"] is None and rows["VB"]["not_educated"] is None


@pytest.mark.parametrize("role", ["head_a", "grid_a"])
def test_the_village_head_and_team_get_their_own_village_ranked_among_all(request, api_as, leader, role, cases):
    user = request.getfixturevalue(role)
    town = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/?period=2026-03").json()}
    response = api_as(user).get("/api/v1/indicators/?period=2026-03")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["unit"] == "VA" and set(row) == FIELDS
    assert (row["rank"], row["ranked_of"], row["score"], row["band"]) == (2, 2, town["VA"]["score"], "red")
    assert "VB" not in response.content.decode()


def test_without_a_period_the_last_complete_month(api_as, leader, village_a):
    last = indicators.default_period()
    FraudCaseFactory(village=village_a, reported_at=last.start + datetime.timedelta(hours=12))
    FraudCaseFactory(village=village_a, reported_at=last.end + datetime.timedelta(hours=1))  # this month
    rows = {row["unit"]: row for row in api_as(leader).get("/api/v1/indicators/").json()}
    assert rows["VA"]["cases"] == 1


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/v1/indicators/?period=2026-03").status_code == 401


def test_bounded_queries(api_as, leader, town, django_assert_max_num_queries):
    for n in range(10):
        village = VillageFactory(code=f"VQ{n}", parent=town)
        FraudCaseFactory(village=village, reported_at=at("2026-03-10T10:00+08:00"))
    client = api_as(leader)
    with django_assert_max_num_queries(16):
        response = client.get("/api/v1/indicators/?period=2026-03")
    assert len(response.json()) == 10
