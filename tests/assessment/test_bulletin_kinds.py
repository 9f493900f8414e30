"""The monthly bulletin has a section per kind of unit (四(一)、四(三)): villages as before, departments (publicity
activities, work tasks), schools (staff coverage, micro-classes and broadcast, card applications, students' and staff's
cases) and the police station (warnings pushed, first dissuasion in time, releases, cases recorded and solved), each
with the month's inspections and accountability items of that kind; in a fixed number of queries."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import bulletin
from assessment.models import AccountabilityKind
from core.periods import parse_period
from education.staff import SchoolCase
from organization.models import User
from publicity.models import TargetPeriod, TaskStatus
from tests.education.factories import EducationSessionFactory, StaffAttendanceFactory, StaffMemberFactory
from tests.factories import (
    DepartmentFactory,
    PoliceStationFactory,
    SchoolFactory,
    VillageFactory,
    WarningFactory,
)
from tests.publicity.factories import ActivityFactory, ActivityTargetFactory, WorkPlanFactory, WorkTaskFactory

from .factories import AccountabilityItemFactory, FraudCaseFactory, InspectionFactory

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = parse_period("2026-10")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def a_department_at_work(department):
    ActivityFactory(unit=department, held_on=datetime.date(2026, 10, 10))
    ActivityFactory(unit=department, held_on=datetime.date(2026, 10, 11))
    ActivityFactory(unit=department, held_on=datetime.date(2026, 9, 30))  # the month before: not counted
    ActivityTargetFactory(unit=department, period=TargetPeriod.MONTH, required=3)
    plan = WorkPlanFactory(unit=department, year=2026)
    WorkTaskFactory(plan=plan, status=TaskStatus.DONE, completed_on=datetime.date(2026, 10, 8))
    WorkTaskFactory(plan=plan, due_on=datetime.date(2026, 10, 1))  # overdue
    InspectionFactory(unit=department, inspected_on=datetime.date(2026, 10, 12), score=Decimal("85"))
    AccountabilityItemFactory(
        unit=department,
        kind=AccountabilityKind.DEPARTMENT_SUMMONS,
        reason="宣传活动不足",
        created_at=at(datetime.date(2026, 10, 14)),
    )


def a_school_at_work(school, village):
    covered, missing = (
        StaffMemberFactory(school=school, name="王老师"),
        StaffMemberFactory(school=school, name="李老师"),
    )
    session = EducationSessionFactory(school=school, held_on=datetime.date(2026, 9, 15))
    StaffAttendanceFactory(session=session, staff=covered)
    case = FraudCaseFactory(village=village, reported_at=at(datetime.date(2026, 10, 5)))
    SchoolCase.objects.create(case=case, school=school, staff=missing)
    InspectionFactory(unit=school, inspected_on=datetime.date(2026, 10, 15), score=Decimal("70"))
    AccountabilityItemFactory(
        unit=school,
        kind=AccountabilityKind.SCHOOL_SUMMONS,
        reason="广播未按时播放",
        created_at=at(datetime.date(2026, 10, 14)),
    )


def a_station_at_work(station, village):
    pushed = at(datetime.date(2026, 10, 3), 9)
    WarningFactory(village=village, pushed_at=pushed, first_dissuasion_at=pushed + datetime.timedelta(hours=1))
    WarningFactory(village=village, pushed_at=at(datetime.date(2026, 10, 4), 9))  # no dissuasion: late by now
    WarningFactory(village=village, pushed_at=at(datetime.date(2026, 9, 4), 9))  # the month before
    FraudCaseFactory(village=village, reported_at=at(datetime.date(2026, 10, 6)))
    FraudCaseFactory(village=village, reported_at=at(datetime.date(2026, 9, 1)), solved_on=datetime.date(2026, 10, 8))
    InspectionFactory(unit=station, inspected_on=datetime.date(2026, 10, 16), score=Decimal("90"))
    AccountabilityItemFactory(
        unit=station,
        kind=AccountabilityKind.STATION_SUMMONS,
        reason="首次劝阻超时",
        created_at=at(datetime.date(2026, 10, 14)),
    )


@pytest.fixture
def october(travel_to, town, village_a, publicity_office, middle_school, police_station):
    travel_to(datetime.date(2026, 11, 5))  # October is closed: its targets count in full
    a_department_at_work(publicity_office)
    a_school_at_work(middle_school, village_a)
    a_station_at_work(police_station, village_a)
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 10, 2), score=Decimal("60"))
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 9, 2), score=Decimal("50"))  # September
    AccountabilityItemFactory(unit=village_a, reason="入户覆盖率偏低", created_at=at(datetime.date(2026, 10, 14)))


def _row(page: str, code: str) -> str:
    found = re.search(rf'<tr data-testid="bulletin-unit" data-unit="{code}">(.*?)</tr>', page, re.S)
    assert found, code
    return found.group(1)


def _section(page: str, kind: str) -> str:
    found = re.search(
        rf'<section class="print-section" data-testid="bulletin-kind" data-kind="{kind}">(.*?)</section>', page, re.S
    )
    assert found, kind
    return found.group(1)


def test_the_bulletin_has_a_section_per_kind_of_unit(client, leader, october):
    client.force_login(leader)
    page = client.get("/assessment/bulletin/?period=2026-10").content.decode()
    assert 'data-testid="bulletin-ranking"' in page  # the villages' ranking, as before

    department = _row(page, "DEP")
    assert 'data-testid="bulletin-activities">2 / 3 ⚠</td>' in department
    assert 'data-testid="bulletin-tasks">1 / 1</td>' in department
    assert "85.0" in department

    school = _row(page, "SCH")
    assert 'data-testid="bulletin-staff-coverage">1 / 2 (50.0%)</td>' in school
    assert 'data-testid="bulletin-school-cases">0 / 1</td>' in school
    assert "70.0" in school

    station = _row(page, "PS")
    assert 'data-testid="bulletin-warnings">2</td>' in station
    assert 'data-testid="bulletin-dissuaded-in-time">1 / 2 (50.0%)</td>' in station
    # Reported in October: the school's staff member's case and one more; solved in October: September's case.
    assert 'data-testid="bulletin-station-cases">2 / 1</td>' in station
    assert "90.0" in station

    # Each kind's section lists that kind's inspections and items of the month, and no other kind's.
    for kind, reason, score in (
        ("village", "入户覆盖率偏低", "60.0"),
        ("department", "宣传活动不足", "85.0"),
        ("school", "广播未按时播放", "70.0"),
        ("police_station", "首次劝阻超时", "90.0"),
    ):
        section = _section(page, kind)
        assert section.count('data-testid="bulletin-kind-item"') == 1 and reason in section
        assert section.count('data-testid="bulletin-kind-inspection"') == 1 and score in section
    assert "50.0" not in _section(page, "village")  # September's inspection


def test_the_sections_run_a_fixed_number_of_queries_however_many_units(leader, town, october, village_a):
    def count() -> int:
        town.save()  # the scope's unit ids worked out again, in both counts
        user = User.objects.get(pk=leader.pk)
        with CaptureQueriesContext(connection) as queries:
            sections = bulletin.sections(user=user, period=OCTOBER)
        return len(queries), sections

    count()
    before, sections = count()
    assert {kind: len(section.rows) for kind, section in sections.items()} == {
        "village": 1,
        "department": 1,
        "school": 1,
        "police_station": 1,
    }
    for index in range(3):
        village = VillageFactory(parent=town, code=f"VX{index}")
        a_department_at_work(DepartmentFactory(parent=town, code=f"DX{index}"))
        a_school_at_work(SchoolFactory(parent=town, code=f"SX{index}"), village)
        a_station_at_work(PoliceStationFactory(parent=town, code=f"PX{index}"), village)
    after, sections = count()
    assert len(sections["school"].rows) == 4 and len(sections["police_station"].inspections) == 4
    assert after == before
