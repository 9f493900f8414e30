"""The schools pages: who sees students (their school's staff, the police), masked numbers and logged
reveals, the queues, the chain's steps on the page, the printable form and the public verification page."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLog
from schools.models import ApplicationStatus, CardApplication, SchoolProfile
from schools.selectors import applications_by_state
from tests.schools.factories import CardApplicationFactory, StudentCardFactory, StudentFactory, png_upload

S = ApplicationStatus


@pytest.fixture
def as_user(client):
    """The client signed in as ``user``, in English (the messages checked here are the source strings)."""

    def login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


# --- students --------------------------------------------------------------------------------------


def test_school_staff_see_only_their_students(as_user, school, student, other_student):
    response = as_user(school).get(reverse("schools:student_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "李小明" in content and "黄小红" not in content
    assert student.id_number not in content
    assert student.masked_id_number in content


def test_police_see_every_school_in_the_town(as_user, police, student, other_student):
    content = as_user(police).get(reverse("schools:student_list")).content.decode()
    assert "李小明" in content and "黄小红" in content


@pytest.mark.parametrize("username", ["grid_a", "leader", "department_staff", "head_a"])
def test_minors_data_is_hidden_from_other_roles(as_user, request, username, student):
    user = request.getfixturevalue(username)
    client = as_user(user)
    assert client.get(reverse("schools:student_list")).status_code == 404
    assert client.get(reverse("schools:student_detail", args=[student.pk])).status_code == 404
    assert client.get(reverse("schools:queue")).status_code == 404


def test_the_list_filters_by_class_and_finds_by_exact_id_number(as_user, school, middle_school, student):
    StudentFactory(school=middle_school, name="王五", grade="初一", class_name="1班")
    client = as_user(school)
    content = client.get(reverse("schools:student_list"), {"grade": "初一"}).content.decode()
    assert "王五" in content and "李小明" not in content
    response = client.post(reverse("schools:student_list"), {"q": student.id_number})
    content = response.content.decode()
    assert response.status_code == 200
    assert "李小明" in content and "王五" not in content
    assert student.id_number not in content and student.masked_id_number in content
    search = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert search.object_id == str(student.pk) and search.fields == "id_number"
    # A search by name posts too, and is redirected to the ordinary list URL.
    response = client.post(reverse("schools:student_list"), {"q": "王", "grade": "初一"})
    assert response.status_code == 302 and "grade=" in response.url


def test_the_student_list_runs_a_bounded_number_of_queries(
    as_user, school, middle_school, django_assert_max_num_queries
):
    for student in StudentFactory.create_batch(40, school=middle_school):
        StudentCardFactory(student=student)
    client = as_user(school)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("schools:student_list")).status_code == 200


def test_a_student_of_another_school_is_not_found(as_user, school, other_student):
    assert as_user(school).get(reverse("schools:student_detail", args=[other_student.pk])).status_code == 404


def test_the_students_page_is_masked_and_the_reveal_is_logged(as_user, police, student):
    StudentCardFactory(student=student, issuer="中国联通", last4="6789")
    client = as_user(police)
    response = client.get(reverse("schools:student_detail", args=[student.pk]))
    content = response.content.decode()
    assert student.id_number not in content and student.guardian_phone not in content
    assert "6789" in content and "中国联通" in content
    assert AccessLog.objects.filter(action=AccessAction.VIEW, object_id=str(student.pk)).count() == 1
    revealed = client.post(reverse("schools:student_reveal", args=[student.pk])).content.decode()
    assert student.id_number in revealed and student.guardian_phone in revealed
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert log.object_id == str(student.pk) and "id_number" in log.fields


def test_school_staff_add_a_student(as_user, school, middle_school):
    from core.validators import make_id_number

    number = make_id_number("440605", datetime.date(2012, 5, 6), 321)
    response = as_user(school).post(
        reverse("schools:student_create"),
        {"grade": "初一", "class_name": "2班", "name": "张小华", "id_number": number, "guardian_phone": "13800138000"},
    )
    assert response.status_code == 302
    student = middle_school.students.get()
    assert student.name == "张小华" and student.id_number == number


def test_police_cannot_add_students(as_user, police):
    assert as_user(police).get(reverse("schools:student_create")).status_code == 404


def test_recording_a_second_card_of_a_kind_is_refused_on_the_form(as_user, school, student):
    StudentCardFactory(student=student, card_type="sim")
    response = as_user(school).post(
        reverse("schools:card_create", args=[student.pk]), {"card_type": "sim", "issuer": "中国电信", "last4": "1111"}
    )
    assert response.status_code == 200
    assert "approved card-opening application" in response.content.decode()
    assert student.cards.count() == 1


# --- applications ----------------------------------------------------------------------------------


def test_filing_the_same_rendered_form_twice_files_one_application(as_user, school, student):
    client = as_user(school)
    data = {
        "card_type": "bank",
        "issuer": "中国农业银行",
        "reason": "奖学金",
        "guardian_consent": "on",
        "client_id": str(uuid.uuid4()),
    }
    url = reverse("schools:application_create", args=[student.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert CardApplication.objects.count() == 1


def test_the_school_queue_has_a_tab_per_step(as_user, school, student, middle_school):
    for status in (S.SUBMITTED, S.SCHOOL_APPROVED, S.ESCORT_ASSIGNED, S.POLICE_CLEARED, S.OPENED):
        CardApplicationFactory(student=StudentFactory(school=middle_school), status=status)
    response = as_user(school).get(reverse("schools:queue"))
    content = response.content.decode()
    for tab in ("review", "escort", "police", "open", "done"):
        assert f'data-testid="tab-count-{tab}">1<' in content


def test_the_police_queue_lists_students_to_check(as_user, police, student, other_student):
    CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    CardApplicationFactory(student=other_student, status=S.SUBMITTED)
    content = as_user(police).get(reverse("schools:queue")).content.decode()
    assert "李小明" in content and "黄小红" not in content
    assert 'data-testid="tab-count-police">1<' in content


def test_the_queue_runs_a_bounded_number_of_queries(as_user, school, middle_school, django_assert_max_num_queries):
    for _ in range(30):
        CardApplicationFactory(student=StudentFactory(school=middle_school))
    client = as_user(school)
    with django_assert_max_num_queries(13):  # 12, and the ids of the units in scope (once per request)
        assert client.get(reverse("schools:queue")).status_code == 200


def test_only_the_right_side_sees_the_steps_buttons(as_user, school, police, student):
    application = CardApplicationFactory(student=student)
    url = reverse("schools:application_detail", args=[application.pk])
    assert "action-school_approve" in as_user(school).get(url).content.decode()
    assert "action-school_approve" not in as_user(police).get(url).content.decode()


def test_a_step_by_the_wrong_side_is_forbidden(as_user, police, school, student):
    application = CardApplicationFactory(student=student)
    response = as_user(police).post(reverse("schools:transition", args=[application.pk, "school_approve"]))
    assert response.status_code == 403
    at_police = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED, card_type="sim")
    response = as_user(school).post(reverse("schools:transition", args=[at_police.pk, "police_clear"]))
    assert response.status_code == 403


def test_a_step_out_of_order_says_why_and_changes_nothing(as_user, school, student):
    application = CardApplicationFactory(student=student, status=S.SCHOOL_APPROVED)
    response = as_user(school).post(
        reverse("schools:transition", args=[application.pk, "record_opened"]),
        {"record_opened-last4": "1234", "record_opened-opened_on": str(timezone.localdate())},
        follow=True,
    )
    assert response.status_code == 200
    assert "is not possible while the application is" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SCHOOL_APPROVED


def test_approving_without_a_seal_asks_for_one(as_user, school, student):
    application = CardApplicationFactory(student=student)
    response = as_user(school).post(reverse("schools:transition", args=[application.pk, "school_approve"]))
    assert response.status_code == 400
    assert "seal" in response.content.decode()


def test_the_chain_on_the_pages(as_user, school, police, student, seal, escort):
    application = CardApplicationFactory(student=student)
    client = as_user(school)
    client.post(
        reverse("schools:transition", args=[application.pk, "school_approve"]), {"school_approve-reason": "同意"}
    )
    appointment = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("schools:transition", args=[application.pk, "assign_escort"]),
        {"assign_escort-escort": escort.pk, "assign_escort-appointment_at": appointment},
    )
    application.refresh_from_db()
    assert application.status == S.ESCORT_ASSIGNED and application.escort == escort
    as_user(police).post(reverse("schools:transition", args=[application.pk, "police_clear"]))
    as_user(escort).post(
        reverse("schools:transition", args=[application.pk, "record_opened"]),
        {"record_opened-last4": "5678", "record_opened-opened_on": str(timezone.localdate())},
    )
    application.refresh_from_db()
    assert application.status == S.OPENED
    assert student.cards.get().last4 == "5678"


def test_the_printable_form_has_the_seal_and_a_qr_code_of_the_verification_page(as_user, school, student, seal):
    application = CardApplicationFactory(
        student=student, status=S.POLICE_CLEARED, seal=seal.seal, reviewed_by=school, reviewed_at=timezone.now()
    )
    response = as_user(school).get(reverse("schools:application_print", args=[application.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in content and 'class="segno"' in content
    verify = f"http://testserver/verify/{application.verification_code}/"
    assert verify in content
    assert reverse("attachment", args=[seal.seal.pk]) in content
    assert student.id_number not in content
    assert "style=" not in content and "<style" not in content


def test_the_seal_image_is_uploaded_by_school_staff(as_user, school, middle_school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(school).post(reverse("schools:seal"), {"image": png_upload()})
    assert response.status_code == 302
    profile = SchoolProfile.objects.get(school=middle_school)
    assert profile.seal is not None
    assert as_user(school).get(reverse("attachment", args=[profile.seal.pk])).status_code == 200


# --- the public verification page ------------------------------------------------------------------


def test_the_verification_page_shows_no_personal_data(client, student):
    application = CardApplicationFactory(student=student, status=S.POLICE_CLEARED)
    response = client.get(reverse("verify:verify", args=[application.verification_code]))
    assert response.status_code == 200
    content = response.content.decode()
    assert application.number in content and "罗村中学" in content
    assert 'data-status="police_cleared"' in content
    for personal in (student.name, student.id_number, student.masked_id_number, student.guardian_name, "3班"):
        assert personal not in content


@pytest.mark.parametrize("status", [S.SCHOOL_REJECTED, S.POLICE_REFUSED])
def test_a_refused_application_is_invalid(client, student, status):
    application = CardApplicationFactory(student=student, status=status)
    response = client.get(reverse("verify:verify", args=[application.verification_code]))
    content = response.content.decode()
    assert 'data-testid="verify-invalid"' in content
    assert application.number not in content and student.name not in content


def test_an_unknown_code_is_invalid(client, student):
    CardApplicationFactory(student=student)
    response = client.get(reverse("verify:verify", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert 'data-testid="verify-invalid"' in response.content.decode()


# --- exports and selectors -------------------------------------------------------------------------


def test_the_student_export_is_masked_scoped_and_logged(as_user, school, student, other_student):
    response = as_user(school).get(reverse("schools:student_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    flat = " ".join(str(value) for value in rows[1])
    assert "李小明" in flat and student.id_number not in flat and student.masked_id_number in flat
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1


def test_the_application_export(as_user, police, student):
    CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    response = as_user(police).get(reverse("schools:application_export"), {"status": "escort_assigned"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2


def test_exports_need_the_capability(as_user, grid_a):
    assert as_user(grid_a).get(reverse("schools:student_export")).status_code == 404


def test_applications_by_state_is_one_query(
    student, other_student, middle_school, centre_school, django_assert_num_queries
):
    CardApplicationFactory(student=student, status=S.OPENED)
    CardApplicationFactory(student=student, status=S.SUBMITTED, card_type="sim")
    CardApplicationFactory(student=other_student, status=S.POLICE_REFUSED)
    with django_assert_num_queries(1):
        counts = applications_by_state([middle_school, centre_school.pk])
    assert counts[middle_school.pk]["opened"] == 1 and counts[middle_school.pk]["submitted"] == 1
    assert counts[centre_school.pk]["police_refused"] == 1 and counts[centre_school.pk]["opened"] == 0


def test_school_staff_edit_a_student_and_mark_a_card_no_longer_in_use(as_user, school, police, student):
    card = StudentCardFactory(student=student)
    client = as_user(school)
    response = client.post(
        reverse("schools:student_edit", args=[student.pk]),
        {"grade": "初三", "class_name": "1班", "name": "李小明", "id_number": "", "guardian_phone": "13900001111"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.grade, student.class_name, student.guardian_phone, student.is_active) == (
        "初三",
        "1班",
        "13900001111",
        False,
    )
    client.post(reverse("schools:card_close", args=[student.pk, card.pk]), {"reason": "丢失"})
    card.refresh_from_db()
    assert not card.is_active
    assert as_user(police).get(reverse("schools:student_edit", args=[student.pk])).status_code == 404


def test_the_admin_lists_students_and_applications_without_numbers(client, admin_user, student):
    CardApplicationFactory(student=student)
    client.force_login(admin_user)
    for name in ("student", "cardapplication", "studentcard", "schoolprofile"):
        response = client.get(reverse(f"admin:schools_{name}_changelist"))
        assert response.status_code == 200
        assert student.id_number not in response.content.decode()
    response = client.get(reverse("admin:schools_student_change", args=[student.pk]))
    assert response.status_code == 200
    assert student.id_number not in response.content.decode()


def test_the_card_application_api_list_is_bounded(api_as, police, middle_school, django_assert_max_num_queries):
    for _ in range(25):
        CardApplicationFactory(student=StudentFactory(school=middle_school))
    client = api_as(police)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/card-applications/").status_code == 200


def test_the_police_see_other_records_of_the_students_id_number(as_user, police, school, student, village_a):
    from tests.factories import ResidentFactory, WarningFactory

    application = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    url = reverse("schools:application_detail", args=[application.pk])
    assert 'data-testid="check-no-record"' in as_user(police).get(url).content.decode()
    resident = ResidentFactory(village=village_a, id_number=student.id_number)
    WarningFactory(person=resident, village=village_a)
    content = as_user(police).get(url).content.decode()
    assert 'data-testid="check-person-file"' in content and "1 warning pushed" in content
    assert 'data-testid="check-facts"' not in as_user(school).get(url).content.decode()
