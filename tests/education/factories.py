"""Factories of the education work (and a student, for return slips)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from core.validators import make_id_number
from education.models import (
    BroadcastDay,
    CalendarChange,
    EducationSession,
    ParentNotice,
    ReturnSlip,
    Semester,
    SessionKind,
)
from education.staff import StaffAttendance, StaffMember, StaffRole
from organization.models import Unit, UnitKind
from schools.models import Student
from tests.factories import SchoolFactory, TownFactory


def _a_town():
    """A semester's town unless told: the first town there is (tests/conftest.py's 罗村镇), or a new one."""
    return Unit.objects.filter(kind=UnitKind.TOWN).order_by("pk").first() or TownFactory()


def _town_of_school(school):
    return school.ancestor(UnitKind.TOWN) or _a_town()


class SemesterFactory(DjangoModelFactory):
    """A town's semester (each town sets its own: ``town=``; by default the first town)."""

    class Meta:
        model = Semester
        django_get_or_create = ("town", "name")
        skip_postgeneration_save = True

    town = factory.LazyFunction(_a_town)
    name = factory.Sequence(lambda n: f"2026秋季学期{n}")
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 1, 20)
    required_staff_sessions = 2
    required_micro_classes = 2

    @factory.post_generation
    def student_education_schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.student_education_schools.set(extracted)


class CalendarChangeFactory(DjangoModelFactory):
    class Meta:
        model = CalendarChange

    semester = factory.SubFactory(SemesterFactory)
    kind = CalendarChange.Kind.HOLIDAY
    starts_on = datetime.date(2026, 10, 1)
    ends_on = datetime.date(2026, 10, 7)
    name = "国庆节"


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    sequence = factory.Sequence(lambda n: n)
    school = factory.SubFactory(SchoolFactory)
    grade = "初一"
    class_name = "1班"
    name = factory.Sequence(lambda n: f"学生{n}")
    guardian_name = "家长"
    is_active = True

    @classmethod
    def _create(cls, model_class, *args, sequence=0, **kwargs):
        student = model_class(*args, **kwargs)
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=sequence // 1000)
        student.set_id_number(make_id_number("440605", birth, sequence % 1000))
        student.save()
        return student


class EducationSessionFactory(DjangoModelFactory):
    class Meta:
        model = EducationSession

    school = factory.SubFactory(SchoolFactory)
    semester = factory.SubFactory(
        SemesterFactory, town=factory.LazyAttribute(lambda o: _town_of_school(o.factory_parent.school))
    )
    kind = SessionKind.STAFF
    held_on = datetime.date(2026, 9, 15)
    topic = "识别刷单返利诈骗"
    audience = "全体教职员工"
    audience_size = 60


class BroadcastDayFactory(DjangoModelFactory):
    class Meta:
        model = BroadcastDay

    school = factory.SubFactory(SchoolFactory)
    semester = factory.SubFactory(
        SemesterFactory, town=factory.LazyAttribute(lambda o: _town_of_school(o.factory_parent.school))
    )
    day = datetime.date(2026, 9, 1)


class ParentNoticeFactory(DjangoModelFactory):
    class Meta:
        model = ParentNotice

    school = factory.SubFactory(SchoolFactory)
    semester = factory.SubFactory(
        SemesterFactory, town=factory.LazyAttribute(lambda o: _town_of_school(o.factory_parent.school))
    )
    grade = "初一"
    class_name = "1班"
    sent_on = datetime.date(2026, 9, 10)
    title = "致家长的一封信：防范电信网络诈骗"


class ReturnSlipFactory(DjangoModelFactory):
    class Meta:
        model = ReturnSlip

    notice = factory.SubFactory(ParentNoticeFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..notice.school"))
    collected_on = datetime.date(2026, 9, 12)


class StaffMemberFactory(DjangoModelFactory):
    """One of a school's staff (三(四) 教职员工)."""

    class Meta:
        model = StaffMember

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    role = StaffRole.TEACHER


class StaffAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = StaffAttendance

    session = factory.SubFactory(EducationSessionFactory)
    staff = factory.LazyAttribute(lambda o: StaffMemberFactory(school=o.session.school))
