"""Who may act on one record (organization.actors), in pairs of who can and who cannot."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from core.validators import make_id_number
from organization.access import can, is_admin
from organization.actors import holds, is_police, is_police_for, own_unit, works_in
from organization.models import Role, UnitKind
from tests import factories
from warnings_followup import services as warning_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def system_admin(db):
    """A system administrator who is not a superuser."""
    return factories.UserFactory(username="sysadmin", unit=None, roles=[Role.SYSTEM_ADMIN])


def test_superusers_and_system_administrators_are_administrators(admin_user, system_admin, leader, police):
    assert is_admin(admin_user) and is_admin(system_admin)
    assert not is_admin(leader) and not is_admin(police)
    assert not is_admin(AnonymousUser())


def test_holding_a_role_is_holding_one_of_those_asked_or_being_an_administrator(zongzhi, leader, system_admin):
    assert holds(zongzhi, {Role.POLICE, Role.GOVERNANCE})
    assert not holds(leader, {Role.POLICE, Role.GOVERNANCE})
    assert holds(system_admin, {Role.POLICE})
    assert not holds(AnonymousUser(), {Role.POLICE})


def test_the_unit_a_user_works_for_is_the_nearest_of_the_kinds_asked(grid_a, village_a, school, middle_school):
    assert own_unit(grid_a, {UnitKind.VILLAGE}) == village_a
    assert own_unit(school, {UnitKind.SCHOOL}, roles={Role.SCHOOL_STAFF}) == middle_school


def test_no_unit_without_the_role_asked_or_a_unit_of_that_kind(grid_a, police, admin_user):
    assert own_unit(grid_a, {UnitKind.SCHOOL}) is None
    assert own_unit(police, {UnitKind.POLICE_STATION}, roles={Role.SCHOOL_STAFF}) is None
    assert own_unit(admin_user, {UnitKind.VILLAGE}) is None
    assert own_unit(AnonymousUser(), {UnitKind.VILLAGE}) is None


def test_a_villages_team_works_in_it_and_not_in_the_next_village(grid_a, grid_b, village_a, village_b):
    team = {Role.GRID_WORKER, Role.DISSUASION_TEAM}
    assert works_in(grid_a, village_a, roles=team)
    assert not works_in(grid_a, village_b, roles=team)
    assert works_in(grid_b, village_b, roles=team)


def test_working_in_a_unit_needs_the_role_asked(head_a, grid_a, village_a):
    assert works_in(head_a, village_a, roles={Role.VILLAGE_HEAD})
    assert not works_in(grid_a, village_a, roles={Role.VILLAGE_HEAD})


def test_the_police_act_for_their_jurisdiction_only(police, village_a):
    other_village = factories.VillageFactory(code="T2V", parent=factories.TownFactory(code="T2"))
    assert is_police(police)
    assert is_police_for(police, village_a)
    assert not is_police_for(police, other_village)


def test_a_villages_team_is_not_the_police(grid_a, village_a):
    assert not is_police(grid_a)
    assert not is_police_for(grid_a, village_a)


def test_administrators_act_for_the_police_everywhere(admin_user, system_admin, village_a):
    for user in (admin_user, system_admin):
        assert is_police(user) and is_police_for(user, village_a)


def test_a_system_administrator_who_may_push_a_warning_can_push_it_and_take_the_police_side(system_admin, village_a):
    assert can(system_admin, "warnings.push")
    result = warning_services.warning_push(
        actor=system_admin,
        external_id="YJ-ADMIN",
        person_name="陈阿婆",
        id_number=make_id_number("440605", datetime.date(1948, 6, 1), 77),
        village=village_a,
        fraud_type="investment",
        risk_level="high",
    )
    assert result.created
    assert warning_services.POLICE in warning_services.actor_kinds(system_admin, result.warning)
    assert "close" in warning_services.available_actions(system_admin, result.warning)
