"""Fixtures: a small town with two villages, and one user per role (owner, colleague, outsider)."""

import os

import pytest

from organization.models import Role
from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (a request with another language must not leak into the next test)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def town(db):
    return factories.TownFactory(code="T1", name="罗村镇")


@pytest.fixture
def village_a(town):
    return factories.VillageFactory(code="VA", name="联和村", parent=town)


@pytest.fixture
def village_b(town):
    return factories.VillageFactory(code="VB", name="下柏村", parent=town)


@pytest.fixture
def grid_a1(village_a):
    return factories.GridFactory(code="VA-01", parent=village_a)


@pytest.fixture
def grid_b1(village_b):
    return factories.GridFactory(code="VB-01", parent=village_b)


@pytest.fixture
def police_station(town):
    return factories.PoliceStationFactory(code="PS", name="罗村派出所", parent=town)


@pytest.fixture
def middle_school(town):
    return factories.SchoolFactory(code="SCH", name="罗村中学", parent=town)


@pytest.fixture
def publicity_office(town):
    return factories.DepartmentFactory(code="DEP", name="宣传办", parent=town)


def _user(username, unit, *roles, **extra):
    return factories.UserFactory(username=username, unit=unit, roles=list(roles), **extra)


@pytest.fixture
def leader(town):
    return _user("leader", town, Role.LEADERSHIP_LEADER)


@pytest.fixture
def police(police_station):
    return _user("police", police_station, Role.POLICE)


@pytest.fixture
def grid_a(grid_a1):
    return _user("grid_a", grid_a1, Role.GRID_WORKER, Role.DISSUASION_TEAM)


@pytest.fixture
def grid_worker_a(grid_a1):
    """A grid worker of village A who is not on its dissuasion team."""
    return _user("grid_worker_a", grid_a1, Role.GRID_WORKER)


@pytest.fixture
def volunteer_a(village_a):
    """A volunteer of village A (not on the dissuasion team)."""
    return _user("volunteer_a", village_a, Role.VOLUNTEER)


@pytest.fixture
def grid_b(grid_b1):
    return _user("grid_b", grid_b1, Role.GRID_WORKER, Role.DISSUASION_TEAM)


@pytest.fixture
def head_a(village_a):
    return _user("head_a", village_a, Role.VILLAGE_HEAD)


@pytest.fixture
def school(middle_school):
    return _user("school", middle_school, Role.SCHOOL_STAFF)


@pytest.fixture
def department_staff(publicity_office):
    return _user("publicity", publicity_office, Role.DEPARTMENT_STAFF)


@pytest.fixture
def outsider(town):
    """Signed in, but holds no role: sees nothing."""
    return _user("outsider", town)


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", unit=None, is_superuser=True, is_staff=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client):
    """api_as(user) -> an APIClient authenticated with the user's token."""
    from rest_framework.authtoken.models import Token

    def login(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return login
