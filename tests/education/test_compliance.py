"""Compliance counts against the hand-made term in conftest (see its docstring for the calendar)."""

import datetime

import pytest
from django.utils import translation

from education.calendar import SchoolCalendar
from education.models import SessionKind
from education.selectors import compliance_for_school, compliance_for_schools

from .conftest import TODAY
from .factories import BroadcastDayFactory, EducationSessionFactory, ParentNoticeFactory, ReturnSlipFactory


@pytest.fixture(autouse=True)
def english(settings):
    """These stories check the English source wording (the default language, zh-hans, is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def term(semester, middle_school, classes):
    EducationSessionFactory(school=middle_school, semester=semester, kind=SessionKind.STAFF, held_on=D(2026, 9, 10))
    for day in (1, 2, 3, 4, 7, 8, 9, 10, 11, 12):  # the 12th is a Saturday: logged, but not a school day
        BroadcastDayFactory(school=middle_school, semester=semester, day=D(2026, 9, day))
    first = ParentNoticeFactory(
        school=middle_school, semester=semester, grade="初一", class_name="1班", sent_on=D(2026, 9, 1)
    )
    for student in [*classes["1"][:3], classes["left"]]:
        ReturnSlipFactory(notice=first, student=student)
    second = ParentNoticeFactory(
        school=middle_school, semester=semester, grade="初一", class_name="2班", sent_on=D(2026, 9, 14)
    )
    ReturnSlipFactory(notice=second, student=classes["2"][0])
    return semester


def test_school_days_are_weekdays_minus_holidays_plus_makeup_days(semester):
    calendar = SchoolCalendar(semester)
    assert calendar.total == 22
    assert not calendar.is_school_day(D(2026, 9, 25))  # Mid-Autumn
    assert calendar.is_school_day(D(2026, 9, 27))  # make-up Sunday
    assert not calendar.is_school_day(D(2026, 9, 12))
    assert len(calendar.days_until(TODAY, inclusive=False)) == 11


def test_sessions_done_against_required_with_a_pro_rata_warning(term, middle_school):
    result = compliance_for_school(middle_school, today=TODAY)
    assert result.elapsed_school_days == 11
    staff, micro = result.staff_sessions, result.micro_classes
    assert (staff.done, staff.required, staff.expected_by_now, staff.behind) == (1, 2, 1, False)
    assert (micro.done, micro.required, micro.expected_by_now, micro.behind) == (0, 2, 1, True)
    assert any("0 of 2" in warning for warning in result.warnings)


def test_the_required_number_is_set_per_semester(term, middle_school):
    term.required_staff_sessions = 4
    term.save()
    staff = compliance_for_school(middle_school, today=TODAY).staff_sessions
    assert (staff.done, staff.required, staff.expected_by_now, staff.behind) == (1, 4, 2, True)


def test_a_requirement_not_met_near_the_end_is_at_risk(term, middle_school):
    EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.MICRO_CLASS, held_on=D(2026, 9, 2))
    EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.MICRO_CLASS, held_on=D(2026, 9, 3))
    late = compliance_for_school(middle_school, today=D(2026, 9, 21))
    # 14 school days gone of 22 (expected 1 staff session, 1 held) but only 8 left: at risk.
    assert late.staff_sessions.expected_by_now == 1
    assert late.staff_sessions.remaining_school_days == 8
    assert late.staff_sessions.behind
    assert late.micro_classes.met and not late.micro_classes.behind


def test_broadcast_days_logged_against_school_days_so_far(term, middle_school):
    broadcast = compliance_for_school(middle_school, today=TODAY).broadcast
    assert broadcast.required
    assert (broadcast.logged, broadcast.school_days, broadcast.total_school_days) == (9, 11, 22)
    assert broadcast.missed_days == [D(2026, 9, 14), D(2026, 9, 15)]
    assert broadcast.at_risk and not broadcast.logged_today

    BroadcastDayFactory(school=middle_school, semester=term, day=TODAY)
    broadcast = compliance_for_school(middle_school, today=TODAY).broadcast
    assert (broadcast.logged, broadcast.school_days, broadcast.logged_today) == (10, 12, True)


def test_a_school_that_does_not_broadcast_has_no_broadcast_requirement(term, centre_school):
    result = compliance_for_school(centre_school, today=TODAY)
    assert not result.broadcast.required and not result.broadcast.at_risk


def test_return_slip_coverage_per_class(term, middle_school):
    result = compliance_for_school(middle_school, today=TODAY)
    rows = {row.label: row for row in result.classes}
    assert list(rows) == ["初一1班", "初一2班", "初二1班"]
    one, two, three = rows["初一1班"], rows["初一2班"], rows["初二1班"]
    # The student who left is neither expected nor counted.
    assert (one.students, one.notices, one.collected, one.missing, one.percent) == (4, 1, 3, 1, 75.0)
    assert one.overdue  # sent on the 1st, more than 7 days ago, still missing one
    assert (two.students, two.collected, two.missing, two.overdue) == (3, 1, 2, False)  # sent 2 days ago
    assert (three.notices, three.expected, three.no_notice_late) == (0, 0, True)  # half the term gone
    assert (result.slips_collected, result.slips_expected) == (4, 7)
    assert result.slip_percent == round(4 / 7 * 100, 1)


def test_a_school_with_nothing_done_is_at_risk_and_one_without_a_semester_is_empty(middle_school, semester):
    assert compliance_for_school(middle_school, today=TODAY).at_risk
    assert compliance_for_school(middle_school, today=D(2030, 1, 1)).semester == semester  # the last one
    from education.models import Semester

    Semester.objects.all().delete()
    empty = compliance_for_school(middle_school, today=TODAY)
    assert empty.semester is None and not empty.warnings


def test_compliance_runs_a_bounded_number_of_queries(term, middle_school, town, django_assert_max_num_queries):
    from tests.factories import SchoolFactory

    from .factories import StudentFactory

    schools = [middle_school, *(SchoolFactory(parent=town) for _ in range(4))]
    for school in schools[1:]:
        for grade in ("初一", "初二"):
            for index in range(6):
                StudentFactory(school=school, grade=grade, class_name=f"{index % 3 + 1}班")
        ParentNoticeFactory(school=school, semester=term, grade="初一", class_name="1班")
    with django_assert_max_num_queries(9):
        rows = compliance_for_schools(schools, today=TODAY)
    assert len(rows) == 5
