"""A county over two towns (issue 18): tests/conftest.py's town (T1) under county C1, and a second small town T2
with two villages, a grid, its police station, its leadership (``leader2``) and police (``police2``); ``county``
is the county's leadership (县反诈中心). Import the fixtures into a test module to use them."""

import pytest

from organization.models import Role
from tests import factories

__all__ = [
    "county",
    "county_unit",
    "grid_2a",
    "leader2",
    "police2",
    "station2",
    "town2",
    "two_towns",
    "village_2a",
    "village_2b",
]


@pytest.fixture
def county_unit(town):
    county = factories.CountyFactory(code="C1", name="南海区")
    town.parent = county
    town.save()
    return county


@pytest.fixture
def town2(county_unit):
    return factories.TownFactory(code="T2", name="九江镇", parent=county_unit, population=20_000)


@pytest.fixture
def village_2a(town2):
    return factories.VillageFactory(code="V2A", name="璜矶村", parent=town2, population=10_000)


@pytest.fixture
def village_2b(town2):
    return factories.VillageFactory(code="V2B", name="烟南村", parent=town2, population=8_000)


@pytest.fixture
def grid_2a(village_2a):
    return factories.GridFactory(code="V2A-01", parent=village_2a)


@pytest.fixture
def station2(town2):
    return factories.PoliceStationFactory(code="PS2", name="九江派出所", parent=town2)


@pytest.fixture
def county(county_unit):
    return factories.UserFactory(username="county", unit=county_unit, roles=[Role.COUNTY_LEADERSHIP])


@pytest.fixture
def leader2(town2):
    return factories.UserFactory(username="leader2", unit=town2, roles=[Role.LEADERSHIP_LEADER])


@pytest.fixture
def police2(station2):
    return factories.UserFactory(username="police2", unit=station2, roles=[Role.POLICE])


@pytest.fixture
def two_towns(village_a, village_b, village_2a, village_2b, grid_2a):
    """Both towns with their villages (T1: VA, VB; T2: V2A, V2B)."""
    return village_a.parent, village_2a.parent
