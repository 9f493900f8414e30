"""Households of the field-app tests: one in grid_a's grid (VA-01), one in village B."""

import pytest

from tests.factories import HouseholdFactory, ResidentFactory


@pytest.fixture
def household_a(grid_a1):
    household = HouseholdFactory(village=grid_a1.parent, grid=grid_a1, address="联和村幸福路1号")
    ResidentFactory(household=household, name="陈大文", relation="户主")
    ResidentFactory(household=household, name="陈小文", relation="子")
    return household


@pytest.fixture
def household_b(grid_b1):
    household = HouseholdFactory(village=grid_b1.parent, grid=grid_b1, address="下柏村和平路2号")
    ResidentFactory(household=household, name="李四")
    return household
