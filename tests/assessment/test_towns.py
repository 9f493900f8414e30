"""Towns compared (issue 18: 1): ``GET /api/v1/indicators/?level=town``, the county's dashboard with its towns and
the drill-down to one town's own dashboard; each town's own weights and callback draw (issue 18: 2)."""

import datetime
from decimal import Decimal

import pytest

from assessment import indicators, services
from assessment.models import Callback, IndicatorWeights
from core.periods import parse_period
from tests import factories
from tests.organization.county import *  # noqa: F403 (the county's fixtures)

from .factories import FraudCaseFactory

pytestmark = pytest.mark.django_db


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def cases(two_towns, village_a, village_b, village_2a):
    """March 2026: two cases in T1 (VA, VB), three in T2 (V2A)."""
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-05T10:00+08:00"), loss_amount=Decimal("1000"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-06T10:00+08:00"), loss_amount=Decimal("500"))
    for day in (7, 8, 9):
        FraudCaseFactory(village=village_2a, reported_at=at(f"2026-03-{day:02d}T10:00+08:00"))


def _rows(response):
    assert response.status_code == 200, response.content
    return {row["unit"]: row for row in response.json()}


def test_the_county_compares_its_towns(api_as, county, cases):
    rows = _rows(api_as(county).get("/api/v1/indicators/?period=2026-03&level=town"))
    assert set(rows) == {"T1", "T2"}
    assert rows["T1"]["cases"] == 2 and rows["T1"]["loss"] == "1500.00"
    assert rows["T2"]["cases"] == 3
    assert rows["T2"]["population"] == 20_000 and rows["T2"]["cases_per_10k"] == "1.50"
    assert rows["T1"]["rank"] == 1 and rows["T2"]["rank"] == 2
    assert rows["T1"]["ranked_of"] == 2
    assert set(rows["T1"]) >= {"unit", "cases", "loss", "score", "rank", "band", "missing"}  # the village row's fields


def test_villages_stay_the_default_level_with_each_town_ranked_on_its_own(api_as, county, cases):
    rows = _rows(api_as(county).get("/api/v1/indicators/?period=2026-03"))
    assert set(rows) == {"VA", "VB", "V2A", "V2B"}
    assert rows["V2B"]["rank"] == 1 and rows["V2B"]["ranked_of"] == 2  # among T2's two villages only
    assert rows == _rows(api_as(county).get("/api/v1/indicators/?period=2026-03&level=village"))


def test_a_towns_leadership_gets_its_own_towns_row_only(api_as, leader, leader2, cases):
    rows = _rows(api_as(leader2).get("/api/v1/indicators/?period=2026-03&level=town"))
    assert set(rows) == {"T2"}
    assert rows["T2"]["rank"] == 2 and rows["T2"]["ranked_of"] == 2  # ranked among the county's towns
    assert set(_rows(api_as(leader2).get("/api/v1/indicators/?period=2026-03"))) == {"V2A", "V2B"}
    assert set(_rows(api_as(leader).get("/api/v1/indicators/?period=2026-03&level=town"))) == {"T1"}


def test_a_village_head_may_not_compare_towns_and_a_bad_level_is_a_400(api_as, head_a, leader, cases):
    assert api_as(head_a).get("/api/v1/indicators/?level=town").status_code == 403
    assert api_as(leader).get("/api/v1/indicators/?level=county").status_code == 400


def test_the_county_dashboard_compares_towns_and_drills_down(client, county, cases):
    client.force_login(county)
    page = client.get("/assessment/?period=2026-03").content.decode()
    assert 'data-testid="town-table"' in page
    assert 'data-town="T1"' in page and 'data-town="T2"' in page
    assert "?town=T2" in page
    town_page = client.get("/assessment/?period=2026-03&town=T2").content.decode()
    assert 'data-testid="dashboard-town"' in town_page and "九江镇" in town_page
    assert 'data-village="V2A"' in town_page and 'data-village="VA"' not in town_page
    assert 'data-testid="town-table"' not in town_page
    assert 'name="town" value="T2"' in town_page  # the period form keeps the town


