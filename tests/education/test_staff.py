"""A school keeps its staff roster; the staff sessions record who attended, so the staff's coverage is a percentage
and whoever missed every staff session of the semester is listed; the police mark a registered case as a
student's (by the victim's ID number) or a staff member's, and the school's page shows the count (三(四))."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from education.staff import SchoolCase, StaffAttendance, StaffMember
from education.staff_services import school_case_mark, staff_coverage
from tests import factories
from tests.fraud_cases.factories import FraudCaseFactory

from .factories import EducationSessionFactory, StaffAttendanceFactory, StaffMemberFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def roster(middle_school):
    return [StaffMemberFactory(school=middle_school, name=name) for name in ("王老师", "李老师", "陈老师", "张老师")]


class TestTheRoster:
    def test_the_school_adds_its_staff_by_name_and_role(self, client, school, middle_school, today, semester):
        client.force_login(school)
        url = reverse("education:staff_roster", args=[middle_school.pk])
        response = client.post(url, {"name": "黄老师", "role": "head_teacher"})
        assert response.status_code == 302
        member = StaffMember.objects.get()
        assert (member.school, member.name, member.get_role_display()) == (middle_school, "黄老师", "Class teacher")
        assert "黄老师" in client.get(url).content.decode()

    def test_a_member_who_left_is_off_the_roster(self, client, school, middle_school, roster, today, semester):
        client.force_login(school)
        client.post(reverse("education:staff_deactivate", args=[middle_school.pk, roster[0].pk]))
        roster[0].refresh_from_db()
        assert not roster[0].is_active
        assert staff_coverage(school=middle_school, semester=semester).total == 3

    def test_leadership_reads_it_but_may_not_add(self, client, leader, middle_school, roster, today, semester):
        client.force_login(leader)
        url = reverse("education:staff_roster", args=[middle_school.pk])
        assert "王老师" in client.get(url).content.decode()
        assert client.post(url, {"name": "x", "role": "teacher"}).status_code == 403
        assert StaffMember.objects.count() == 4

    def test_another_schools_staff_get_404(self, client, school_c, middle_school, roster):
        client.force_login(school_c)
        assert client.get(reverse("education:staff_roster", args=[middle_school.pk])).status_code == 404
        response = client.post(reverse("education:staff_deactivate", args=[middle_school.pk, roster[0].pk]))
        assert response.status_code == 404


class TestCoverage:
    def test_attendance_makes_a_percentage_and_lists_who_missed_both_sessions(
        self, client, school, middle_school, roster, semester, today
    ):
        first = EducationSessionFactory(school=middle_school, semester=semester)
        second = EducationSessionFactory(school=middle_school, semester=semester)
        client.force_login(school)
        response = client.post(
            reverse("education:session_attendance", args=[first.pk]), {"staff": [roster[0].pk, roster[1].pk]}
        )
        assert response.status_code == 302
        client.post(reverse("education:session_attendance", args=[second.pk]), {"staff": [roster[1].pk]})
        coverage = staff_coverage(school=middle_school, semester=semester)
        assert (coverage.covered, coverage.total, coverage.percent) == (2, 4, 50.0)
        assert [m.name for m in coverage.missed_all] == ["张老师", "陈老师"]
        page = client.get(reverse("education:staff_roster", args=[middle_school.pk])).content.decode()
        assert "2 of 4 staff attended" in page and "陈老师" in page
        assert "2 / 4 (50.0%)" in client.get(reverse("education:school", args=[middle_school.pk])).content.decode()
        assert AuditEvent.objects.filter(event="staff_attendance").count() == 2

    def test_ticking_again_replaces_the_list_and_ignores_other_schools_staff(
        self, client, school, middle_school, centre_school, roster, semester, today
    ):
        session = EducationSessionFactory(school=middle_school, semester=semester)
        stranger = StaffMemberFactory(school=centre_school)
        client.force_login(school)
        url = reverse("education:session_attendance", args=[session.pk])
        client.post(url, {"staff": [roster[0].pk, roster[1].pk]})
        client.post(url, {"staff": [roster[1].pk, stranger.pk]})
        assert list(StaffAttendance.objects.values_list("staff", flat=True)) == [roster[1].pk]

    def test_a_micro_class_keeps_no_staff_attendance(self, client, school, middle_school, semester, today):
        session = EducationSessionFactory(school=middle_school, semester=semester, kind="micro_class")
        client.force_login(school)
        assert client.get(reverse("education:session_attendance", args=[session.pk])).status_code == 404

    def test_nobody_is_listed_before_a_session_is_held(self, middle_school, roster, semester):
        coverage = staff_coverage(school=middle_school, semester=semester)
        assert (coverage.covered, coverage.total, coverage.missed_all) == (0, 4, [])

    def test_another_school_may_not_tick_attendance(self, client, school_c, middle_school, semester):
        attendance = StaffAttendanceFactory(session=EducationSessionFactory(school=middle_school, semester=semester))
        client.force_login(school_c)
        assert client.get(reverse("education:session_attendance", args=[attendance.session.pk])).status_code == 404


class TestZeroCases:
    def test_the_police_mark_a_students_case_by_the_victims_id_number(
        self, client, police, school, middle_school, village_a, today, semester
    ):
        student = StudentFactory(school=middle_school)
        case = FraudCaseFactory(village=village_a)
        case.victim.id_number_hash = student.id_number_hash
        case.victim.save(update_fields=["id_number_hash"])
        client.force_login(police)
        response = client.post(reverse("education:school_cases"), {"case_number": case.case_number})
        assert response.status_code == 302
        mark = SchoolCase.objects.get()
        assert (mark.school, mark.student, mark.staff) == (middle_school, student, None)
        client.force_login(school)
        page = client.get(reverse("education:school", args=[middle_school.pk])).content.decode()
        assert 'data-testid="school-cases-students">1<' in page

    def test_a_staff_members_case_is_chosen_from_the_roster(self, police, middle_school, roster, village_a):
        case = FraudCaseFactory(village=village_a)
        mark = school_case_mark(actor=police, case=case, staff=roster[2])
        assert (mark.school, mark.staff, mark.student) == (middle_school, roster[2], None)

    def test_the_school_page_counts_a_staff_members_case_apart_from_the_students(
        self, client, police, school, middle_school, roster, village_a, today, semester
    ):
        school_case_mark(actor=police, case=FraudCaseFactory(village=village_a), staff=roster[0])
        school_case_mark(actor=police, case=FraudCaseFactory(village=village_a), staff=roster[1])
        client.force_login(school)
        page = client.get(reverse("education:school", args=[middle_school.pk])).content.decode()
        assert 'data-testid="school-cases-staff">2<' in page
        assert 'data-testid="school-cases-students">0<' in page

    def test_a_victim_who_is_no_student_needs_the_staff_member(self, client, police, middle_school, village_a):
        case = FraudCaseFactory(village=village_a)
        client.force_login(police)
        response = client.post(reverse("education:school_cases"), {"case_number": case.case_number})
        assert response.status_code == 200
        assert "staff" in response.context["form"].errors
        assert not SchoolCase.objects.exists()

    def test_only_the_police_mark_cases(self, client, school, leader):
        for user in (school, leader):
            client.force_login(user)
            assert client.get(reverse("education:school_cases")).status_code == 404

    def test_a_case_of_another_town_is_not_found(self, client, police, middle_school, roster):
        other = FraudCaseFactory(village=factories.VillageFactory(parent=factories.TownFactory(code="T9")))
        client.force_login(police)
        response = client.post(
            reverse("education:school_cases"), {"case_number": other.case_number, "staff": roster[0].pk}
        )
        assert "case_number" in response.context["form"].errors
