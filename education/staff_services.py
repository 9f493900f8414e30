"""Writes and reads of the staff roster, the staff sessions' attendance and the schools' marked fraud cases
(三(四) 教职员工接受防骗宣传教育全覆盖、"零发案"). Models: ``education.staff``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from organization.actors import is_police
from organization.models import Unit

from .models import EducationSession, Semester, SessionKind
from .services import can_log
from .staff import SchoolCase, StaffAttendance, StaffMember, StaffRole

# --- the roster -------------------------------------------------------------------------------------------


def staff_member_add(*, actor, school: Unit, name: str, role: str) -> StaffMember:
    if not can_log(actor, school):
        raise PermissionDenied(_("Only the school's staff may keep its staff roster."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    if role not in StaffRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    member = StaffMember.objects.create(school=school, name=name, role=role)
    audit_event_record(actor=actor, subject=member, event="staff_added", new=role)
    return member


def staff_member_deactivate(*, actor, member: StaffMember) -> StaffMember:
    """The member left the school: off the roster and out of the coverage (kept for the record)."""
    if not can_log(actor, member.school):
        raise PermissionDenied(_("Only the school's staff may keep its staff roster."))
    with transaction.atomic():
        locked = StaffMember.objects.select_for_update().get(pk=member.pk)
        if not locked.is_active:
            return locked
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_event_record(actor=actor, subject=locked, event="staff_left", old="active", new="inactive")
    return locked


def session_staff_attendance_set(*, actor, session: EducationSession, staff_ids) -> int:
    """Who of the roster attended this staff session (replaces the list); returns how many."""
    if not can_log(actor, session.school):
        raise PermissionDenied(_("Only the school's staff may record its education work."))
    if session.kind != SessionKind.STAFF:
        raise ValidationError(_("Attendance is kept for staff education sessions only."))
    wanted = set(
        StaffMember.objects.filter(school=session.school, is_active=True, pk__in=list(staff_ids)).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        EducationSession.objects.select_for_update().get(pk=session.pk)
        present = set(session.staff_attendance.values_list("staff_id", flat=True))
        session.staff_attendance.filter(staff_id__in=present - wanted).delete()
        StaffAttendance.objects.bulk_create(StaffAttendance(session=session, staff_id=pk) for pk in wanted - present)
        if present != wanted:
            audit_event_record(
                actor=actor, subject=session, event="staff_attendance", old=str(len(present)), new=str(len(wanted))
            )
    return len(wanted)


# --- coverage ---------------------------------------------------------------------------------------------


@dataclass
class StaffCoverage:
    total: int = 0
    covered: int = 0
    sessions_held: int = 0
    missed_all: list[StaffMember] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return round(100 * self.covered / self.total, 1) if self.total else None


def staff_coverage(*, school: Unit, semester: Semester | None) -> StaffCoverage:
    """The active roster's coverage by the semester's staff sessions: who attended at least one, and who missed
    every one held (listed once a session was held). Two queries."""
    return staff_coverages(schools=[school], semester=semester)[school.pk]


def staff_coverages(*, schools, semester: Semester | None) -> dict[int, StaffCoverage]:
    """:func:`staff_coverage` of each of ``schools`` (units or ids), by school id: two queries whatever the number
    of schools (one without a semester). Not scoped: the caller passes the schools the user may see."""
    school_ids = [getattr(school, "pk", school) for school in schools]
    result = {pk: StaffCoverage() for pk in school_ids}
    if not school_ids:
        return result
    if semester is None:
        for row in (
            StaffMember.objects.filter(school_id__in=school_ids, is_active=True)
            .values("school_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            result[row["school_id"]].total = row["n"]
        return result
    for row in (
        EducationSession.objects.filter(school_id__in=school_ids, semester=semester, kind=SessionKind.STAFF)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result[row["school_id"]].sessions_held = row["n"]
    members = (
        StaffMember.objects.filter(school_id__in=school_ids, is_active=True)
        .annotate(
            attended=Count(
                "attendance",
                filter=Q(attendance__session__semester=semester, attendance__session__kind=SessionKind.STAFF),
            )
        )
        .order_by("name", "pk")
    )
    for member in members:
        coverage = result[member.school_id]
        coverage.total += 1
        if member.attended:
            coverage.covered += 1
        elif coverage.sessions_held:
            coverage.missed_all.append(member)
    return result


# --- 零发案: cases marked as a student's or a staff member's ------------------------------------------------


def can_mark_cases(user) -> bool:
    return is_police(user)


def school_case_mark(*, actor, case, staff: StaffMember | None = None) -> SchoolCase:
    """Mark ``case`` as a school's: a staff member's (chosen from the roster), else a student's — the student whose
    ID number is the victim's (the registry link), among the students ``actor`` may see."""
    from schools.models import Student

    if not can_mark_cases(actor):
        raise PermissionDenied(_("Only the police may mark a case as a school's."))
    student = None
    if staff is None:
        student = (
            Student.objects.for_user(actor)
            .filter(id_number_hash=case.victim.id_number_hash)
            .select_related("school")
            .first()
        )
        if student is None:
            raise ValidationError(
                {"staff": _("The victim is not one of the students: choose the staff member from the roster.")}
            )
    school = staff.school if staff is not None else student.school
    with transaction.atomic():
        mark, created = SchoolCase.objects.get_or_create(
            case=case, defaults={"school": school, "student": student, "staff": staff, "marked_by": actor}
        )
        if not created:
            raise ValidationError({"case_number": _("This case is already marked as a school's.")})
        audit_event_record(
            actor=actor, subject=mark, event="school_case_marked", new="student" if student is not None else "staff"
        )
    return mark


def school_case_counts(*, school: Unit) -> dict:
    """The school's marked cases: its students' and its staff's (one query)."""
    return school_case_counts_by_school(school_ids=[school.pk])[school.pk]


def school_case_counts_by_school(*, school_ids, start=None, end=None) -> dict[int, dict]:
    """{school id: {"students": n, "staff": n}} of the marked cases, those whose case was reported in [start, end]
    (dates, either may be None) when given; one query. Not scoped: the caller passes the schools in scope."""
    school_ids = list(school_ids)
    result = {pk: {"students": 0, "staff": 0} for pk in school_ids}
    marks = SchoolCase.objects.filter(school_id__in=school_ids)
    if start is not None:
        marks = marks.filter(case__reported_at__date__gte=start)
    if end is not None:
        marks = marks.filter(case__reported_at__date__lte=end)
    for row in (
        marks.values("school_id")
        .annotate(
            students=Count("pk", filter=Q(student__isnull=False)),
            staff=Count("pk", filter=Q(staff__isnull=False)),
        )
        .order_by()
    ):
        result[row["school_id"]] = {"students": row["students"], "staff": row["staff"]}
    return result
