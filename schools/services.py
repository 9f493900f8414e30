"""Writes of the schools app: students, their cards, the card-opening approval chain (两卡), the school's seal.

The chain, in this order only, each step by its own side::

    submitted --school_approve--> school_approved --assign_escort--> escort_assigned
        --police_clear--> police_cleared --record_opened--> opened
    submitted --school_reject--> school_rejected
    escort_assigned --police_refuse--> police_refused

The school's side is the staff of the student's school; the police side is police staff whose
jurisdiction holds the school. Every transition locks the row, checks the side (PermissionDenied,
HTTP 403) and the state (TransitionNotAllowed, HTTP 409), records who and when on the application,
and writes an audit event. A further card of a kind is only added by ``record_opened``.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from core.uploads import attach, files_removed_on_error
from core.validators import normalize_id_number
from core.workflow import Transition, lock_row
from core.workflow import TransitionNotAllowed as TransitionNotAllowed  # raised by the steps below
from organization.actors import is_admin, is_police_for, own_unit
from organization.models import Role, Unit, UnitKind
from organization.selectors import people_in
from residents.services import CANNOT_ADD_HERE, registration_refused

from .models import (
    ApplicationStatus,
    CardApplication,
    CardType,
    SchoolProfile,
    Student,
    StudentCard,
    student_id_number_hash,
)

S = ApplicationStatus
SCHOOL = "school"
POLICE = "police"


TRANSITIONS: dict[str, Transition] = {
    "school_approve": Transition(
        gettext_lazy("Approve and stamp"), frozenset({S.SUBMITTED}), S.SCHOOL_APPROVED, frozenset({SCHOOL})
    ),
    "school_reject": Transition(
        gettext_lazy("Reject"), frozenset({S.SUBMITTED}), S.SCHOOL_REJECTED, frozenset({SCHOOL})
    ),
    "assign_escort": Transition(
        gettext_lazy("Assign an escort"), frozenset({S.SCHOOL_APPROVED}), S.ESCORT_ASSIGNED, frozenset({SCHOOL})
    ),
    "police_clear": Transition(
        gettext_lazy("Clear: no card-crime risk"), frozenset({S.ESCORT_ASSIGNED}), S.POLICE_CLEARED, frozenset({POLICE})
    ),
    "police_refuse": Transition(
        gettext_lazy("Refuse"), frozenset({S.ESCORT_ASSIGNED}), S.POLICE_REFUSED, frozenset({POLICE})
    ),
    "record_opened": Transition(
        gettext_lazy("Record the card opened"), frozenset({S.POLICE_CLEARED}), S.OPENED, frozenset({SCHOOL})
    ),
}


def school_of(user) -> Unit | None:
    """The school a school staff member works at, or None."""
    return own_unit(user, {UnitKind.SCHOOL}, roles={Role.SCHOOL_STAFF})


def is_school_staff_of(user, school: Unit) -> bool:
    found = school_of(user)
    return found is not None and found.pk == school.pk


def actor_sides(user, student: Student) -> set[str]:
    """Which sides of the chain ``user`` acts for on ``student``'s applications."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if is_admin(user):
        return {SCHOOL, POLICE}
    sides = set()
    if is_school_staff_of(user, student.school):
        sides.add(SCHOOL)
    if is_police_for(user, student.school):
        sides.add(POLICE)
    return sides


def can_transition(user, application: CardApplication, action: str) -> bool:
    transition = TRANSITIONS[action]
    return transition.allows(application.status) and transition.taken_by(actor_sides(user, application.student))


def available_actions(user, application: CardApplication) -> list[str]:
    return [action for action in TRANSITIONS if can_transition(user, application, action)]


def _check(user, application: CardApplication, action: str) -> Transition:
    transition = TRANSITIONS[action]
    transition.check_side(
        actor_sides(user, application.student),
        refusal=_("Only the police may check a student for card-crime risk.")
        if POLICE in transition.actors
        else _("Only the staff of the student's school may do this step."),
    )
    transition.check(
        application.status,
        refusal=_("“%(action)s” is not possible while the application is “%(status)s”."),
        state_label=application.get_status_display(),
    )
    return transition


def _locked(application: CardApplication) -> CardApplication:
    return lock_row(application, "student__school")


def _required(value, field: str, message) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


# --- students ------------------------------------------------------------------------------------


def _check_school_staff(actor, school: Unit) -> None:
    if not (is_admin(actor) or is_school_staff_of(actor, school)):
        raise PermissionDenied(_("Only the staff of the student's school may do this."))


