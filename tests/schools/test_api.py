"""The schools API: students masked and scoped; card applications filed once per client_id; the chain's
steps answer 403 for the wrong side, 409 out of order and 404 outside the caller's scope."""

import datetime
import uuid

import pytest
from django.utils import timezone

from audit.models import AccessAction, AccessLog
from schools.models import ApplicationStatus, CardApplication, StudentCard
from tests.schools.factories import CardApplicationFactory, StudentFactory

S = ApplicationStatus
STUDENTS = "/api/v1/students/"
APPLICATIONS = "/api/v1/card-applications/"


def _transition(client, application, **body):
    return client.post(f"{APPLICATIONS}{application.pk}/transition/", body, format="json")


def test_school_staff_list_their_students_masked(api_as, school, student, other_student):
    response = api_as(school).get(STUDENTS)
    assert response.status_code == 200
    rows = response.json()["results"] if "results" in response.json() else response.json()
    assert [row["name"] for row in rows] == ["李小明"]
    row = rows[0]
    assert set(row) == {"id", "name", "school", "grade", "class_name", "id_number"}
    assert row["school"] == "SCH" and row["class_name"] == "3班"
    assert row["id_number"] != student.id_number and "*" in row["id_number"]


def test_police_see_the_students_of_every_school_in_the_town(api_as, police, student, other_student):
    response = api_as(police).get(STUDENTS)
    rows = response.json()["results"] if "results" in response.json() else response.json()
    assert {row["name"] for row in rows} == {"李小明", "黄小红"}


@pytest.mark.parametrize("username", ["grid_a", "leader", "department_staff"])
def test_other_roles_may_not_list_students(api_as, request, username, student):
    user = request.getfixturevalue(username)
    assert api_as(user).get(STUDENTS).status_code == 403
    assert api_as(user).get(f"{STUDENTS}{student.pk}/").status_code == 404


def test_a_student_of_another_school_is_not_found(api_as, school, other_student):
    assert api_as(school).get(f"{STUDENTS}{other_student.pk}/").status_code == 404


def test_filing_an_application_is_idempotent_by_client_id(api_as, school, student):
    client = api_as(school)
    body = {
        "student": student.pk,
        "card_type": "sim",
        "issuer": "中国移动",
        "reason": "住校联系家长",
        "guardian_consent": True,
        "client_id": str(uuid.uuid4()),
    }
    first = client.post(APPLICATIONS, body, format="json")
    assert first.status_code == 201, first.json()
    again = client.post(APPLICATIONS, body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert CardApplication.objects.count() == 1
    data = first.json()
    assert data["status"] == "submitted"
    assert data["verify_url"].startswith("http") and "/verify/" in data["verify_url"]


def test_filing_without_consent_or_for_an_unknown_student_is_refused(api_as, school, student, other_student):
    client = api_as(school)
    body = {"student": student.pk, "card_type": "bank", "issuer": "农行", "reason": "x", "guardian_consent": False}
    assert client.post(APPLICATIONS, body, format="json").status_code == 400
    body.update(guardian_consent=True, student=other_student.pk)
    assert client.post(APPLICATIONS, body, format="json").status_code == 400
    assert not CardApplication.objects.exists()


def test_police_may_not_file(api_as, police, student):
    body = {"student": student.pk, "card_type": "bank", "issuer": "农行", "reason": "x", "guardian_consent": True}
    assert api_as(police).post(APPLICATIONS, body, format="json").status_code == 403


def test_the_chain_through_the_api(api_as, school, police, student, seal):
    application = CardApplicationFactory(student=student)
    school_client = api_as(school)
    assert _transition(school_client, application, action="school_approve").json()["status"] == "school_approved"
    appointment = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = _transition(
        school_client, application, action="assign_escort", escort="school", appointment_at=appointment
    )
    assert response.status_code == 200, response.json()
    assert response.json()["escort"] == "school"
    police_client = api_as(police)
    assert _transition(police_client, application, action="police_clear").json()["status"] == "police_cleared"
    school_client = api_as(school)
    response = _transition(
        school_client, application, action="record_opened", last4="4321", opened_on=str(timezone.localdate())
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "opened"
    assert StudentCard.objects.get(application=application).last4 == "4321"


def test_out_of_order_answers_409(api_as, school, student):
    application = CardApplicationFactory(student=student)
    response = _transition(api_as(school), application, action="record_opened", last4="1234", opened_on="2026-01-01")
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_wrong_side_answers_403(api_as, school, police, student):
    at_police = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    assert _transition(api_as(school), at_police, action="police_clear").status_code == 403
    submitted = CardApplicationFactory(student=student, card_type="sim")
    assert _transition(api_as(police), submitted, action="school_approve").status_code == 403


def test_another_schools_application_is_not_found(api_as, school_c, student):
    application = CardApplicationFactory(student=student)
    client = api_as(school_c)
    assert client.get(f"{APPLICATIONS}{application.pk}/").status_code == 404
    assert _transition(client, application, action="school_approve").status_code == 404


def test_assign_escort_needs_a_staff_member_of_the_school(api_as, school, school_c, student):
    application = CardApplicationFactory(student=student, status=S.SCHOOL_APPROVED)
    client = api_as(school)
    appointment = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert _transition(client, application, action="assign_escort", appointment_at=appointment).status_code == 400
    response = _transition(client, application, action="assign_escort", escort="school_c", appointment_at=appointment)
    assert response.status_code == 400
    assert "escort" in response.json()


def test_reading_an_application_is_access_logged(api_as, police, student):
    application = CardApplicationFactory(student=student)
    response = api_as(police).get(f"{APPLICATIONS}{application.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert AccessLog.objects.filter(action=AccessAction.VIEW, object_id=str(student.pk)).exists()


def test_the_student_list_runs_a_bounded_number_of_queries(
    api_as, school, middle_school, django_assert_max_num_queries
):
    StudentFactory.create_batch(30, school=middle_school)
    client = api_as(school)
    with django_assert_max_num_queries(8):
        assert client.get(STUDENTS).status_code == 200
