"""The writes: one broadcast per school and day, sessions with evidence, notices and return slips; who may."""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from core.uploads import check_upload
from education import services
from education.models import BroadcastDay, EducationSession, ReturnSlip, SessionKind

from .conftest import TODAY
from .factories import ParentNoticeFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def png_upload(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_broadcast_done_today_twice_logs_one_day(school, middle_school, semester, today):
    first = services.broadcast_log(actor=school, school=middle_school)
    second = services.broadcast_log(actor=school, school=middle_school)
    assert first.created and not second.created
    assert BroadcastDay.objects.filter(school=middle_school, day=TODAY).count() == 1


def test_broadcast_refused_on_a_holiday_in_the_future_or_outside_a_semester(school, middle_school, semester, today):
    for day in (D(2026, 9, 25), D(2026, 9, 13), D(2026, 9, 17), D(2026, 8, 31)):
        with pytest.raises(ValidationError):
            services.broadcast_log(actor=school, school=middle_school, day=day)
    assert services.broadcast_log(actor=school, school=middle_school, day=D(2026, 9, 14)).created


def test_only_the_schools_own_staff_log_its_work(school, school_c, leader, middle_school, semester, today):
    for actor in (school_c, leader):
        with pytest.raises(PermissionDenied):
            services.broadcast_log(actor=actor, school=middle_school)
    assert not BroadcastDay.objects.exists()


def test_a_session_needs_evidence_and_is_recorded_once_per_client_id(school, middle_school, semester, today):
    arguments = dict(
        actor=school,
        school=middle_school,
        kind=SessionKind.MICRO_CLASS,
        held_on=D(2026, 9, 15),
        topic="防骗微课堂：游戏装备交易诈骗",
        audience="初一1班",
        audience_size=45,
    )
    with pytest.raises(ValidationError):
        services.session_record(uploads=[], **arguments)
    client_id = uuid.uuid4()
    first = services.session_record(uploads=[check_upload(png_upload())], client_id=client_id, **arguments)
    again = services.session_record(uploads=[check_upload(png_upload())], client_id=client_id, **arguments)
    assert first.created and not again.created
    assert EducationSession.objects.count() == 1
    assert first.record.attachments.count() == 1 and first.record.semester == semester


def test_a_notice_is_for_a_class_of_the_school(school, middle_school, semester, classes, today):
    with pytest.raises(ValidationError):
        services.notice_send(
            actor=school, school=middle_school, grade="初三", class_name="9班", sent_on=TODAY, title="通知"
        )
    result = services.notice_send(
        actor=school, school=middle_school, grade="初一", class_name="2班", sent_on=TODAY, title="致家长的一封信"
    )
    assert result.created and result.record.semester == semester


def test_return_slips_ticked_twice_are_kept_once_and_can_be_unticked(school, middle_school, semester, classes, today):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    ids = [student.pk for student in classes["1"]]
    first = services.return_slips_record(actor=school, notice=notice, collected={ids[0], ids[1]}, shown=set(ids))
    again = services.return_slips_record(actor=school, notice=notice, collected={ids[0], ids[1]}, shown=set(ids))
    assert (first.added, again.added, again.removed) == (2, 0, 0)
    # A second phone showing only the third student leaves the first two alone.
    services.return_slips_record(actor=school, notice=notice, collected={ids[2]}, shown={ids[2]})
    assert set(ReturnSlip.objects.values_list("student_id", flat=True)) == {ids[0], ids[1], ids[2]}
    change = services.return_slips_record(actor=school, notice=notice, collected={ids[0]}, shown={ids[0], ids[1]})
    assert (change.added, change.removed) == (0, 1)
    assert ReturnSlip.objects.count() == 2


def test_return_slips_refuse_a_student_of_another_class(school, middle_school, semester, classes, today):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    with pytest.raises(ValidationError):
        services.return_slips_record(actor=school, notice=notice, collected={classes["2"][0].pk})
    assert not ReturnSlip.objects.exists()


def test_return_slips_by_another_school_are_refused(school_c, middle_school, semester, classes, today):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    with pytest.raises(PermissionDenied):
        services.return_slips_record(actor=school_c, notice=notice, collected={classes["1"][0].pk})