def test_a_town_cannot_drill_down_to_another(client, leader, leader2, cases):
    client.force_login(leader2)
    assert client.get("/assessment/?town=T1").status_code == 404
    assert client.get("/assessment/?town=T2").status_code == 200
    page = client.get("/assessment/?period=2026-03").content.decode()
    assert 'data-testid="town-table"' not in page and 'data-village="VA"' not in page
    client.force_login(leader)
    assert client.get("/assessment/?town=T2").status_code == 404


def test_each_town_scores_with_its_own_weights(county, town2, cases):
    only_loss = {name: Decimal("0") for name in IndicatorWeights.INDICATORS} | {"loss": Decimal("1")}
    weights = IndicatorWeights.objects.create(name="九江: loss only", is_active=False, **only_loss)
    factories.TownSettingsFactory(unit=town2, indicator_weights=weights)
    report = indicators.indicator_report(user=county, period=parse_period("2026-03"))
    rows = {row.unit.code: row for row in report.rows}
    assert rows["V2A"].score == Decimal("0.0") and rows["V2B"].score == Decimal("100.0")  # loss alone
    assert set(rows["VA"].parts) != {"loss"}  # the first town keeps the installation's weights


def test_each_town_draws_its_own_number_of_callbacks(county_unit, town2, two_towns, village_a, village_2a):
    for day in range(1, 4):
        FraudCaseFactory(village=village_a, reported_at=at(f"2026-03-{day:02d}T10:00+08:00"))
        FraudCaseFactory(village=village_2a, reported_at=at(f"2026-03-{day:02d}T11:00+08:00"))
    factories.TownSettingsFactory(unit=town2, callback_per_village=1)
    draw, created = services.callback_draw_month(month=datetime.date(2026, 3, 1), seed=7)
    assert created
    drawn = Callback.objects.filter(draw=draw)
    assert drawn.filter(village=village_a).count() == 2  # the installation's default
    assert drawn.filter(village=village_2a).count() == 1  # 九江's own


def test_the_county_case_analysis_compares_towns(client, county, leader2, town2, cases):
    client.force_login(county)
    page = client.get("/fraud-cases/analysis/?period=2026-03").content.decode()
    assert 'data-testid="analysis-town"' in page
    assert f'data-key="{town2.pk}"' in page and "九江镇" in page
    client.force_login(leader2)  # one town: no comparison of towns, and nothing of the other town
    page = client.get("/fraud-cases/analysis/?period=2026-03").content.decode()
    assert 'data-testid="analysis-town"' not in page and "联和村" not in page


COUNTY_PAGES = [
    "/",
    "/assessment/",
    "/assessment/bulletin/?period=2026-03",
    "/assessment/indicators/?period=2026-03",
    "/assessment/nominations/?year=2026",
    "/assessment/reports/",
    "/assessment/targets/",
    "/assessment/callbacks/",
    "/fraud-cases/analysis/export.xlsx?period=2026-03",
    "/rules/",
]


def test_the_county_leaderships_pages_open(client, county, cases):
    client.force_login(county)
    for url in COUNTY_PAGES:
        assert client.get(url).status_code == 200, url


def test_the_county_sees_every_towns_reports(client, county, leader2, town, town2, travel_to):
    from assessment.models import CountyReport, ReportStatus

    travel_to(datetime.date(2026, 4, 20))
    CountyReport.objects.create(unit=town2, period_key="2026-03", status=ReportStatus.SUBMITTED)
    client.force_login(county)
    page = client.get("/assessment/reports/").content.decode()
    assert 'data-testid="town-reports"' in page
    assert 'data-town="T1"' in page and 'data-town="T2"' in page
    client.force_login(leader2)  # its own town's reports only
    page = client.get("/assessment/reports/").content.decode()
    assert 'data-testid="town-reports"' not in page and "九江镇" in page


def test_the_county_prints_one_towns_bulletin(client, county, cases):
    client.force_login(county)
    page = client.get("/assessment/?period=2026-03&town=T2").content.decode()
    assert "/assessment/bulletin/?period=2026-03&amp;town=T2" in page
    bulletin = client.get("/assessment/bulletin/?period=2026-03&town=T2").content.decode()
    assert "璜矶村" in bulletin and "联和村" not in bulletin
