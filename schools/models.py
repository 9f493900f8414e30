"""Students of the town's schools, their bank and SIM cards, and the card-opening approval chain (两卡).

Students' data is minors' data: only their school's staff and the police see it (scope + the
``schools.*`` capabilities), masked by default; every full view is access-logged by the views.

A student holds in principle one bank card and one SIM card. Any further card of a kind is only
added by :func:`schools.services.card_application_transition` ``record_opened``, at the end of an
application that the school approved (with its seal), escorted, and the police cleared.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField, blind_index
from core.natural import NaturalSortKeyField
from core.validators import mask_id_number, mask_phone, normalize_id_number, normalize_phone
from organization.models import ScopedQuerySet, Unit, UnitKind


def student_id_number_hash(value: str) -> str:
    """The blind index of a student's (raw or normalised) ID number. Raises ValidationError if invalid."""
    return blind_index(normalize_id_number(value), purpose="id_number")


def guardian_phone_hash(value: str) -> str:
    return blind_index(normalize_phone(value), purpose="phone")


def new_verification_code() -> str:
    """A random, unguessable code for the public verification page (about 128 bits)."""
    return secrets.token_urlsafe(16)


class SchoolProfile(models.Model):
    """A school's settings: its seal image, stamped on approved card applications."""

    school = models.OneToOneField(
        Unit,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="school_profile",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    seal = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("seal image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    attachments = GenericRelation("core.Attachment")
    objects = ScopedQuerySet.as_manager()

    scope_field = "school"

    class Meta:
        verbose_name = _("school profile")
        verbose_name_plural = _("school profiles")

    def __str__(self):
        return str(self.school)


class MinorsDataQuerySet(ScopedQuerySet):
    """Minors' data: the scope, and only for the roles that may see students (their school's staff, the police).

    A town-wide role without ``schools.view_students`` (leadership, governance) sees none of it, on every path
    that scopes through ``for_user`` (pages, API, exports, and the attachment view serving consent files).
    """

    scope_capability = "schools.view_students"


class StudentQuerySet(MinorsDataQuerySet):
    def by_id_number(self, value: str):
        return self.filter(id_number_hash=student_id_number_hash(value))

    def active(self):
        return self.filter(is_active=True)


class Student(models.Model):
    school = models.ForeignKey(
        Unit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="students",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    grade = models.CharField(_("grade"), max_length=20)
    class_name = models.CharField(_("class"), max_length=30)
    # 初一, 初二, 初三; 一年级 … 六年级; 2班 before 10班: the lists order by these keys (core.natural).
    grade_key = NaturalSortKeyField(source="grade")
    class_key = NaturalSortKeyField(source="class_name")
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = EncryptedTextField(_("guardian's phone"), blank=True)
    guardian_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["id_number", "guardian_phone"])
    objects = StudentQuerySet.as_manager()

    scope_field = "school"

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["school__code", "grade_key", "class_key", "name", "pk"]
        indexes = [
            models.Index(fields=["school", "grade", "class_name"]),
            models.Index(fields=["school", "grade_key", "class_key", "name"], name="student_school_natural"),
        ]

    def __str__(self):
        return self.name

    def set_id_number(self, value: str) -> None:
        normalized = normalize_id_number(value)
        self.id_number = normalized
        self.id_number_hash = blind_index(normalized, purpose="id_number")

    def set_guardian_phone(self, value: str) -> None:
        self.guardian_phone = normalize_phone(value) if value else ""
        self.guardian_phone_hash = blind_index(self.guardian_phone, purpose="phone") if value else ""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_guardian_phone(self) -> str:
        return mask_phone(self.guardian_phone)

    @property
    def masked_name(self) -> str:
        """The name with all but the first character hidden (for places where even the name is too much)."""
        return (self.name[:1] + "*" * max(len(self.name) - 1, 1)) if self.name else ""

    @property
    def class_label(self) -> str:
        return f"{self.grade} {self.class_name}".strip()


class CardType(models.TextChoices):
    BANK = "bank", _("Bank card")
    SIM = "sim", _("SIM card")


last4_validator = RegexValidator(r"^\d{4}$", _("Enter the last 4 digits of the card number."))


class StudentCardQuerySet(MinorsDataQuerySet):
    def active(self):
        return self.filter(is_active=True)


class StudentCard(models.Model):
    """A bank card or SIM card a student holds (recorded by the school, or added by an opened application)."""

    student = models.ForeignKey(Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="cards")
    card_type = models.CharField(_("card type"), max_length=8, choices=CardType.choices)
    issuer = models.CharField(_("issuer"), max_length=60, help_text=_("The bank or the carrier."))
    last4 = models.CharField(_("last 4 digits"), max_length=4, validators=[last4_validator])
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    application = models.OneToOneField(
        "CardApplication",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_card",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = StudentCardQuerySet.as_manager()

    scope_field = "student__school"

    class Meta:
        verbose_name = _("student card")
        verbose_name_plural = _("student cards")
        ordering = ["student", "card_type", "opened_on", "pk"]

    def __str__(self):
        return f"{self.get_card_type_display()} {self.issuer} ****{self.last4}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the school's review")
    SCHOOL_APPROVED = "school_approved", _("Approved by the school, waiting for an escort")
    SCHOOL_REJECTED = "school_rejected", _("Rejected by the school")
    ESCORT_ASSIGNED = "escort_assigned", _("Escort assigned, at the police check")
    POLICE_CLEARED = "police_cleared", _("Cleared by the police, to open")
    POLICE_REFUSED = "police_refused", _("Refused by the police")
    OPENED = "opened", _("Card opened")


class CardApplicationQuerySet(MinorsDataQuerySet):
    def open(self):
        return self.exclude(
            status__in=[ApplicationStatus.SCHOOL_REJECTED, ApplicationStatus.POLICE_REFUSED, ApplicationStatus.OPENED]
        )


class CardApplication(models.Model):
    """An application to open a further bank or SIM card for a student; each step records who, when and why."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="card_applications"
    )
    card_type = models.CharField(_("card type"), max_length=8, choices=CardType.choices)
    issuer = models.CharField(_("issuer"), max_length=60, help_text=_("The bank or the carrier."))
    reason = models.TextField(_("reason"))
    guardian_consent = models.BooleanField(_("guardian's consent"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    verification_code = models.CharField(max_length=40, unique=True, default=new_verification_code, editable=False)
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # (b) the school's review, with the school's seal
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("review remarks"), blank=True)
    seal = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("seal image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # (c) the escort and the appointment at the police station
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escorted_card_applications",
    )
    appointment_at = models.DateTimeField(_("police appointment"), null=True, blank=True)
    escort_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escort assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escort_assigned_at = models.DateTimeField(_("escort assigned at"), null=True, blank=True)
    # (d) the police check
    police_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by the police"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    police_checked_at = models.DateTimeField(_("police check at"), null=True, blank=True)
    police_reason = models.TextField(_("police remarks"), blank=True)
    # (e) the card opened
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opening recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opening recorded at"), null=True, blank=True)

    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords()
    objects = CardApplicationQuerySet.as_manager()

    scope_field = "student__school"

    class Meta:
        verbose_name = _("card application")
        verbose_name_plural = _("card applications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        """The application number printed on the form and shown on the verification page."""
        year = self.created_at.year if self.created_at else ""
        return f"LK{year}-{self.pk or 0:06d}"
