"""A hand-made school term: September 2026 with a holiday and a make-up day, one middle school with three
classes, and the centre school next door (for scope).

School days: the 22 weekdays of September 2026, minus the Mid-Autumn holiday (Fri 25th), plus the make-up
Sunday 27th = 22. "Today" is Wed 16 September: 11 school days have passed (1–4, 7–11, 14–15), half of 22.
"""

import datetime

import pytest

from education.models import CalendarChange

from .factories import CalendarChangeFactory, SemesterFactory, StudentFactory

TODAY = datetime.date(2026, 9, 16)


@pytest.fixture
def semester(middle_school):
    semester = SemesterFactory(
        name="2026年9月测试学期",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
        student_education_schools=[middle_school],
    )
    CalendarChangeFactory(
        semester=semester, starts_on=datetime.date(2026, 9, 25), ends_on=datetime.date(2026, 9, 25), name="中秋节"
    )
    CalendarChangeFactory(
        semester=semester,
        kind=CalendarChange.Kind.MAKEUP_DAY,
        starts_on=datetime.date(2026, 9, 27),
        ends_on=datetime.date(2026, 9, 27),
        name="调休",
    )
    return semester


@pytest.fixture
def classes(middle_school):
    """初一1班: 4 active students and one who left; 初一2班: 3; 初二1班: 2."""
    rows = {
        "1": [StudentFactory(school=middle_school, grade="初一", class_name="1班", name=f"一一{i}") for i in range(4)],
        "2": [StudentFactory(school=middle_school, grade="初一", class_name="2班", name=f"一二{i}") for i in range(3)],
        "3": [StudentFactory(school=middle_school, grade="初二", class_name="1班", name=f"二一{i}") for i in range(2)],
    }
    rows["left"] = StudentFactory(school=middle_school, grade="初一", class_name="1班", name="转学生", is_active=False)
    return rows


@pytest.fixture
def today(travel_to):
    """The clock on TODAY (noon) for services, views and factories."""
    travel_to(TODAY)
    return TODAY
