"""Review fixes: minors' data stays with their school's staff and the police on every path."""

import io

import openpyxl
import pytest
from django.urls import reverse

from schools import services
from schools.models import CardApplication, Student, StudentCard
from tests.schools.factories import CardApplicationFactory, StudentCardFactory, checked_png


@pytest.fixture
def consent_file(school, student, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = services.card_application_file(
        actor=school,
        student=student,
        card_type="bank",
        issuer="中国农业银行",
        reason="奖学金",
        guardian_consent=True,
        uploads=[checked_png(name="consent.png")],
    )
    return result.application.attachments.get()


def test_the_guardians_consent_file_opens_for_the_school_and_the_police(client, school, police, consent_file):
    url = reverse("attachment", args=[consent_file.pk])
    for user in (school, police):
        client.force_login(user)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("username", ["leader", "grid_a", "head_a", "department_staff", "school_c"])
def test_the_guardians_consent_file_is_not_found_for_anyone_else(client, request, username, consent_file):
    client.force_login(request.getfixturevalue(username))
    assert client.get(reverse("attachment", args=[consent_file.pk])).status_code == 404


def test_town_wide_roles_without_the_students_capability_see_no_minors_data(leader, student):
    CardApplicationFactory(student=student)
    StudentCardFactory(student=student)
    assert not Student.objects.for_user(leader).exists()
    assert not StudentCard.objects.for_user(leader).exists()
    assert not CardApplication.objects.for_user(leader).exists()


def test_the_queues_tabs_are_in_the_readers_language(client, school):
    """The tab labels were translated once, at import, in whatever language was active then."""
    client.force_login(school)
    chinese = client.get(reverse("schools:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(reverse("schools:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "待审核" in chinese
    assert "Waiting for review" in english and "待审核" not in english


@pytest.mark.parametrize(
    ("status", "verdict"),
    [("submitted", "wait"), ("escort_assigned", "wait"), ("police_cleared", "open"), ("opened", "used")],
)
def test_the_counter_is_told_whether_to_open_a_card_on_the_form(client, student, status, verdict):
    """A form serves one card: once opened, a second counter must not open another card on it."""
    application = CardApplicationFactory(student=student, status=status)
    content = client.get(reverse("verify:verify", args=[application.verification_code])).content.decode()
    assert f'data-verdict="{verdict}"' in content
    assert content.count('data-testid="verify-verdict"') == 1


def test_another_schools_staff_find_nothing_of_a_student_on_any_path(client, school_c, student, consent_file):
    """Every page, print, export, file and API path answers 404 (or an empty list) for another school's staff."""
    application = CardApplication.objects.get(pk=consent_file.object_id)
    card = StudentCardFactory(student=student)
    client.force_login(school_c)
    not_found = [
        reverse("schools:student_detail", args=[student.pk]),
        reverse("schools:student_edit", args=[student.pk]),
        reverse("schools:card_create", args=[student.pk]),
        reverse("schools:application_create", args=[student.pk]),
        reverse("schools:application_detail", args=[application.pk]),
        reverse("schools:application_print", args=[application.pk]),
        reverse("attachment", args=[consent_file.pk]),
        f"/api/v1/students/{student.pk}/",
        f"/api/v1/card-applications/{application.pk}/",
    ]
    for url in not_found:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("schools:student_reveal", args=[student.pk]),
        reverse("schools:card_close", args=[student.pk, card.pk]),
        reverse("schools:transition", args=[application.pk, "school_approve"]),
        f"/api/v1/card-applications/{application.pk}/transition/",
    ):
        assert client.post(url, {"action": "school_approve", "reason": "x"}).status_code == 404, url
    school_code = student.school.code
    for url in (
        reverse("schools:student_list") + f"?school={school_code}",
        reverse("schools:queue") + f"?school={school_code}&tab=review",
        reverse("schools:student_export") + f"?school={school_code}",
        reverse("schools:application_export") + f"?school={school_code}",
        f"/api/v1/students/?school={school_code}",
        f"/api/v1/card-applications/?school={school_code}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.split("?")[0].endswith(".xlsx"):
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            assert sheet.max_row == 1, url  # the header only
        else:
            assert student.name not in response.content.decode(), url
    application.refresh_from_db()
    assert application.status == "submitted"
    card.refresh_from_db()
    assert card.is_active


def test_editing_a_students_class_keeps_the_guardians_phone(client, school, student):
    """The phone is masked on the page and empty on the form: saving a class change must not erase it."""
    phone = student.guardian_phone
    client.force_login(school)
    url = reverse("schools:student_edit", args=[student.pk])
    form = {"grade": "初三", "class_name": "1班", "name": student.name, "id_number": "", "is_active": "on"}
    assert client.post(url, {**form, "guardian_phone": ""}).status_code == 302
    student.refresh_from_db()
    assert (student.class_name, student.guardian_phone) == ("1班", phone)
    assert client.post(url, {**form, "guardian_phone": "", "remove_guardian_phone": "on"}).status_code == 302
    student.refresh_from_db()
    assert student.guardian_phone == "" and student.guardian_phone_hash == ""


def test_a_double_tap_on_add_student_opens_the_student_added(client, school, student, other_student):
    import datetime

    from core.validators import make_id_number

    client.force_login(school)
    data = {
        "grade": "初一",
        "class_name": "2班",
        "name": "陈小华",
        "id_number": make_id_number("440605", datetime.date(2012, 3, 4), 77),
    }
    url = reverse("schools:student_create")
    first, second = client.post(url, data), client.post(url, data)
    added = Student.objects.get(name="陈小华")
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("schools:student_detail", args=[added.pk])
    # Another school's student with that ID number is not opened, and not named.
    response = client.post(url, {**data, "name": other_student.name, "id_number": other_student.id_number})
    assert response.status_code == 200 and other_student.name in response.content.decode()  # echoed input only
    assert reverse("schools:student_detail", args=[other_student.pk]) not in response.content.decode()


def test_a_double_tap_on_record_a_card_records_it_once_without_an_error(client, school, student):
    client.force_login(school)
    url = reverse("schools:card_create", args=[student.pk])
    data = {"card_type": "sim", "issuer": "中国移动", "last4": "4321"}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert StudentCard.objects.filter(student=student).count() == 1
    # A different card of the same kind is still refused on the form.
    response = client.post(url, {**data, "last4": "9999"})
    assert response.status_code == 200 and StudentCard.objects.filter(student=student).count() == 1


def test_the_escort_hears_of_the_appointment_once_without_the_students_name(
    school, escort, student, seal, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from notifications.models import Notification
    from schools.notifications import card_application_notify

    application = CardApplicationFactory(student=student, status="school_approved")
    with django_capture_on_commit_callbacks(execute=True):
        services.card_application_assign_escort(
            application=application,
            actor=school,
            escort=escort.username,
            appointment_at=timezone.now() + datetime.timedelta(days=1),
        )
    card_application_notify(kind="escort_assigned", application_id=application.pk)  # a retry
    note = Notification.objects.get(recipient=escort)
    assert note.kind == "schools.escort" and application.number in note.title
    assert student.name not in note.title and student.name not in (note.body or "")
