"""The schools' education work (section 三(四) of the plan): semesters set by the town, staff education
sessions (every school) and student micro-classes (防骗微课堂) with evidence, the daily campus broadcast (the
micro-classes and the broadcast in the schools the semester names: 罗村中学 in the plan), parent notices
(预警捎给家长) with the signed return slips (回执) collected per student, and the school that supervises the
town's other schools (罗村镇中心学校).

Writes happen only in ``services.py``; the compliance figures are computed in ``selectors.py``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.rules import rule
from organization.models import ScopedQuerySet, Unit, UnitKind


def default_staff_sessions() -> int:
    """每学期至少组织开展两次防骗宣传活动 (教职员工): a new semester's default."""
    return rule("STAFF_SESSIONS_PER_SEMESTER")


def default_micro_classes() -> int:
    """防骗微课堂 每学期至少组织开展两次: a new semester's default."""
    return rule("MICRO_CLASSES_PER_SEMESTER")


class SemesterQuerySet(ScopedQuerySet):
    def containing(self, day: datetime.date):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def of_town(self, town: Unit | None):
        """The semesters ``town`` set (none without a town)."""
        return self.filter(town=town) if town is not None else self.none()

    def current(self, day: datetime.date, town: Unit | None) -> Semester | None:
        """The semester of ``town`` that contains ``day``, or else its last one that ended before it."""
        semesters = self.of_town(town)
        semester = semesters.containing(day).order_by("-starts_on").first()
        return semester or semesters.filter(ends_on__lt=day).order_by("-ends_on").first()


def town_of(unit: Unit | None) -> Unit | None:
    """The town a school (or any unit) sits in; the unit itself when it is a town; None above or outside a town."""
    return unit.ancestor(UnitKind.TOWN) if unit is not None else None


