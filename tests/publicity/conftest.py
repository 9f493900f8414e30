"""The town's offices with their duties, and their staff (one per office), beside tests/conftest.py's users."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from organization.models import Role
from publicity.models import Duty
from tests import factories

from .factories import UnitDutyFactory


@pytest.fixture
def publicity_office(town):
    office = factories.DepartmentFactory(code="DEP", name="宣传办", parent=town)
    UnitDutyFactory(unit=office, duty=Duty.PUBLICITY_OFFICE)
    return office


@pytest.fixture
def economic_office(town):
    office = factories.DepartmentFactory(code="ECO", name="经发办", parent=town)
    UnitDutyFactory(unit=office, duty=Duty.ECONOMIC_OFFICE)
    return office


@pytest.fixture
def governance_centre(town):
    office = factories.DepartmentFactory(code="GOV", name="综治中心", parent=town)
    UnitDutyFactory(unit=office, duty=Duty.GOVERNANCE_CENTRE)
    return office


@pytest.fixture
def finance_centre(town):
    office = factories.DepartmentFactory(code="FIN", name="财审中心", parent=town)
    UnitDutyFactory(unit=office, duty=Duty.FINANCE_AUDIT)
    return office


@pytest.fixture
def jingfa(economic_office):
    return factories.UserFactory(username="jingfa", unit=economic_office, roles=[Role.DEPARTMENT_STAFF])


@pytest.fixture
def zongzhi(governance_centre):
    return factories.UserFactory(
        username="zongzhi", unit=governance_centre, roles=[Role.DEPARTMENT_STAFF, Role.GOVERNANCE]
    )


@pytest.fixture
def caishen(finance_centre):
    return factories.UserFactory(username="caishen", unit=finance_centre, roles=[Role.DEPARTMENT_STAFF])


def image_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def photo():
    def make(name="photo.jpg", size=(40, 30)):
        return SimpleUploadedFile(name, image_bytes(size), content_type="image/jpeg")

    return make