def _check_id_free(id_number: str, *, actor, attempt: str, exclude_pk=None) -> None:
    """A number held by another student, at this school or another one, gets the registry's one answer
    (residents.services.CANNOT_ADD_HERE: never "registered at another school"), and the attempt is audited on
    the holder. Call outside the transaction the error rolls back."""
    taken = Student.objects.filter(id_number_hash=student_id_number_hash(id_number))
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    holder = taken.first()
    if holder is not None:
        raise registration_refused(actor=actor, holder=holder, attempt=attempt, record=exclude_pk or "")


def student_create(
    *,
    actor,
    school: Unit,
    grade: str,
    class_name: str,
    name: str,
    id_number: str,
    guardian_name: str = "",
    guardian_phone: str = "",
) -> Student:
    _check_school_staff(actor, school)
    if school.kind != UnitKind.SCHOOL:
        raise ValidationError({"school": _("Choose a school.")})
    student = Student(
        school=school,
        grade=_required(grade, "grade", _("Enter the grade.")),
        class_name=_required(class_name, "class_name", _("Enter the class.")),
        name=_required(name, "name", _("Enter the student's name.")),
        guardian_name=(guardian_name or "").strip(),
    )
    student.set_id_number(id_number)
    student.set_guardian_phone(guardian_phone)
    _check_id_free(student.id_number, actor=actor, attempt="student_create")
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:  # registered meanwhile
        raise ValidationError({"id_number": CANNOT_ADD_HERE}) from None
    return student


def student_update(*, actor, student: Student, id_number: str, **changes) -> Student:
    """Change a student (see :func:`_student_update`). A new ID number held by another student is refused, and
    audited, before the transaction."""
    if id_number:
        _check_school_staff(actor, student.school)
        try:
            normalized = normalize_id_number(id_number)
        except ValidationError:
            normalized = None  # refused below, with the validator's own message
        if normalized:
            _check_id_free(normalized, actor=actor, attempt="student_update", exclude_pk=student.pk)
    return _student_update(actor=actor, student=student, id_number=id_number, **changes)


@transaction.atomic
def _student_update(
    *,
    actor,
    student: Student,
    grade: str,
    class_name: str,
    name: str,
    id_number: str,
    guardian_name: str = "",
    guardian_phone: str | None = None,
    is_active: bool = True,
) -> Student:
    """``id_number`` empty and ``guardian_phone`` None keep the registered numbers; ``guardian_phone=""`` removes it."""
    _check_school_staff(actor, student.school)
    student = Student.objects.select_for_update().select_related("school").get(pk=student.pk)
    student.grade = _required(grade, "grade", _("Enter the grade."))
    student.class_name = _required(class_name, "class_name", _("Enter the class."))
    student.name = _required(name, "name", _("Enter the student's name."))
    student.guardian_name = (guardian_name or "").strip()
    student.is_active = is_active
    if id_number:
        student.set_id_number(id_number)
        if Student.objects.filter(id_number_hash=student.id_number_hash).exclude(pk=student.pk).exists():
            raise ValidationError({"id_number": CANNOT_ADD_HERE})  # registered meanwhile
    if guardian_phone is not None:
        student.set_guardian_phone(guardian_phone)
    student.save()
    return student


# --- cards ---------------------------------------------------------------------------------------


def _has_active_card(student: Student, card_type: str) -> bool:
    return StudentCard.objects.filter(student=student, card_type=card_type, is_active=True).exists()


