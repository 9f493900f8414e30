"""Schools' staff coverage and 零发案 (三(四): 确保教职员工接受防骗宣传教育全覆盖、网络电信诈骗"零发案").

* :class:`StaffMember`: a school's staff roster (name and role; no ID numbers).
* :class:`StaffAttendance`: who of the roster attended a staff education session, so the staff's coverage is a
  percentage and a member who missed every staff session of the semester is listed (``staff_services``).
* :class:`SchoolCase`: a registered fraud case marked as a student's (matched by the victim's ID number against the
  school's students) or a staff member's (chosen from the roster); a school's page shows its count.

Imported by ``education.models`` so Django registers the models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import ScopedQuerySet, Unit, UnitKind


class StaffRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    HEAD_TEACHER = "head_teacher", _("Class teacher")
    MANAGEMENT = "management", _("School management")
    SUPPORT = "support", _("Support staff")
    OTHER = "other", _("Other staff")


class StaffQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class StaffMember(models.Model):
    """One of a school's teaching and other staff (教职员工)."""

    school = models.ForeignKey(
        Unit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="staff_members",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.TEACHER)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = StaffQuerySet.as_manager()
    scope_field = "school"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["school", "name", "pk"]
        indexes = [models.Index(fields=["school", "is_active"], name="edu_staff_school_active")]

    def __str__(self):
        return self.name


class StaffAttendance(models.Model):
    """A staff member attended a staff education session."""

    session = models.ForeignKey("education.EducationSession", on_delete=models.CASCADE, related_name="staff_attendance")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="attendance")

    objects = ScopedQuerySet.as_manager()
    scope_field = "session__school"

    class Meta:
        verbose_name = _("staff attendance")
        verbose_name_plural = _("staff attendance")
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="unique_staff_attendance")]

    def __str__(self):
        return f"{self.session_id}: {self.staff_id}"


class SchoolCase(models.Model):
    """A registered fraud case whose victim is one of the school's students or staff (counted against 零发案)."""

    case = models.OneToOneField(
        "fraud_cases.FraudCase", verbose_name=_("fraud case"), on_delete=models.CASCADE, related_name="school_mark"
    )
    school = models.ForeignKey(Unit, verbose_name=_("school"), on_delete=models.PROTECT, related_name="school_cases")
    student = models.ForeignKey(
        "schools.Student", verbose_name=_("student"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "school"

    class Meta:
        verbose_name = _("school's fraud case")
        verbose_name_plural = _("school's fraud cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(student__isnull=False, staff__isnull=True)
                | models.Q(student__isnull=True, staff__isnull=False),
                name="school_case_student_or_staff",
            )
        ]

    def __str__(self):
        return f"{self.school} · {self.case_id}"

    @property
    def is_student(self) -> bool:
        return self.student_id is not None
