"""seed_demo's education work: this semester's sessions, broadcast days and return slips for both schools."""

import pytest
from django.db import transaction

from demo import education as demo
from demo.organization import TOWN, seed_organization
from education.models import BroadcastDay, EducationSession, ParentNotice, ReturnSlip, Semester, SupervisingSchool
from education.selectors import compliance_for_schools
from organization.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from demo.schools import seed as seed_schools

    with django_db_blocker.unblock(), transaction.atomic():
        seed_organization()
        seed_schools()
        first = demo.seed()
        again = demo.seed()
        yield first, again
        transaction.set_rollback(True)


def test_demo_fills_the_semester_for_both_schools_once(seeded):
    first, again = seeded
    assert Semester.objects.count() == 1
    assert first["sessions"] >= 4 and again["sessions"] == 0
    middle, centre = (Unit.objects.get(code=f"{TOWN[0]}{suffix}") for suffix in ("S02", "S01"))
    assert EducationSession.objects.filter(school=middle).exists()
    assert EducationSession.objects.filter(school=centre).exists()
    assert all(session.attachments.exists() for session in EducationSession.objects.all())
    assert BroadcastDay.objects.filter(school=middle).count() == first["broadcast_days"]
    assert not BroadcastDay.objects.filter(school=centre).exists()
    assert ParentNotice.objects.filter(school=centre).exists() and ReturnSlip.objects.exists()


def test_demo_compliance_looks_believable(seeded):
    middle, centre = (Unit.objects.get(code=f"{TOWN[0]}{suffix}") for suffix in ("S02", "S01"))
    rows = {row.school.code: row for row in compliance_for_schools([middle, centre])}
    mid = rows[middle.code]
    assert mid.broadcast.required and mid.broadcast.logged > 0
    assert 0 < mid.slips_collected < mid.slips_expected  # some slips missing
    assert rows[centre.code].classes


def test_demo_names_the_middle_school_and_the_centre_school_supervises(seeded):
    """The plan's schools: 罗村中学 holds the micro-classes and broadcasts daily; 罗村镇中心学校 supervises."""
    middle, centre = (Unit.objects.get(code=f"{TOWN[0]}{suffix}") for suffix in ("S02", "S01"))
    assert list(Semester.objects.get().student_education_schools.all()) == [middle]
    assert list(SupervisingSchool.objects.values_list("school", flat=True)) == [centre.pk]
    rows = {row.school.code: row for row in compliance_for_schools([middle, centre])}
    assert rows[middle.code].micro_classes.applies and rows[middle.code].broadcast.required
    assert not rows[centre.code].micro_classes.applies and not rows[centre.code].broadcast.required
    assert rows[centre.code].staff_sessions.applies and not rows[centre.code].broadcast.missed_days


@pytest.mark.parametrize("days", range(0, 371, 53))  # every day of the week, and the year round
def test_the_demo_semester_follows_today_so_the_broadcast_can_be_logged(days):
    """Whatever day the demo is seeded, today is a school day of its semester and no session lies ahead."""
    import datetime

    from education.calendar import SchoolCalendar

    today = datetime.date(2026, 12, 7) + datetime.timedelta(days=days)
    dates = demo.semester_dates(today)
    assert dates["starts_on"] < today < dates["ends_on"] and dates["starts_on"].weekday() == 0
    semester = Semester(**dates)
    changes = demo._changes(semester, today)
    calendar = SchoolCalendar(semester, changes)
    assert calendar.is_school_day(today)
    assert len(calendar.days_until(today, inclusive=False)) > 50  # a semester's worth of broadcast days behind
    assert all(
        demo._school_day(semester, offset) < today
        for _kind, sessions in demo.SESSIONS.values()
        for _k, offset, *_ in sessions
    )
