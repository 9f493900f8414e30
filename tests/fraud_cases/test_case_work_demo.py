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
