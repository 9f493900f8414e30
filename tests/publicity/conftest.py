"""The publicity office with its duty (tests/conftest.py has the other offices and their staff), photos."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publicity.models import Duty
from tests import factories

from .factories import UnitDutyFactory


@pytest.fixture
def publicity_office(town):
    office = factories.DepartmentFactory(code="DEP", name="宣传办", parent=town)
    UnitDutyFactory(unit=office, duty=Duty.PUBLICITY_OFFICE)
    return office


def image_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def photo():
    def make(name="photo.jpg", size=(40, 30)):
        return SimpleUploadedFile(name, image_bytes(size), content_type="image/jpeg")

    return make
