"""The pages: who sees what (404 outside scope), who may write (403), evidence checked by content."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from education.models import BroadcastDay, EducationSession, ParentNotice, ReturnSlip, Semester, SessionKind
from tests import files

from .conftest import TODAY
from .factories import EducationSessionFactory, ParentNoticeFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def session_post(client, school, **files):
    return client.post(
        reverse("education:session_create", args=[school.pk]),
        {
            "client_id": "6f1c2e1a-8d7b-4a43-9a8e-2f7f4b2f0c11",
            "kind": SessionKind.STAFF,
            "held_on": "2026-09-15",
            "topic": "教职员工防骗专题会",
            "audience": "全体教职员工",
            "audience_size": "58",
            **files,
        },
    )


def test_school_staff_land_on_their_school_and_see_its_numbers(client, school, middle_school, semester, today):
    client.force_login(school)
    response = client.get(reverse("education:overview"))
    assert response.status_code == 302 and response.url == reverse("education:school", args=[middle_school.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'data-testid="broadcast-today"' in page.content.decode()


def test_another_schools_page_and_records_answer_404(client, school_c, middle_school, semester, classes, today):
    session = EducationSessionFactory(school=middle_school, semester=semester)
    notice = ParentNoticeFactory(school=middle_school, semester=semester)
    client.force_login(school_c)
    for url in (
        reverse("education:school", args=[middle_school.pk]),
        reverse("education:session_detail", args=[session.pk]),
        reverse("education:notice_detail", args=[notice.pk]),
        reverse("education:session_create", args=[middle_school.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("education:broadcast_log", args=[middle_school.pk])).status_code == 404
    assert client.post(reverse("education:notice_detail", args=[notice.pk]), {"collected": []}).status_code == 404
    assert not BroadcastDay.objects.exists()


@pytest.mark.parametrize("who", ["grid_a", "police", "outsider"])
def test_roles_without_education_view_get_404(client, request, who, middle_school, semester):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("education:overview")).status_code == 404
    assert client.get(reverse("education:school", args=[middle_school.pk])).status_code == 404


def test_leadership_sees_every_school_but_may_not_log(client, leader, middle_school, centre_school, semester, today):
    client.force_login(leader)
    response = client.get(reverse("education:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert middle_school.name in body and centre_school.name in body
    assert 'id="education-data"' in body
    assert client.post(reverse("education:broadcast_log", args=[middle_school.pk])).status_code == 403
    assert client.get(reverse("education:school", args=[middle_school.pk])).status_code == 200
    assert not BroadcastDay.objects.exists()


def test_one_tap_broadcast_twice_logs_one_day(client, school, middle_school, semester, today):
    client.force_login(school)
    url = reverse("education:broadcast_log", args=[middle_school.pk])
    client.post(url)
    client.post(url)
    assert BroadcastDay.objects.filter(school=middle_school, day=TODAY).count() == 1
    page = client.get(reverse("education:school", args=[middle_school.pk])).content.decode()
    assert 'data-testid="broadcast-today-done"' in page


def test_a_session_with_a_photo_is_recorded_and_its_file_served_in_scope_only(
    client, school, school_c, middle_school, semester, today
):
    client.force_login(school)
    response = session_post(client, middle_school, evidence=png())
    session = EducationSession.objects.get()
    assert response.status_code == 302 and response.url == reverse("education:session_detail", args=[session.pk])
    attachment = session.attachments.get()
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 200
    client.force_login(school_c)
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 404


def test_evidence_of_the_wrong_type_is_refused(client, school, middle_school, semester, today):
    client.force_login(school)
    pdf = SimpleUploadedFile("minutes.png", b"%PDF-1.4 not a photo", content_type="image/png")
    response = session_post(client, middle_school, evidence=pdf)
    assert response.status_code == 200
    assert "minutes.png" in response.content.decode()
    assert not EducationSession.objects.exists()
    assert session_post(client, middle_school).status_code == 200  # no evidence at all
    assert not EducationSession.objects.exists()


def test_notice_and_tick_list_on_a_phone(client, school, middle_school, semester, classes, today):
    client.force_login(school)
    response = client.post(
        reverse("education:notice_create", args=[middle_school.pk]),
        {
            "client_id": "1e9a0c55-0b53-4e8a-9a4f-3a0b1c2d3e4f",
            "school_class": "初一|1班",
            "sent_on": "2026-09-16",
            "title": "防范电信网络诈骗致家长的一封信",
        },
    )
    notice = ParentNotice.objects.get()
    assert response.url == reverse("education:notice_detail", args=[notice.pk])
    ids = [s.pk for s in classes["1"]]
    url = reverse("education:notice_detail", args=[notice.pk])
    client.post(url, {"shown": ids, "collected": ids[:3]})
    client.post(url, {"shown": ids, "collected": ids[:3]})
    assert ReturnSlip.objects.filter(notice=notice).count() == 3
    page = client.get(url).content.decode()
    assert "3 / 4" in page and classes["1"][3].name in page  # the missing one is listed
    assert classes["left"].name not in page


def test_semesters_are_set_by_leadership_only(client, leader, school, middle_school, db):
    client.force_login(school)
    assert client.get(reverse("education:semester_list")).status_code == 404
    assert client.post(reverse("education:semester_create"), {}).status_code == 404
    client.force_login(leader)
    response = client.post(
        reverse("education:semester_create"),
        {
            "name": "2026-2027学年第一学期",
            "starts_on": "2026-09-01",
            "ends_on": "2027-01-20",
            "required_staff_sessions": "2",
            "required_micro_classes": "3",
            "student_education_schools": [middle_school.pk],
            "broadcast_deadline": "10:00",
            "holidays": "2026-10-01 2026-10-07 国庆节\n2027-01-01 元旦",
            "makeup_days": "2026-10-10 调休",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    semester = Semester.objects.get()
    assert semester.required_micro_classes == 3
    assert list(semester.student_education_schools.all()) == [middle_school]
    assert semester.calendar_changes.count() == 3
    assert client.get(reverse("education:semester_edit", args=[semester.pk])).status_code == 200


def test_semester_holidays_outside_the_dates_are_refused(client, leader, db):
    client.force_login(leader)
    response = client.post(
        reverse("education:semester_create"),
        {
            "name": "测试",
            "starts_on": "2026-09-01",
            "ends_on": "2027-01-20",
            "required_staff_sessions": "2",
            "required_micro_classes": "2",
            "broadcast_deadline": "10:00",
            "holidays": "2027-05-01 劳动节",
        },
    )
    assert response.status_code == 200 and not Semester.objects.exists()


def test_school_page_runs_a_bounded_number_of_queries(
    client, school, middle_school, semester, classes, today, django_assert_max_num_queries
):
    from .factories import StudentFactory

    for index in range(40):
        StudentFactory(school=middle_school, grade="初三", class_name=f"{index % 5 + 1}班")
    for _ in range(5):
        EducationSessionFactory(school=middle_school, semester=semester)
        ParentNoticeFactory(school=middle_school, semester=semester)
    client.force_login(school)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("education:school", args=[middle_school.pk])).status_code == 200


def test_home_panel_offers_the_one_tap_broadcast_to_the_school(school, leader, middle_school, semester, today, rf):
    from django.template.loader import render_to_string

    from education.selectors import home_panel

    assert home_panel(user=leader) is None
    panel = home_panel(user=school)
    request = rf.get("/")
    request.user = school
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert 'data-testid="home-broadcast-today"' in html


def test_a_video_is_accepted_as_evidence_and_an_mp3_is_not(client, school, middle_school, semester, today):
    client.force_login(school)
    mp3 = SimpleUploadedFile("anthem.mp4", b"ID3\x03\x00" + b"\x00" * 200, content_type="video/mp4")
    assert session_post(client, middle_school, evidence=mp3).status_code == 200
    assert not EducationSession.objects.exists()
    video = SimpleUploadedFile("class.mp4", files.mp4(), content_type="video/mp4")
    assert session_post(client, middle_school, evidence=video).status_code == 302
    assert EducationSession.objects.get().attachments.get().kind == "video"


def test_leadership_reads_a_notices_coverage_without_the_students_names(
    client, leader, middle_school, semester, classes, today
):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    ReturnSlip.objects.create(notice=notice, student=classes["1"][0], collected_on=today)
    client.force_login(leader)
    response = client.get(reverse("education:notice_detail", args=[notice.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 / 4" in body and 'data-testid="missing-slips"' in body
    assert not any(student.name in body for student in classes["1"])


def test_a_semester_overlapping_another_is_refused(client, leader, semester):
    """A day belongs to one semester (Semester.clean), on the town's page as in the admin."""
    client.force_login(leader)
    data = {
        "name": "重叠的学期",
        "starts_on": "2026-09-20",
        "ends_on": "2027-01-20",
        "required_staff_sessions": "2",
        "required_micro_classes": "2",
        "broadcast_deadline": "10:00",
    }
    response = client.post(reverse("education:semester_create"), data)
    assert response.status_code == 200 and Semester.objects.count() == 1
    data["starts_on"] = "2026-10-01"
    assert client.post(reverse("education:semester_create"), data).status_code == 302
    edit = {**data, "name": semester.name, "starts_on": "2026-09-01", "ends_on": "2026-09-30"}
    assert client.post(reverse("education:semester_edit", args=[semester.pk]), edit).status_code == 302


