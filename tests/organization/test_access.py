"""Who sees what: the scoping rules, role by role, in pairs of who can and who cannot."""

import pytest

from organization.access import EVERYTHING, can, scope_roots, scope_unit_ids, units_visible_to
from organization.models import Unit, User
from residents.models import Household, Resident
from tests import factories

pytestmark = pytest.mark.django_db


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_grid_worker_sees_their_village_and_its_grids(grid_a, grid_b1, village_a):
    visible = codes(units_visible_to(grid_a))
    assert {"VA", "VA-01"} <= visible
    assert "VB" not in visible
    assert grid_b1.code not in visible
    assert "T1" not in visible


def test_village_head_sees_their_village_only(head_a, grid_a1, village_b):
    assert codes(units_visible_to(head_a)) == {"VA", "VA-01"}


def test_leadership_sees_the_whole_town(leader, grid_a1, grid_b1, police_station, middle_school):
    assert codes(units_visible_to(leader)) == set(Unit.objects.values_list("code", flat=True))


def test_police_see_their_jurisdiction(police, grid_a1, grid_b1):
    visible = codes(units_visible_to(police))
    assert {"T1", "VA", "VB", "VA-01", "VB-01", "PS"} <= visible


def test_police_do_not_see_another_towns_villages(police, grid_a1):
    other_town = factories.TownFactory(code="T2")
    factories.VillageFactory(code="T2V", parent=other_town)
    assert "T2V" not in codes(units_visible_to(police))


def test_school_staff_see_their_school_only(school, grid_a1):
    assert codes(units_visible_to(school)) == {"SCH"}


def test_department_staff_see_their_department_only(department_staff, grid_a1):
    assert codes(units_visible_to(department_staff)) == {"DEP"}


def test_a_user_without_roles_sees_nothing(outsider, grid_a1):
    assert codes(units_visible_to(outsider)) == set()


def test_superuser_sees_everything(admin_user, grid_a1):
    assert scope_roots(admin_user) is EVERYTHING


def test_anonymous_sees_nothing(grid_a1):
    from django.contrib.auth.models import AnonymousUser

    assert not units_visible_to(AnonymousUser()).exists()
    assert not can(AnonymousUser(), "organization.view_units")


def test_roles_combine_into_the_widest_scope(grid_a1, village_b):
    user = factories.UserFactory(unit=grid_a1, roles=["grid_worker", "leadership_member"])
    assert "VB" in codes(units_visible_to(user))


def test_capabilities_follow_roles(grid_a, outsider):
    assert can(grid_a, "organization.view_units")
    assert not can(outsider, "organization.view_units")


def test_an_unknown_capability_is_a_programming_error(grid_a):
    with pytest.raises(KeyError):
        can(grid_a, "no.such.capability")


def test_scoping_costs_one_query(grid_a, django_assert_num_queries):
    scope_roots(grid_a)  # roles and units loaded once per request user
    with django_assert_num_queries(1):
        list(units_visible_to(grid_a))


class TestScopeByUnitIds:
    """Rows are narrowed by their unit's id in the list of the scope's units: no join on the unit tree."""

    def test_rows_are_filtered_on_the_foreign_key_without_joining_the_units(self, grid_a, village_a, village_b):
        mine = factories.HouseholdFactory(village=village_a)
        factories.HouseholdFactory(village=village_b)
        sql = str(Household.objects.for_user(grid_a).order_by("pk").query)
        assert '"village_id" IN (' in sql
        assert "organization_unit" not in sql
        assert list(Household.objects.for_user(grid_a)) == [mine]

    def test_the_ids_are_worked_out_once_per_request_user(self, grid_a, village_a, django_assert_num_queries):
        factories.HouseholdFactory(village=village_a)
        scope_roots(grid_a)
        with django_assert_num_queries(3):  # the units' ids, then one query per list
            list(Household.objects.for_user(grid_a))
            list(Resident.objects.for_user(grid_a))
        with django_assert_num_queries(1):
            list(Household.objects.for_user(grid_a))

    def test_the_shared_cache_spares_the_next_request_the_ids_query(self, grid_a, django_assert_num_queries):
        list(Household.objects.for_user(grid_a))
        next_request_user = User.objects.get(pk=grid_a.pk)
        scope_roots(next_request_user)
        with django_assert_num_queries(1):
            list(Household.objects.for_user(next_request_user))

    def test_a_unit_added_below_the_scope_is_seen_at_once(self, head_a, village_a):
        assert not Household.objects.for_user(head_a).exists()
        grid = factories.GridFactory(code="VA-09", parent=village_a)
        household = factories.HouseholdFactory(village=village_a, grid=grid)
        assert list(Household.objects.for_user(head_a).filter(grid=grid)) == [household]
        assert grid in units_visible_to(head_a)

    def test_a_unit_moved_out_of_the_scope_leaves_it(self, head_a, village_a, town):
        grid = factories.GridFactory(code="VA-09", parent=village_a)
        assert Unit.objects.filter(pk=grid.pk).for_user(head_a).exists()
        assert grid.pk in scope_unit_ids(head_a, scope_roots(head_a))
        grid.parent = factories.VillageFactory(code="VC", parent=town)
        grid.save()
        next_request_user = User.objects.get(pk=head_a.pk)
        assert grid.pk not in scope_unit_ids(next_request_user, scope_roots(next_request_user))
        assert grid.pk not in scope_unit_ids(head_a, scope_roots(head_a))


class TestDeclaredNarrowing:
    """Querysets narrow the shared scope declaratively; the rule itself lives in organization.access."""

    def test_a_capability_hides_every_row_from_roles_without_it(self, leader, police, middle_school):
        from organization.access import scope_queryset

        schools = Unit.objects.filter(pk=middle_school.pk)
        assert scope_queryset(schools, leader, capability="schools.view_students").count() == 0
        assert scope_queryset(schools, police, capability="schools.view_students").count() == 1

    def test_police_can_be_held_to_their_station(self, police, leader, police_station, publicity_office):
        from organization.access import scope_queryset

        units = Unit.objects.filter(pk__in=[police_station.pk, publicity_office.pk])
        assert set(scope_queryset(units, police, police_see_station=True)) == {police_station}
        assert set(scope_queryset(units, police)) == {police_station, publicity_office}
        assert set(scope_queryset(units, leader, police_see_station=True)) == {police_station, publicity_office}
