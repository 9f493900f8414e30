"""The tests' role roster (``tests/conftest.py``) mirrors the demo accounts (``demo.organization.ACCOUNTS``): a
fixture per account, named after it, with the same username, roles and kind of unit. A test written with
``grid_a`` or ``caishen`` means the person a tester signs in as in the demo."""

import pytest

from demo.organization import ACCOUNTS, DEPARTMENTS, POLICE_STATION, SCHOOLS, TOWN, VILLAGES
from organization.models import UnitKind


def demo_unit_kinds() -> dict[str, str]:
    """The kind of every demo unit, by its code (the tables seed_organization writes)."""
    code = TOWN[0]
    kinds = {code: UnitKind.TOWN, code + POLICE_STATION[0]: UnitKind.POLICE_STATION}
    for suffix, _name, _population, grids in VILLAGES:
        kinds[code + suffix] = UnitKind.VILLAGE
        kinds.update({f"{code}{suffix}-{number:02d}": UnitKind.GRID for number in range(1, grids + 1)})
    kinds.update({code + suffix: UnitKind.DEPARTMENT for suffix, _name in DEPARTMENTS})
    kinds.update({code + suffix: UnitKind.SCHOOL for suffix, _name in SCHOOLS})
    return kinds


@pytest.mark.parametrize("username, unit_code, roles, is_superuser", [(a[0], a[2], a[3], a[4]) for a in ACCOUNTS])
def test_every_demo_account_has_its_fixture(username, unit_code, roles, is_superuser, request):
    user = request.getfixturevalue(username)
    assert user.username == username
    assert set(user.roles.values_list("role", flat=True)) == set(roles)
    assert user.is_superuser == is_superuser
    if unit_code is None:
        assert user.unit is None
    else:
        assert user.unit is not None and user.unit.kind == demo_unit_kinds()[unit_code]