@transaction.atomic
def student_card_add(
    *, actor, student: Student, card_type: str, issuer: str, last4: str, opened_on: datetime.date | None = None
) -> StudentCard:
    """Record a card the student already holds. A further card of a kind needs an approved application."""
    _check_school_staff(actor, student.school)
    student = Student.objects.select_for_update().get(pk=student.pk)
    if card_type not in CardType.values:
        raise ValidationError({"card_type": _("Choose a bank card or a SIM card.")})
    last4 = (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        raise ValidationError({"last4": _("Enter the last 4 digits of the card number.")})
    if _has_active_card(student, card_type):
        raise ValidationError(
            {
                "card_type": _(
                    "The student already has a %(card)s in use: a further one is only opened through an approved "
                    "card-opening application."
                )
                % {"card": CardType(card_type).label}
            }
        )
    card = StudentCard.objects.create(
        student=student,
        card_type=card_type,
        issuer=_required(issuer, "issuer", _("Enter the bank or the carrier.")),
        last4=last4,
        opened_on=opened_on,
        created_by=actor,
    )
    audit_event_record(actor=actor, subject=student, event="card_added", card_type=card_type, card=card.pk)
    return card


@transaction.atomic
def student_card_close(*, actor, card: StudentCard, reason: str = "") -> StudentCard:
    """The card is no longer in use (cancelled or lost)."""
    card = StudentCard.objects.select_for_update().select_related("student__school").get(pk=card.pk)
    _check_school_staff(actor, card.student.school)
    if card.is_active:
        card.is_active = False
        card.save(update_fields=["is_active"])
        audit_event_record(actor=actor, subject=card.student, event="card_closed", reason=reason, card=card.pk)
    return card


# --- filing an application -----------------------------------------------------------------------


@dataclass
class FileResult:
    application: CardApplication
    created: bool


def card_application_file(
    *,
    actor,
    student: Student,
    card_type: str,
    issuer: str,
    reason: str,
    guardian_consent: bool,
    client_id=None,
    uploads=(),
) -> FileResult:
    """School staff file an application on the student's behalf. The same ``client_id`` files it once."""
    if not is_admin(actor) and SCHOOL not in actor_sides(actor, student):
        raise PermissionDenied(_("Only the staff of the student's school may file an application."))
    if client_id is not None:
        existing = CardApplication.objects.filter(client_id=client_id).first()
        if existing is not None:
            if existing.student_id != student.pk:
                raise ValidationError({"client_id": _("This client id belongs to another application.")})
            return FileResult(existing, False)
    if card_type not in CardType.values:
        raise ValidationError({"card_type": _("Choose a bank card or a SIM card.")})
    issuer = _required(issuer, "issuer", _("Enter the bank or the carrier."))
    reason = _required(reason, "reason", _("Explain why the student needs a further card."))
    if not guardian_consent:
        raise ValidationError({"guardian_consent": _("The guardian's consent is required.")})
    if not student.is_active:
        raise ValidationError({"student": _("This student is no longer at the school.")})
    try:
        with files_removed_on_error(), transaction.atomic():
            student = Student.objects.select_for_update().get(pk=student.pk)
            pending = CardApplication.objects.open().filter(student=student, card_type=card_type)
            if pending.exists():
                raise ValidationError(
                    {"card_type": _("An application for this kind of card is already in progress for this student.")}
                )
            application = CardApplication.objects.create(
                student=student,
                card_type=card_type,
                issuer=issuer,
                reason=reason,
                guardian_consent=True,
                client_id=client_id,
                filed_by=actor,
            )
            if uploads:
                attach(application, uploads, user=actor, caption=_("Guardian's consent"))
            audit_event_record(actor=actor, subject=application, event="file", new=S.SUBMITTED, reason=reason)
    except IntegrityError:
        if client_id is None:
            raise
        return FileResult(CardApplication.objects.get(client_id=client_id), False)
    return FileResult(application, True)


# --- the chain -----------------------------------------------------------------------------------


NOTIFIED = {S.ESCORT_ASSIGNED, S.POLICE_CLEARED, S.POLICE_REFUSED}


def _set_status(application, new: str, *, actor, event: str, reason: str, fields: list[str], **extra) -> None:
    old = application.status
    application.status = new
    application.save(update_fields=[*fields, "status", "updated_at"])
    audit_event_record(actor=actor, subject=application, event=event, old=old, new=new, reason=reason, **extra)
    if new in NOTIFIED:
        _notify_on_commit(new, application)


def _notify_on_commit(kind: str, application: CardApplication) -> None:
    from .notifications import card_application_notify

    application_id = application.pk
    transaction.on_commit(lambda: card_application_notify(kind=kind, application_id=application_id))


@transaction.atomic
def card_application_school_approve(*, application: CardApplication, actor, reason: str = "") -> CardApplication:
    """The school approves with its seal (the seal image set for the school), the reviewer and the time."""
    application = _locked(application)
    transition = _check(actor, application, "school_approve")
    profile = SchoolProfile.objects.filter(school=application.student.school).select_related("seal").first()
    if profile is None or profile.seal is None:
        raise ValidationError(_("Upload the school's seal image first: an approval is stamped with it."))
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.review_reason = (reason or "").strip()
    application.seal = profile.seal
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="school_approve",
        reason=application.review_reason,
        fields=["reviewed_by", "reviewed_at", "review_reason", "seal"],
    )
    return application


@transaction.atomic
def card_application_school_reject(*, application: CardApplication, actor, reason: str = "") -> CardApplication:
    application = _locked(application)
    transition = _check(actor, application, "school_reject")
    application.review_reason = _required(reason, "reason", _("Give the reason for the rejection."))
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="school_reject",
        reason=application.review_reason,
        fields=["reviewed_by", "reviewed_at", "review_reason"],
    )
    return application


def escort_for(school: Unit, username: str):
    """An active staff member of ``school`` by username, or None."""
    user = (
        get_user_model()
        .objects.filter(username=(username or "").strip(), is_active=True, roles__role=Role.SCHOOL_STAFF)
        .select_related("unit")
        .first()
    )
    if user is None or not is_school_staff_of(user, school):
        return None
    return user


