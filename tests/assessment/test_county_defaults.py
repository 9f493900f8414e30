"""The county's settings are every town's defaults (issue 18: 2): a county's row in ``TownSettings`` holds the
indicator weights and the callback draw of each town that sets none of its own; a town's own row comes first."""

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
def march(two_towns, village_a, village_b, village_2a, village_2b):
    """March 2026: three cases in each of VA, V2A and V2B, with different losses."""
    for village, loss in ((village_a, 900), (village_2a, 300), (village_2b, 600)):
        for day in (3, 4, 5):
            FraudCaseFactory(
                village=village, reported_at=at(f"2026-03-{day:02d}T10:00+08:00"), loss_amount=Decimal(loss)
            )


def test_the_countys_callback_count_is_each_towns_default_and_a_towns_own_comes_first(
    county_unit, town2, march, village_a, village_2a, village_2b
):
    factories.TownSettingsFactory(unit=county_unit, callback_per_village=1)
    factories.TownSettingsFactory(unit=town2, callback_per_village=3)
    draw, created = services.callback_draw_month(month=datetime.date(2026, 3, 1), seed=11)
    assert created
    drawn = Callback.objects.filter(draw=draw)
    assert drawn.filter(village=village_a).count() == 1  # 罗村镇 sets none: the county's
    assert drawn.filter(village=village_2a).count() == drawn.filter(village=village_2b).count() == 3  # 九江's own


def test_the_countys_weights_are_each_towns_default_and_a_towns_own_come_first(county, county_unit, town2, march):
    only_loss = {name: Decimal("0") for name in IndicatorWeights.INDICATORS} | {"loss": Decimal("1")}
    county_weights = IndicatorWeights.objects.create(name="南海区: loss only", is_active=False, **only_loss)
    factories.TownSettingsFactory(unit=county_unit, indicator_weights=county_weights)
    report = indicators.indicator_report(user=county, period=parse_period("2026-03"))
    rows = {row.unit.code: row for row in report.rows}
    assert set(rows["VA"].parts) == set(rows["V2A"].parts) == {"loss"}  # both towns: the county's weights
    assert rows["V2A"].score > rows["V2B"].score  # the smaller loss scores higher

    town_weights = IndicatorWeights.objects.create(name="九江", is_active=False)  # the model's default weights
    factories.TownSettingsFactory(unit=town2, indicator_weights=town_weights)
    report = indicators.indicator_report(user=county, period=parse_period("2026-03"))
    rows = {row.unit.code: row for row in report.rows}
    assert set(rows["VA"].parts) == {"loss"}  # 罗村镇 keeps the county's
    assert set(rows["V2A"].parts) != {"loss"}  # 九江镇 its own


def test_the_countys_wording_and_numbers_are_printed_for_a_town_that_sets_none(
    client, county_unit, town2, grid_a, grid_2a
):
    from django.urls import reverse

    factories.TownSettingsFactory(
        unit=county_unit, police_contacts="南海区反诈中心 0757-86280110", letter_closing="南海区反诈中心"
    )
    factories.TownSettingsFactory(unit=town2, police_contacts="九江派出所值班室 0757-86501110")
    client.force_login(grid_a)  # 罗村镇 sets nothing: the county's
    letter = client.get(reverse("campaigns:print_material", args=["letter"])).content.decode()
    assert "0757-86280110" in letter and "南海区反诈中心" in letter
    grid2 = factories.UserFactory(username="grid2", unit=grid_2a, roles=["grid_worker", "dissuasion_team"])
    client.force_login(grid2)  # 九江镇: its own numbers, the county's closing lines
    letter = client.get(reverse("campaigns:print_material", args=["letter"])).content.decode()
    assert "0757-86501110" in letter and "0757-86280110" not in letter and "南海区反诈中心" in letter
