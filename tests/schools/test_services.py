"""The card-opening chain (两卡): each step by its own side, in order only, recorded with who and when."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from schools import services
from schools.models import ApplicationStatus, CardApplication, CardType, StudentCard
from tests.schools.factories import CardApplicationFactory, StudentCardFactory

S = ApplicationStatus


def _file(student, actor, **extra):
    arguments = {
        "card_type": CardType.BANK,
        "issuer": "中国农业银行",
        "reason": "领取奖学金",
        "guardian_consent": True,
        **extra,
    }
    return services.card_application_file(actor=actor, student=student, **arguments).application


def _appointment():
    return timezone.now() + datetime.timedelta(days=1)


def test_the_whole_chain_adds_the_card_with_every_step_recorded(student, school, police, escort, seal):
    application = _file(student, school)
    assert application.status == S.SUBMITTED
    services.card_application_school_approve(application=application, actor=school, reason="同意")
    services.card_application_assign_escort(
        application=application, actor=school, escort="teacher_chen", appointment_at=_appointment()
    )
    services.card_application_police_clear(application=application, actor=police, reason="无风险")
    services.card_application_record_opened(
        application=application, actor=escort, last4="1234", opened_on=timezone.localdate()
    )
    application.refresh_from_db()
    assert application.status == S.OPENED
    assert application.reviewed_by == school and application.reviewed_at is not None
    assert application.seal == seal.seal
    assert application.escort == escort and application.escort_assigned_by == school
    assert application.police_checked_by == police
    assert application.opened_by == escort
    card = StudentCard.objects.get(application=application)
    assert (card.student, card.card_type, card.issuer, card.last4) == (student, "bank", "中国农业银行", "1234")
    events = list(
        AuditEvent.objects.filter(content_type__model="cardapplication", object_id=str(application.pk)).values_list(
            "event", "new"
        )
    )
    assert events == [
        ("file", S.SUBMITTED),
        ("school_approve", S.SCHOOL_APPROVED),
        ("assign_escort", S.ESCORT_ASSIGNED),
        ("police_clear", S.POLICE_CLEARED),
        ("record_opened", S.OPENED),
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.SUBMITTED, "assign_escort"),
        (S.SUBMITTED, "record_opened"),
        (S.SCHOOL_APPROVED, "school_approve"),
        (S.SCHOOL_APPROVED, "record_opened"),
        (S.SCHOOL_REJECTED, "school_approve"),
        (S.ESCORT_ASSIGNED, "school_reject"),
        (S.ESCORT_ASSIGNED, "record_opened"),
        (S.POLICE_REFUSED, "record_opened"),
        (S.OPENED, "record_opened"),
    ],
)
def test_a_school_step_out_of_order_is_refused_and_changes_nothing(student, school, escort, seal, status, action):
    application = CardApplicationFactory(student=student, status=status)
    arguments = {
        "assign_escort": {"escort": "teacher_chen", "appointment_at": _appointment()},
        "record_opened": {"last4": "1234", "opened_on": timezone.localdate()},
        "school_reject": {"reason": "x"},
    }.get(action, {})
    with pytest.raises(services.TransitionNotAllowed):
        services.TRANSITION_SERVICES[action](application=application, actor=school, **arguments)
    application.refresh_from_db()
    assert application.status == status
    assert not StudentCard.objects.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SCHOOL_APPROVED, S.POLICE_CLEARED, S.OPENED])
def test_the_police_check_only_after_the_escort_is_assigned(student, police, status):
    application = CardApplicationFactory(student=student, status=status)
    with pytest.raises(services.TransitionNotAllowed):
        services.card_application_police_clear(application=application, actor=police)
    with pytest.raises(services.TransitionNotAllowed):
        services.card_application_police_refuse(application=application, actor=police, reason="x")


ARGUMENTS = {
    "school_approve": {},
    "school_reject": {"reason": "x"},
    "assign_escort": {"escort": "school", "appointment_at": _appointment()},
    "record_opened": {"last4": "1234", "opened_on": datetime.date(2026, 1, 1)},
}


@pytest.mark.parametrize("action", list(ARGUMENTS))
def test_police_cannot_do_the_schools_steps(student, police, action):
    (source,) = services.TRANSITIONS[action].sources
    application = CardApplicationFactory(student=student, status=source)
    with pytest.raises(PermissionDenied):
        services.TRANSITION_SERVICES[action](application=application, actor=police, **ARGUMENTS[action])


@pytest.mark.parametrize("action", ["police_clear", "police_refuse"])
def test_the_school_cannot_clear_its_own_student(student, school, action):
    application = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    with pytest.raises(PermissionDenied):
        services.TRANSITION_SERVICES[action](application=application, actor=school, reason="x")


def test_another_schools_staff_cannot_review(student, school_c):
    application = CardApplicationFactory(student=student)
    with pytest.raises(PermissionDenied):
        services.card_application_school_approve(application=application, actor=school_c)
    with pytest.raises(PermissionDenied):
        _file(student, school_c)


@pytest.mark.parametrize("username", ["grid_a", "leader"])
def test_other_roles_cannot_do_any_step(student, request, username):
    user = request.getfixturevalue(username)
    application = CardApplicationFactory(student=student)
    with pytest.raises(PermissionDenied):
        services.card_application_school_approve(application=application, actor=user)


def test_approval_needs_the_schools_seal(student, school):
    application = CardApplicationFactory(student=student)
    with pytest.raises(ValidationError):
        services.card_application_school_approve(application=application, actor=school)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_rejections_and_refusals_need_a_reason(student, school, police):
    application = CardApplicationFactory(student=student)
    with pytest.raises(ValidationError):
        services.card_application_school_reject(application=application, actor=school, reason=" ")
    at_police = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED, card_type=CardType.SIM)
    with pytest.raises(ValidationError):
        services.card_application_police_refuse(application=at_police, actor=police, reason="")
    services.card_application_police_refuse(application=at_police, actor=police, reason="涉诈号码联系")
    at_police.refresh_from_db()
    assert at_police.status == S.POLICE_REFUSED and at_police.police_reason == "涉诈号码联系"


def test_the_escort_must_be_staff_of_the_students_school(student, school, school_c, grid_a, seal):
    application = CardApplicationFactory(student=student, status=S.SCHOOL_APPROVED)
    for username in ("school_c", "grid_a", "nobody"):
        with pytest.raises(ValidationError):
            services.card_application_assign_escort(
                application=application, actor=school, escort=username, appointment_at=_appointment()
            )
    services.card_application_assign_escort(
        application=application, actor=school, escort="school", appointment_at=_appointment()
    )
    application.refresh_from_db()
    assert application.escort == school


def test_filing_twice_with_the_same_client_id_files_once(student, school):
    client_id = uuid.uuid4()
    first = services.card_application_file(
        actor=school,
        student=student,
        card_type="sim",
        issuer="中国移动",
        reason="补办",
        guardian_consent=True,
        client_id=client_id,
    )
    again = services.card_application_file(
        actor=school,
        student=student,
        card_type="sim",
        issuer="中国移动",
        reason="补办",
        guardian_consent=True,
        client_id=client_id,
    )
    assert first.created and not again.created
    assert again.application == first.application
    assert CardApplication.objects.count() == 1


def test_filing_needs_the_guardians_consent_and_one_open_application_per_kind(student, school):
    with pytest.raises(ValidationError) as error:
        _file(student, school, guardian_consent=False)
    assert "guardian_consent" in error.value.message_dict
    _file(student, school)
    with pytest.raises(ValidationError):
        _file(student, school)
    _file(student, school, card_type=CardType.SIM, issuer="中国移动")


def test_a_second_card_of_a_kind_is_only_added_through_an_application(student, school):
    services.student_card_add(actor=school, student=student, card_type="sim", issuer="中国移动", last4="1111")
    with pytest.raises(ValidationError):
        services.student_card_add(actor=school, student=student, card_type="sim", issuer="中国联通", last4="2222")
    services.student_card_add(actor=school, student=student, card_type="bank", issuer="中国银行", last4="3333")
    assert StudentCard.objects.filter(student=student).count() == 2


def test_a_card_no_longer_in_use_makes_room_for_a_replacement(student, school):
    card = StudentCardFactory(student=student, card_type="sim")
    services.student_card_close(actor=school, card=card, reason="丢失")
    services.student_card_add(actor=school, student=student, card_type="sim", issuer="中国移动", last4="2222")
    assert StudentCard.objects.filter(student=student, is_active=True).count() == 1


def test_the_opening_date_cannot_be_in_the_future(student, school):
    application = CardApplicationFactory(student=student, status=S.POLICE_CLEARED)
    with pytest.raises(ValidationError):
        services.card_application_record_opened(
            application=application,
            actor=school,
            last4="1234",
            opened_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_student_create_refuses_a_known_id_number(student, school, middle_school):
    with pytest.raises(ValidationError):
        services.student_create(
            actor=school, school=middle_school, grade="初一", class_name="1班", name="重复", id_number=student.id_number
        )


def test_verification_codes_are_random_and_unique(student):
    codes = {CardApplicationFactory(student=student).verification_code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 20 for code in codes)


def test_the_police_hear_of_a_student_to_check_and_the_school_of_the_decision(
    student, school, police, seal, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    application = CardApplicationFactory(student=student, status=S.SCHOOL_APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.card_application_assign_escort(
            application=application, actor=school, escort="school", appointment_at=_appointment()
        )
    note = Notification.objects.get(recipient=police)
    assert application.number in note.title and student.name not in note.title
    with django_capture_on_commit_callbacks(execute=True):
        services.card_application_police_clear(application=application, actor=police)
    assert Notification.objects.filter(recipient=school, kind="schools.police_cleared").count() == 1
