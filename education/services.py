"""Writes of the education work. Every write checks the actor's right (``education.log``, their own school),
is idempotent (a client id, or a unique day / student), and keeps files and rows together."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.uploads import attach, files_removed_on_error
from organization.access import can, unit_in_scope
from organization.actors import own_unit
from organization.models import Unit, UnitKind

from .calendar import SchoolCalendar
from .models import BroadcastDay, EducationSession, ParentNotice, ReturnSlip, Semester, SessionKind, town_of


def school_of(user) -> Unit | None:
    """The school a member of staff works in (None for everyone else)."""
    return own_unit(user, {UnitKind.SCHOOL})


def can_log(user, school: Unit) -> bool:
    return school is not None and can(user, "education.log") and unit_in_scope(user, school)


def _check_actor(actor, school: Unit) -> None:
    if school is None or school.kind != UnitKind.SCHOOL:
        raise ValidationError(_("Choose a school."))
    if not can_log(actor, school):
        raise PermissionDenied(_("Only the school's staff may record its education work."))


def _semester_for(school: Unit, day: datetime.date, field: str) -> Semester:
    """The semester of the school's town that contains ``day``."""
    semester = Semester.objects.of_town(town_of(school)).containing(day).first()
    if semester is None:
        raise ValidationError({field: _("No semester contains %(day)s: the town has not set it yet.") % {"day": day}})
    return semester


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- sessions and micro-classes ------------------------------------------------------------------------


@dataclass
class Recorded:
    record: object
    created: bool


def session_record(
    *,
    actor,
    school: Unit,
    kind: str,
    held_on: datetime.date,
    topic: str,
    audience: str,
    audience_size: int,
    uploads,
    notes: str = "",
    client_id=None,
) -> Recorded:
    """Record a staff session or a micro-class with its photos or videos. The same ``client_id`` twice: one."""
    _check_actor(actor, school)
    client_id = client_id or uuid.uuid4()
    existing = EducationSession.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.school_id != school.pk:
            raise ValidationError({"client_id": _("This client id belongs to another record.")})
        return Recorded(existing, False)
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Choose a staff session or a micro-class.")})
    _not_future(held_on, "held_on")
    semester = _semester_for(school, held_on, "held_on")
    if not uploads:
        raise ValidationError({"evidence": _("Attach at least one photo or video as evidence.")})
    if audience_size is None or audience_size < 1:
        raise ValidationError({"audience_size": _("Enter how many people attended.")})
    try:
        with files_removed_on_error(), transaction.atomic():
            session = EducationSession.objects.create(
                client_id=client_id,
                school=school,
                semester=semester,
                kind=kind,
                held_on=held_on,
                topic=topic.strip(),
                audience=audience.strip(),
                audience_size=audience_size,
                notes=notes.strip(),
                recorded_by=actor,
            )
            attach(session, uploads, user=actor)
    except IntegrityError:
        return Recorded(EducationSession.objects.get(client_id=client_id), False)
    return Recorded(session, True)


# --- campus broadcast ------------------------------------------------------------------------------------


def broadcast_log(*, actor, school: Unit, day: datetime.date | None = None) -> Recorded:
    """ "Broadcast done today": one row per school and day, however many times it is tapped."""
    _check_actor(actor, school)
    day = day or timezone.localdate()
    _not_future(day, "day")
    semester = _semester_for(school, day, "day")
    if not SchoolCalendar(semester).is_school_day(day):
        raise ValidationError({"day": _("%(day)s is not a school day.") % {"day": day}})
    existing = BroadcastDay.objects.filter(school=school, day=day).first()
    if existing is not None:
        return Recorded(existing, False)
    try:
        with transaction.atomic():
            row = BroadcastDay.objects.create(school=school, semester=semester, day=day, logged_by=actor)
    except IntegrityError:
        return Recorded(BroadcastDay.objects.get(school=school, day=day), False)
    return Recorded(row, True)


# --- parent notices and return slips ---------------------------------------------------------------------


def notice_send(
    *,
    actor,
    school: Unit,
    grade: str,
    class_name: str,
    sent_on: datetime.date,
    title: str,
    text: str = "",
    uploads=(),
    client_id=None,
) -> Recorded:
    """Record the warning notice a class took home to the parents. The same ``client_id`` twice: one."""
    from schools.models import Student

    _check_actor(actor, school)
    client_id = client_id or uuid.uuid4()
    existing = ParentNotice.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.school_id != school.pk:
            raise ValidationError({"client_id": _("This client id belongs to another record.")})
        return Recorded(existing, False)
    _not_future(sent_on, "sent_on")
    semester = _semester_for(school, sent_on, "sent_on")
    if not Student.objects.filter(school=school, grade=grade, class_name=class_name, is_active=True).exists():
        raise ValidationError({"school_class": _("This class has no students at the school.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Enter the notice's title.")})
    try:
        with files_removed_on_error(), transaction.atomic():
            notice = ParentNotice.objects.create(
                client_id=client_id,
                school=school,
                semester=semester,
                grade=grade,
                class_name=class_name,
                sent_on=sent_on,
                title=title.strip(),
                text=(text or "").strip(),
                recorded_by=actor,
            )
            if uploads:
                attach(notice, uploads, user=actor)
    except IntegrityError:
        return Recorded(ParentNotice.objects.get(client_id=client_id), False)
    return Recorded(notice, True)


@dataclass
class SlipChange:
    added: int
    removed: int


def return_slips_record(
    *,
    actor,
    notice: ParentNotice,
    collected: set[int],
    shown: set[int] | None = None,
    collected_on: datetime.date | None = None,
) -> SlipChange:
    """Set which of the ``shown`` students (default: the whole class) brought their signed slip back.

    Idempotent: ticking a student twice keeps one slip; only the students on the submitted list change, so
    two phones ticking different students do not undo each other's work.
    """
    from schools.models import Student

    _check_actor(actor, notice.school)
    collected_on = collected_on or timezone.localdate()
    with transaction.atomic():
        # The lock every writer of this notice's slips takes.
        notice = ParentNotice.objects.select_for_update().select_related("school").get(pk=notice.pk)
        class_ids = set(
            Student.objects.filter(
                school_id=notice.school_id, grade=notice.grade, class_name=notice.class_name, is_active=True
            ).values_list("pk", flat=True)
        )
        shown = class_ids if shown is None else set(shown)
        unknown = (set(collected) | shown) - class_ids
        if unknown:
            raise ValidationError(_("Some students are not in this class."))
        existing = set(ReturnSlip.objects.filter(notice=notice).values_list("student_id", flat=True))
        to_add = set(collected) - existing
        to_remove = (shown - set(collected)) & existing
        ReturnSlip.objects.bulk_create(
            [
                ReturnSlip(notice=notice, student_id=pk, collected_on=collected_on, recorded_by=actor)
                for pk in sorted(to_add)
            ],
            ignore_conflicts=True,
        )
        if to_remove:
            ReturnSlip.objects.filter(notice=notice, student_id__in=to_remove).delete()
        if to_add or to_remove:
            audit_event_record(
                actor=actor, subject=notice, event="return_slips", added=len(to_add), removed=len(to_remove)
            )
    return SlipChange(len(to_add), len(to_remove))
