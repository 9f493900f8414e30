import pytest
from django.core.exceptions import ValidationError

from organization.models import Unit, UnitKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_path_follows_the_hierarchy(grid_a1):
    assert grid_a1.path == "/T1/VA/VA-01/"
    assert grid_a1.village.code == "VA"
    assert grid_a1.town.code == "T1"


def test_moving_a_village_rewrites_the_paths_below(grid_a1, village_a):
    county = factories.UnitFactory(code="C1", kind=UnitKind.COUNTY)
    town2 = factories.TownFactory(code="T9", parent=county)
    village_a.parent = town2
    village_a.save()
    grid_a1.refresh_from_db()
    assert grid_a1.path == "/C1/T9/VA/VA-01/"


def test_a_county_above_towns_needs_no_redesign(db):
    county = factories.UnitFactory(code="C1", kind=UnitKind.COUNTY)
    town = factories.TownFactory(code="T7", parent=county)
    town.full_clean()
    assert list(Unit.objects.subtree_of(county)) == [county, town]


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [(UnitKind.GRID, UnitKind.TOWN), (UnitKind.VILLAGE, UnitKind.VILLAGE), (UnitKind.VILLAGE, None)],
)
def test_a_unit_must_sit_under_a_parent_of_the_right_kind(db, kind, parent_kind):
    parent = factories.UnitFactory(code="P", kind=parent_kind) if parent_kind else None
    unit = Unit(code="X", name="X", kind=kind, parent=parent)
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    assert "parent" in excinfo.value.message_dict


def test_a_unit_cannot_sit_below_itself(grid_a1, village_a):
    village_a.parent = factories.GridFactory(code="VA-02", parent=village_a)
    with pytest.raises(ValidationError):
        village_a.full_clean()


def test_changes_are_kept_in_history(village_a):
    village_a.population = 12_345
    village_a.save()
    assert village_a.history.count() == 2
    assert village_a.history.first().population == 12_345


def test_user_roles_are_labelled(grid_a):
    assert grid_a.has_role("grid_worker")
    assert not grid_a.has_role("police")
    assert len(grid_a.role_labels()) == 2


class TestUserMobile:
    def test_a_mobile_number_is_normalised_and_stored_encrypted(self, head_a):
        from django.db import connection

        head_a.mobile = "+86 138-1234-5678"
        head_a.full_clean()
        head_a.save()
        assert head_a.mobile == "13812345678" and head_a.masked_mobile == "138****5678"
        with connection.cursor() as cursor:
            cursor.execute("SELECT mobile FROM organization_user WHERE id = %s", [head_a.pk])
            assert "13812345678" not in cursor.fetchone()[0]

    @pytest.mark.parametrize("value", ["020-12345678", "12345"])
    def test_a_landline_or_a_bad_number_is_refused(self, head_a, value):
        head_a.mobile = value
        with pytest.raises(ValidationError) as refused:
            head_a.full_clean()
        assert "mobile" in refused.value.message_dict
