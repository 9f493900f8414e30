"""Fixtures of the schools tests: the seal, a student of each school, an escort (the centre school and its
``school_c`` are in tests/conftest.py)."""

import pytest

from organization.models import Role
from schools import services
from tests import factories
from tests.schools.factories import StudentFactory, checked_png


@pytest.fixture
def escort(middle_school):
    return factories.UserFactory(
        username="teacher_chen", full_name="陈老师", unit=middle_school, roles=[Role.SCHOOL_STAFF]
    )


@pytest.fixture
def seal(school, middle_school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.school_seal_set(actor=school, school=middle_school, image=checked_png())


@pytest.fixture
def student(middle_school):
    return StudentFactory(school=middle_school, name="李小明", grade="初二", class_name="3班")


@pytest.fixture
def other_student(centre_school):
    return StudentFactory(school=centre_school, name="黄小红", grade="五年级", class_name="1班")
