"""seed_demo's issue-19 case work (demo.case_work): a meeting with two registered cases and their outcomes, staff
rosters with attendance, a school inspection against the schools' checklist — and a second run changes nothing."""

import pytest

from assessment.models import Inspection
from demo import case_work
from demo.education import seed as seed_education
from demo.fraud_cases import seed as seed_cases
from demo.organization import seed_organization
from demo.publicity import seed as seed_publicity
from demo.residents import seed_registry
from demo.schools import seed as seed_schools
from demo.warnings_followup import seed_warnings
from education.staff import StaffAttendance, StaffMember
from education.staff_services import staff_coverage
from organization.models import UnitKind
from publicity.models import MeetingCase

pytestmark = pytest.mark.django_db


def test_the_demo_case_work(travel_to):
    seed_organization()
    seed_registry()
    seed_warnings()
    seed_publicity()
    seed_schools()
    seed_education()
    seed_cases()
    counts = case_work.seed()
    assert counts["meeting_cases"] == 2
    linked = MeetingCase.objects.filter(fraud_case__isnull=False).select_related("fraud_case")
    assert linked.count() == 2
    assert [row.fraud_case.solved_on is not None for row in linked.order_by("fraud_case__reported_at")] == [True, False]
    assert StaffMember.objects.count() == counts["staff"] > 0
    school = Inspection.objects.get(client_id=case_work.INSPECTION_ID).unit
    assert school.kind == UnitKind.SCHOOL
    rows = (MeetingCase.objects.count(), StaffAttendance.objects.count(), Inspection.objects.count())
    case_work.seed()
    assert rows == (MeetingCase.objects.count(), StaffAttendance.objects.count(), Inspection.objects.count())
    coverage = staff_coverage(school=school, semester=None)
    assert coverage.total == len(case_work.STAFF)


def test_seed_demo_builds_every_piece_of_issue_19(settings):
    """``make run``'s seed_demo (not the seeders one by one): village activities, the finance roster and a push read
    by some, a meeting with two registry cases and their outcomes (破案, 追赃挽损, 诉讼) counted for the leadership,
    staff rosters with someone who missed every staff session, and a school inspection."""
    import datetime
    from io import StringIO

    from django.core.management import call_command

    from education.models import EducationSession, SessionKind
    from fraud_cases.meetings import meeting_outcomes
    from organization.models import Unit, User
    from publicity.models import Activity, Category, FinanceStaff

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    town = "/440605/440605124/"
    assert Activity.objects.filter(unit__kind=UnitKind.VILLAGE, unit__path__startswith=town).count() >= 6
    assert FinanceStaff.objects.filter(keeper__name="财审中心").count() >= 10
    push = Activity.objects.get(category=Category.FINANCE_PUSH, finance_push__isnull=False)
    read = [r.read_confirmed_at is not None for r in push.recipients.all()]
    assert any(read) and not all(read)

    linked = list(MeetingCase.objects.filter(fraud_case__isnull=False).select_related("fraud_case", "activity"))
    assert len(linked) == 2
    solved = [row.fraud_case for row in linked if row.fraud_case.solved_on]
    assert len(solved) == 1 and solved[0].prosecution_stage and solved[0].recovered_amount > 0
    assert all(row.fraud_case.recovered_amount > 0 for row in linked)
    held_on = linked[0].activity.held_on
    figures = meeting_outcomes(
        user=User.objects.get(username="leader"), start=held_on - datetime.timedelta(days=1), end=held_on
    )
    assert (figures["discussed"], figures["solved"], figures["prosecuted"]) == (2, 1, 1)

    listed = []
    for school in Unit.objects.filter(kind=UnitKind.SCHOOL, path__startswith=town):
        assert StaffMember.objects.filter(school=school).count() == len(case_work.STAFF)
        session = EducationSession.objects.filter(school=school, kind=SessionKind.STAFF).first()
        if session is not None:
            coverage = staff_coverage(school=school, semester=session.semester)
            listed += [member.name for member in coverage.missed_all]
            assert 0 < coverage.percent < 100
    assert listed and set(listed) == {case_work.STAFF[-1][0]}  # who missed every staff session is listed
    assert Inspection.objects.get(client_id=case_work.INSPECTION_ID).unit.kind == UnitKind.SCHOOL
