"""A factory per model of the schools app. Students get valid, unique generated ID numbers."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from core.crypto import blind_index
from core.uploads import IMAGE, check_upload
from core.validators import make_id_number
from schools.models import ApplicationStatus, CardApplication, CardType, SchoolProfile, Student, StudentCard
from tests.factories import SchoolFactory


def _id_number(n: int) -> str:
    birth = datetime.date(2010, 1, 1) + datetime.timedelta(days=n // 1000)
    return make_id_number("440605", birth, n % 1000)


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    grade = "初二"
    class_name = "3班"
    name = factory.Sequence(lambda n: f"学生{n}")
    guardian_name = factory.Sequence(lambda n: f"家长{n}")
    id_number = factory.Sequence(_id_number)
    id_number_hash = factory.LazyAttribute(lambda o: blind_index(o.id_number, purpose="id_number"))
    guardian_phone = factory.Sequence(lambda n: f"139{n:08d}")
    guardian_phone_hash = factory.LazyAttribute(lambda o: blind_index(o.guardian_phone, purpose="phone"))


class StudentCardFactory(DjangoModelFactory):
    class Meta:
        model = StudentCard

    student = factory.SubFactory(StudentFactory)
    card_type = CardType.SIM
    issuer = "中国移动"
    last4 = factory.Sequence(lambda n: f"{n % 10000:04d}")
    opened_on = datetime.date(2025, 9, 1)


class CardApplicationFactory(DjangoModelFactory):
    """An application in any state, written directly (tests of the chain go through the services)."""

    class Meta:
        model = CardApplication

    student = factory.SubFactory(StudentFactory)
    card_type = CardType.BANK
    issuer = "中国农业银行"
    reason = "领取奖学金"
    guardian_consent = True
    status = ApplicationStatus.SUBMITTED


def png_upload(name="seal.png", size=(80, 80), color=(200, 20, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def checked_png(**kwargs):
    return check_upload(png_upload(**kwargs), (IMAGE,))


class SchoolProfileFactory(DjangoModelFactory):
    class Meta:
        model = SchoolProfile
        django_get_or_create = ("school",)

    school = factory.SubFactory(SchoolFactory)
