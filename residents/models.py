"""The resident registry: households and residents, with sensitive numbers encrypted at rest.

ID and phone numbers are stored as Fernet tokens (``EncryptedTextField``) with a keyed hash beside
them for exact lookup; nobody assigns the hash by hand: :meth:`Resident.set_id_number` and friends
normalise, validate, encrypt and hash in one place.
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField, blind_index
from core.natural import NaturalSortKeyField
from core.validators import (
    birth_date_from_id_number,
    gender_from_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from organization.models import ScopedQuerySet, Unit, UnitKind


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Whole years between ``birth`` and ``day`` (a birthday not reached yet this year does not count)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_number_hash(value: str) -> str:
    """The blind index of a (raw or normalised) ID number. Raises ValidationError if invalid."""
    return blind_index(normalize_id_number(value), purpose="id_number")


def phone_hash(value: str) -> str:
    return blind_index(normalize_phone(value), purpose="phone")


class HouseholdQuerySet(ScopedQuerySet):
    def with_member_count(self):
        return self.annotate(member_count=models.Count("members", distinct=True))


class Household(models.Model):
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": UnitKind.VILLAGE},
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_households",
        limit_choices_to={"kind": UnitKind.GRID},
    )
    address = models.CharField(_("address"), max_length=200)
    # 幸福路5号 before 幸福路43号: the lists order by this key (core.natural), set on every save.
    sort_key = NaturalSortKeyField(source="address")
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["contact_phone"])
    objects = HouseholdQuerySet.as_manager()

    scope_field = "village"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village__code", "sort_key", "address"]
        constraints = [models.UniqueConstraint(fields=["village", "address"], name="unique_household_address")]
        indexes = [
            models.Index(fields=["grid", "address"]),
            models.Index(fields=["village", "sort_key", "id"], name="household_village_natural"),
            models.Index(fields=["grid", "sort_key", "id"], name="household_grid_natural"),
        ]

    def __str__(self):
        return self.address

    def set_contact_phone(self, value: str) -> None:
        self.contact_phone = normalize_phone(value) if value else ""
        self.contact_phone_hash = blind_index(self.contact_phone, purpose="phone") if value else ""

    @property
    def reference(self) -> str:
        """The household's reference, printed on paper forms so a photographed form can be matched."""
        return f"H{self.pk:07d}"

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class ResidentTag(models.TextChoices):
    ELDERLY = "elderly", _("Elderly")
    STUDENT = "student", _("Student")
    FINANCE_STAFF = "finance_staff", _("Finance staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    KEY_GROUP = "key_group", _("Key group for fraud risk")


class ResidentSource(models.TextChoices):
    REGISTRY = "registry", _("Registry")
    IMPORT = "import", _("Excel import")
    WARNING = "warning", _("Police warning")
    FRAUD_CASE = "fraud_case", _("Fraud case")


class ResidentQuerySet(ScopedQuerySet):
    def by_id_number(self, value: str):
        return self.filter(id_number_hash=id_number_hash(value))

    def by_phone(self, value: str):
        return self.filter(phone_hash=phone_hash(value))

    def with_tag(self, tag: str):
        return self.filter(**{f"is_{tag}": True})


class Resident(models.Model):
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    # The village is kept even without a household (a person warned by the police, not yet registered).
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="residents",
        limit_choices_to={"kind": UnitKind.VILLAGE},
    )
    relation = models.CharField(_("relation to the household head"), max_length=20, blank=True)
    is_elderly = models.BooleanField(ResidentTag.ELDERLY.label, default=False)
    is_student = models.BooleanField(ResidentTag.STUDENT.label, default=False)
    is_finance_staff = models.BooleanField(ResidentTag.FINANCE_STAFF.label, default=False)
    is_volunteer = models.BooleanField(ResidentTag.VOLUNTEER.label, default=False)
    is_key_group = models.BooleanField(ResidentTag.KEY_GROUP.label, default=False)
    source = models.CharField(
        _("source"), max_length=16, choices=ResidentSource.choices, default=ResidentSource.REGISTRY
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["id_number", "phone"])
    objects = ResidentQuerySet.as_manager()

    scope_field = "village"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["village__code", "name", "pk"]
        indexes = [models.Index(fields=["village", "name"])]

    def __str__(self):
        return self.name

    def set_id_number(self, value: str) -> None:
        """Normalise, validate, encrypt and index the ID number; derive birth date and gender."""
        normalized = normalize_id_number(value)
        self.id_number = normalized
        self.id_number_hash = blind_index(normalized, purpose="id_number")
        self.birth_date = birth_date_from_id_number(normalized)
        self.gender = gender_from_id_number(normalized)

    def set_phone(self, value: str) -> None:
        self.phone = normalize_phone(value) if value else ""
        self.phone_hash = blind_index(self.phone, purpose="phone") if value else ""

    @property
    def tags(self) -> list[str]:
        return [tag for tag in ResidentTag.values if getattr(self, f"is_{tag}")]

    def tag_labels(self) -> list[str]:
        return [str(ResidentTag(tag).label) for tag in self.tags]

    def set_tags(self, tags) -> None:
        wanted = set(tags)
        for tag in ResidentTag.values:
            setattr(self, f"is_{tag}", tag in wanted)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def age(self) -> int:
        """Age in whole years today. Shown instead of the birth date beside a masked ID number: the birth date is
        exactly the part the mask hides (``440605********2707`` + ``1990-03-14`` gives the whole number back)."""
        return age_on(self.birth_date, timezone.localdate())