def escort_choices(school: Unit):
    """The staff of ``school`` who may escort a student (one query)."""
    return people_in(school, {Role.SCHOOL_STAFF}).order_by("full_name", "username")


@transaction.atomic
def card_application_assign_escort(
    *, application: CardApplication, actor, escort, appointment_at: datetime.datetime, reason: str = ""
) -> CardApplication:
    """``escort``: a user, or the username of a staff member of the student's school."""
    application = _locked(application)
    transition = _check(actor, application, "assign_escort")
    school = application.student.school
    if isinstance(escort, str):
        escort = escort_for(school, escort)
    if escort is None or not is_school_staff_of(escort, school) or not escort.is_active:
        raise ValidationError({"escort": _("The escort must be a staff member of the student's school.")})
    if appointment_at is None:
        raise ValidationError({"appointment_at": _("Enter the appointment at the police station.")})
    application.escort = escort
    application.appointment_at = appointment_at
    application.escort_assigned_by = actor
    application.escort_assigned_at = timezone.now()
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="assign_escort",
        reason=(reason or "").strip(),
        fields=["escort", "appointment_at", "escort_assigned_by", "escort_assigned_at"],
        escort=escort.username,
        appointment_at=appointment_at.isoformat(),
    )
    return application


@transaction.atomic
def card_application_police_clear(*, application: CardApplication, actor, reason: str = "") -> CardApplication:
    application = _locked(application)
    transition = _check(actor, application, "police_clear")
    application.police_checked_by = actor
    application.police_checked_at = timezone.now()
    application.police_reason = (reason or "").strip()
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="police_clear",
        reason=application.police_reason,
        fields=["police_checked_by", "police_checked_at", "police_reason"],
    )
    return application


@transaction.atomic
def card_application_police_refuse(*, application: CardApplication, actor, reason: str = "") -> CardApplication:
    application = _locked(application)
    transition = _check(actor, application, "police_refuse")
    application.police_reason = _required(reason, "reason", _("Give the reason for the refusal."))
    application.police_checked_by = actor
    application.police_checked_at = timezone.now()
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="police_refuse",
        reason=application.police_reason,
        fields=["police_checked_by", "police_checked_at", "police_reason"],
    )
    return application


@transaction.atomic
def card_application_record_opened(
    *,
    application: CardApplication,
    actor,
    last4: str,
    opened_on: datetime.date,
    issuer: str = "",
    reason: str = "",
) -> CardApplication:
    """The escort (or another staff member of the school) records the card opened: it joins the student's cards."""
    application = _locked(application)
    transition = _check(actor, application, "record_opened")
    last4 = (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        raise ValidationError({"last4": _("Enter the last 4 digits of the card number.")})
    if opened_on is None:
        raise ValidationError({"opened_on": _("Enter the date the card was opened.")})
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("The opening date cannot be in the future.")})
    if application.police_checked_at and opened_on < timezone.localtime(application.police_checked_at).date():
        raise ValidationError({"opened_on": _("The card cannot have been opened before the police check.")})
    card = StudentCard.objects.create(
        student=application.student,
        card_type=application.card_type,
        issuer=(issuer or "").strip() or application.issuer,
        last4=last4,
        opened_on=opened_on,
        application=application,
        created_by=actor,
    )
    application.opened_by = actor
    application.opened_at = timezone.now()
    _set_status(
        application,
        transition.target,
        actor=actor,
        event="record_opened",
        reason=(reason or "").strip(),
        fields=["opened_by", "opened_at"],
        card=card.pk,
        opened_on=opened_on.isoformat(),
    )
    return application


TRANSITION_SERVICES = {
    "school_approve": card_application_school_approve,
    "school_reject": card_application_school_reject,
    "assign_escort": card_application_assign_escort,
    "police_clear": card_application_police_clear,
    "police_refuse": card_application_police_refuse,
    "record_opened": card_application_record_opened,
}


# --- the school's seal ---------------------------------------------------------------------------


def school_seal_set(*, actor, school: Unit, image) -> SchoolProfile:
    """Set the school's seal image (a checked upload of kind image). Earlier approvals keep their seal."""
    _check_school_staff(actor, school)
    with files_removed_on_error(), transaction.atomic():
        profile, _created = SchoolProfile.objects.select_for_update().get_or_create(school=school)
        (attachment,) = attach(profile, [image], user=actor, caption=_("School seal"))
        profile.seal = attachment
        profile.save(update_fields=["seal", "updated_at"])
        audit_event_record(actor=actor, subject=profile, event="seal_set", attachment=attachment.pk)
    return profile


def new_client_id() -> uuid.UUID:
    return uuid.uuid4()