def test_the_overview_and_a_notice_run_the_same_queries_whatever_the_size(
    client, leader, school, town, middle_school, semester, classes, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as base

    from .factories import StudentFactory

    def queries(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    overview = reverse("education:overview")
    notice_url = reverse("education:notice_detail", args=[notice.pk])
    before = queries(leader, overview), queries(school, notice_url)
    for index in range(4):
        other = base.SchoolFactory(parent=town, code=f"SX{index}")
        StudentFactory(school=other, grade="一年级", class_name="1班")
        ParentNoticeFactory(school=other, semester=semester, grade="一年级", class_name="1班")
        EducationSessionFactory(school=other, semester=semester)
    for _ in range(15):
        StudentFactory(school=middle_school, grade="初一", class_name="1班")
    after = queries(leader, overview), queries(school, notice_url)
    assert after[0] <= before[0] and after[1] <= before[1], (before, after)


def test_ticks_are_kept_when_a_student_leaves_the_class_while_the_list_is_open(
    client, school, middle_school, semester, classes, today
):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    ids = [student.pk for student in classes["1"]]
    leaving = classes["1"][3]
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])
    client.force_login(school)
    url = reverse("education:notice_detail", args=[notice.pk])
    response = client.post(url, {"shown": ids, "collected": ids})
    assert response.status_code == 302
    assert set(ReturnSlip.objects.filter(notice=notice).values_list("student_id", flat=True)) == set(ids[:3])