class Semester(models.Model):
    """A school semester, set by the town: its dates, holidays and what each school must do in it.

    Staff education sessions are required at every school; the micro-classes and the daily campus broadcast
    only at the schools the semester names (``student_education_schools``; the plan names 罗村中学).
    Each town keeps its own calendar (issue 18): a semester belongs to one town, its name is unique in that
    town, its dates overlap no other semester of that town, and it names only that town's schools.
    """

    town = models.ForeignKey(
        Unit,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="semesters",
        limit_choices_to={"kind": UnitKind.TOWN},
    )
    name = models.CharField(_("name"), max_length=60)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    required_staff_sessions = models.PositiveSmallIntegerField(
        _("staff education sessions required"),
        default=default_staff_sessions,
        help_text=_("Anti-fraud education sessions for the teaching staff every school must hold this semester."),
    )
    required_micro_classes = models.PositiveSmallIntegerField(
        _("micro-classes required"),
        default=default_micro_classes,
        help_text=_("Anti-fraud micro-classes for the students each named school must hold this semester."),
    )
    student_education_schools = models.ManyToManyField(
        Unit,
        verbose_name=_("schools with micro-classes and the daily broadcast"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": UnitKind.SCHOOL},
        help_text=_(
            "Schools that hold the anti-fraud micro-classes in their safety course and play the anti-fraud MP3 "
            "on the campus broadcast every school day. Staff sessions are required at every school."
        ),
    )
    broadcast_deadline = models.TimeField(
        _("broadcast to be logged by"),
        default=datetime.time(10, 0),
        help_text=_("Local time after which a school day without a logged broadcast is reminded."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SemesterQuerySet.as_manager()
    scope_field = "town"

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="semester_ends_after_start"),
            models.UniqueConstraint(fields=["town", "name"], name="education_semester_town_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.town_id is None:
            raise ValidationError({"town": _("Choose the town whose semester this is.")})
        if self.town.kind != UnitKind.TOWN:
            raise ValidationError({"town": _("Choose a town.")})
        others = Semester.objects.filter(town_id=self.town_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if self.name and others.filter(name=self.name).exists():
            raise ValidationError({"name": _("The town already has a semester of this name.")})
        if self.starts_on and self.ends_on:
            if self.ends_on <= self.starts_on:
                raise ValidationError({"ends_on": _("The last day must come after the first day.")})
            if others.filter(starts_on__lte=self.ends_on, ends_on__gte=self.starts_on).exists():
                raise ValidationError(_("These dates overlap another semester."))


class SupervisingSchool(models.Model):
    """The school that supervises its town's other schools (督导各级各类学校; the plan gives 罗村镇中心学校 this
    duty). Its staff read the other schools' compliance; they never write the other schools' records or read
    their students' personal data. Set by an administrator (one row per supervising school)."""

    school = models.OneToOneField(
        Unit,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="supervision",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervising school")
        verbose_name_plural = _("supervising schools")

    def __str__(self):
        return str(self.school)

    def clean(self):
        if self.school_id and self.school.kind != UnitKind.SCHOOL:
            raise ValidationError({"school": _("Choose a school.")})


class CalendarChange(models.Model):
    """A change to the semester's weekday calendar: holidays off, or a weekend made a school day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no school)")
        MAKEUP_DAY = "makeup_day", _("Make-up school day")

    semester = models.ForeignKey(
        Semester, verbose_name=_("semester"), on_delete=models.CASCADE, related_name="calendar_changes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["starts_on"]

    def __str__(self):
        return f"{self.name or self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot come before the start.")})


class SchoolScopedQuerySet(ScopedQuerySet):
    pass


class SessionKind(models.TextChoices):
    STAFF = "staff", _("Staff education session")
    MICRO_CLASS = "micro_class", _("Anti-fraud micro-class")


class EducationSession(models.Model):
    """A staff education session or a student micro-class, with its photo or video evidence (留存影像备查)."""

    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        Unit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="education_sessions",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    semester = models.ForeignKey(
        Semester, verbose_name=_("semester"), on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, help_text=_("Who attended, e.g. all Grade 8 classes."))
    audience_size = models.PositiveIntegerField(_("number of people"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords(excluded_fields=["client_id"])
    objects = SchoolScopedQuerySet.as_manager()
    scope_field = "school"

    class Meta:
        verbose_name = _("education session")
        verbose_name_plural = _("education sessions")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["school", "semester", "kind"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}: {self.topic}"


class BroadcastDay(models.Model):
    """The anti-fraud MP3 was played on the campus broadcast on this school day (one row per school and day)."""

    school = models.ForeignKey(
        Unit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="broadcast_days",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    semester = models.ForeignKey(
        Semester, verbose_name=_("semester"), on_delete=models.PROTECT, related_name="broadcast_days"
    )
    day = models.DateField(_("day"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()
    scope_field = "school"

    class Meta:
        verbose_name = _("broadcast day")
        verbose_name_plural = _("broadcast days")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["school", "day"], name="unique_broadcast_per_school_day")]

    def __str__(self):
        return f"{self.school} {self.day}"


class ParentNotice(models.Model):
    """The anti-fraud warning a class's students took home to their parents (预警捎给家长)."""

    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        Unit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="parent_notices",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    semester = models.ForeignKey(
        Semester, verbose_name=_("semester"), on_delete=models.PROTECT, related_name="parent_notices"
    )
    grade = models.CharField(_("grade"), max_length=20)
    class_name = models.CharField(_("class"), max_length=40)
    sent_on = models.DateField(_("sent on"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords(excluded_fields=["client_id"])
    objects = SchoolScopedQuerySet.as_manager()
    scope_field = "school"

    class Meta:
        verbose_name = _("parent notice")
        verbose_name_plural = _("parent notices")
        ordering = ["-sent_on", "grade", "class_name", "-pk"]
        indexes = [models.Index(fields=["school", "semester", "grade", "class_name"])]

    def __str__(self):
        return f"{self.grade}{self.class_name} {self.sent_on}: {self.title}"


class ReturnSlip(models.Model):
    """A parent's signed return slip (回执) of a notice, brought back by the student and filed at school."""

    notice = models.ForeignKey(
        ParentNotice, verbose_name=_("parent notice"), on_delete=models.CASCADE, related_name="return_slips"
    )
    student = models.ForeignKey(
        "schools.Student", verbose_name=_("student"), on_delete=models.CASCADE, related_name="return_slips"
    )
    collected_on = models.DateField(_("collected on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()
    scope_field = "notice__school"

    class Meta:
        verbose_name = _("return slip")
        verbose_name_plural = _("return slips")
        ordering = ["notice", "student"]
        constraints = [models.UniqueConstraint(fields=["notice", "student"], name="unique_return_slip_per_student")]

    def __str__(self):
        return f"{self.notice_id}: {self.student_id}"


# The staff roster, its attendance and the schools' marked cases (三(四) 教职员工全覆盖、零发案)
from .staff import SchoolCase, StaffAttendance, StaffMember  # noqa: E402, F401
