"""County leadership (县反诈中心) over two towns, each town's leadership and police in their own town only, and each
town's own settings (issue 18: 1, 2)."""

from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from assessment.models import IndicatorWeights
from organization.access import can, narrowed_to, scope_roots, units_visible_to
from organization.selectors import TOWN_SETTING_DEFAULTS, town_setting
from residents.models import Household
from tests import factories
from tests.organization.county import *  # noqa: F403 (the county's fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(two_towns, village_a, village_2a, grid_2a):
    return {
        "T1": factories.HouseholdFactory(village=village_a, address="罗村联和路1号"),
        "T2": factories.HouseholdFactory(village=village_2a, grid=grid_2a, address="九江璜矶路1号"),
    }


def test_the_county_leadership_sees_every_town(county, two_towns):
    assert [root.code for root in scope_roots(county)] == ["C1"]
    towns = set(units_visible_to(county).filter(kind="town").values_list("code", flat=True))
    assert towns == {"T1", "T2"}
    assert can(county, "assessment.dashboard") and can(county, "assessment.indicators")


def test_county_leadership_placed_outside_a_county_sees_nothing(town):
    lost = factories.UserFactory(username="lost", unit=town, roles=["county_leadership"])
    assert scope_roots(lost) == []


def test_a_towns_leadership_sees_its_own_town_only(leader, leader2, two_towns):
    assert set(units_visible_to(leader2).filter(kind="town").values_list("code", flat=True)) == {"T2"}
    assert set(units_visible_to(leader).filter(kind="town").values_list("code", flat=True)) == {"T1"}


def test_each_towns_households_are_its_own(client, county, leader, leader2, police, police2, households):
    for user, own, other in [(leader, "T1", "T2"), (police, "T1", "T2"), (leader2, "T2", "T1"), (police2, "T2", "T1")]:
        client.force_login(user)
        assert client.get(reverse("residents:household_detail", args=[households[own].pk])).status_code == 200
        assert client.get(reverse("residents:household_detail", args=[households[other].pk])).status_code == 404
        listed = client.get(reverse("residents:household_list")).content.decode()
        assert households[own].address in listed and households[other].address not in listed
    client.force_login(county)
    for household in households.values():
        assert client.get(reverse("residents:household_detail", args=[household.pk])).status_code == 200
    assert set(Household.objects.for_user(county)) == set(households.values())


def test_narrowing_to_a_town_keeps_to_that_town_and_refuses_one_outside(county, leader2, households, town):
    narrowed = narrowed_to(county, households["T2"].village.parent)
    assert list(Household.objects.for_user(narrowed)) == [households["T2"]]
    with pytest.raises(Http404):
        narrowed_to(leader2, town)


# --- per-town settings -----------------------------------------------------------------------------------------


def test_a_setting_falls_back_from_the_town_to_the_county_to_the_installation(county_unit, town, town2, village_2a):
    assert town_setting(village_2a, "plan_number") == TOWN_SETTING_DEFAULTS["plan_number"]
    factories.TownSettingsFactory(unit=county_unit, plan_number="南反诈〔2026〕1号")
    assert town_setting(village_2a, "plan_number") == "南反诈〔2026〕1号"
    assert town_setting(town, "plan_number") == "南反诈〔2026〕1号"
    factories.TownSettingsFactory(unit=town2, plan_number="九办发〔2024〕8号", plan_title="")
    assert town_setting(village_2a, "plan_number") == "九办发〔2024〕8号"
    assert town_setting(town, "plan_number") == "南反诈〔2026〕1号"  # the other town keeps the county's
    assert town_setting(village_2a, "plan_title") == TOWN_SETTING_DEFAULTS["plan_title"]  # empty: as above
    assert town_setting(None, "plan_number") == TOWN_SETTING_DEFAULTS["plan_number"]


def test_a_towns_own_indicator_weights(county_unit, town2, village_2a):
    weights = IndicatorWeights.objects.create(name="九江", is_active=False, loss=Decimal("3"))
    factories.TownSettingsFactory(unit=town2, indicator_weights=weights)
    assert town_setting(village_2a, "indicator_weights") == weights
    assert town_setting(county_unit, "indicator_weights") is None


def test_an_unknown_setting_is_an_error(town):
    with pytest.raises(KeyError):
        town_setting(town, "colour")


def test_the_second_towns_letter_shows_its_own_wording_and_numbers(client, county_unit, town2, grid_2a, grid_a):
    factories.TownSettingsFactory(
        unit=town2,
        letter_closing="九江镇防范治理电信网络新型违法犯罪工作领导小组\n九江派出所",
        police_contacts="九江派出所值班室 0757-86501110\n全国反诈专线 96110",
    )
    grid2 = factories.UserFactory(username="grid2", unit=grid_2a, roles=["grid_worker", "dissuasion_team"])
    client.force_login(grid2)
    letter = client.get(reverse("campaigns:print_material", args=["letter"])).content.decode()
    assert "九江派出所" in letter and "0757-86501110" in letter
    cards = client.get(reverse("campaigns:print_material", args=["contact_card"])).content.decode()
    assert "0757-86501110" in cards
    client.force_login(grid_a)  # the first town: the installation's wording and the national numbers
    letter = client.get(reverse("campaigns:print_material", args=["letter"])).content.decode()
    assert "九江" not in letter and "罗村派出所" in letter and "96110" in letter


def test_the_rules_page_names_the_towns_own_plan(client, county_unit, town2, leader, leader2):
    factories.TownSettingsFactory(unit=town2, plan_number="九办发〔2024〕8号")
    client.force_login(leader2)
    assert "九办发〔2024〕8号" in client.get(reverse("plan_rules")).content.decode()
    client.force_login(leader)
    page = client.get(reverse("plan_rules")).content.decode()
    assert TOWN_SETTING_DEFAULTS["plan_number"] in page and "九办发" not in page


def test_the_demo_adds_the_county_and_a_second_town(db):
    from demo.organization import seed_organization
    from demo.second_town import seed
    from organization.models import TownSettings, Unit, User

    seed_organization()
    seed()
    seed()  # idempotent
    county_user, leader2 = User.objects.get(username="county"), User.objects.get(username="leader2")
    assert {u.code for u in units_visible_to(county_user).filter(kind="town")} == {"440605124", "440605121"}
    assert {u.code for u in units_visible_to(leader2).filter(kind="town")} == {"440605121"}
    assert Unit.objects.filter(kind="village", parent__code="440605121").count() == 2
    assert Household.objects.filter(village__parent__code="440605121").count() == 8
    assert TownSettings.objects.get(unit__code="440605121").plan_number == "九办发〔2024〕8号"
    assert town_setting(Unit.objects.get(code="440605124001"), "plan_number") == TOWN_SETTING_DEFAULTS["plan_number"]
