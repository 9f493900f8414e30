"""Fixtures: a small town with two villages, its offices and schools, and the demo accounts as users.

The role roster mirrors the demo accounts (``demo.organization.ACCOUNTS``, listed in the README): a fixture
per account, with the same username, roles and kind of unit. ``grid_a``, ``head_a`` and ``volunteer_a`` work
in village A, ``grid_b`` in village B; ``school`` at the middle school, ``school_c`` at the centre school;
``publicity``, ``jingfa``, ``zongzhi`` and ``caishen`` at their offices. Beside them: ``grid_worker_a`` (a grid
worker not on the dissuasion team) and ``outsider`` (signed in, no role). ``travel_to`` sets the clock.
"""

import datetime
import os
import zoneinfo

import pytest

from organization.models import Role, UserRole
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
def centre_school(town):
    return factories.SchoolFactory(code="SCC", name="罗村镇中心学校", parent=town)


@pytest.fixture
def publicity_office(town):
    return factories.DepartmentFactory(code="DEP", name="宣传办", parent=town)


def _office(town, code, name, duty):
    from publicity.models import Duty
    from tests.publicity.factories import UnitDutyFactory

    office = factories.DepartmentFactory(code=code, name=name, parent=town)
    UnitDutyFactory(unit=office, duty=getattr(Duty, duty))
    return office


@pytest.fixture
def economic_office(town):
    return _office(town, "ECO", "经发办", "ECONOMIC_OFFICE")


@pytest.fixture
def governance_centre(town):
    return _office(town, "GOV", "综治中心", "GOVERNANCE_CENTRE")


@pytest.fixture
def finance_centre(town):
    return _office(town, "FIN", "财审中心", "FINANCE_AUDIT")


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
def school_c(centre_school):
    return _user("school_c", centre_school, Role.SCHOOL_STAFF)


@pytest.fixture
def department_staff(publicity_office):
    return _user("publicity", publicity_office, Role.DEPARTMENT_STAFF)


@pytest.fixture
def publicity(department_staff):
    """The demo's ``publicity`` account (宣传办 staff); ``department_staff`` is the same user."""
    return department_staff


@pytest.fixture
def jingfa(economic_office):
    return _user("jingfa", economic_office, Role.DEPARTMENT_STAFF)


@pytest.fixture
def zongzhi(governance_centre):
    return _user("zongzhi", governance_centre, Role.DEPARTMENT_STAFF, Role.GOVERNANCE)


@pytest.fixture
def caishen(finance_centre):
    return _user("caishen", finance_centre, Role.DEPARTMENT_STAFF)


@pytest.fixture
def outsider(town):
    """Signed in, but holds no role: sees nothing."""
    return _user("outsider", town)


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", unit=None, is_superuser=True, is_staff=True)


@pytest.fixture
def admin(admin_user):
    """The demo's ``admin``: the superuser with the system administrator's role."""
    UserRole.objects.get_or_create(user=admin_user, role=Role.SYSTEM_ADMIN)
    admin_user._role_codes = None
    return admin_user


@pytest.fixture
def travel_to(time_machine):
    """travel_to(day or moment): the clock is there for the rest of the test, and runs on (a day: its noon,
    local time), for services, views and factories alike."""
    from django.conf import settings

    def go(when: datetime.date | datetime.datetime) -> None:
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.combine(when, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        time_machine.move_to(when)

    return go


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
