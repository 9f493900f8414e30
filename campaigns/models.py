"""Door-knocking outreach (敲门行动), section 三(一)1 of the plan: "全覆盖、无死角".

Grid workers visit every household (:class:`DoorVisit`), hand out the letter, the police contact card
and the pledge form (:class:`PrintMaterial`, editable by the town), explain the fraud types, help
install the 国家反诈中心 app, and have residents sign the pledge (:class:`Pledge`, 承诺书), kept on file.

A household counts as *visited* once a visit found someone at home; a visit that found nobody is
recorded too, and the household stays on the to-do list (:meth:`DoorVisitQuerySet.reached`).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from organization.models import ScopedQuerySet


class Material(models.TextChoices):
    LETTER = "letter", _("Letter to the public")
    CONTACT_CARD = "contact_card", _("Police contact card")
    PLEDGE_FORM = "pledge_form", _("Pledge form")


# The DoorVisit boolean field recording each material handed out.
MATERIAL_FIELDS = {
    Material.LETTER: "gave_letter",
    Material.CONTACT_CARD: "gave_contact_card",
    Material.PLEDGE_FORM: "gave_pledge_form",
}


class DoorVisitQuerySet(ScopedQuerySet):
    def reached(self):
        """Visits that found someone at home: these make a household 'visited'."""
        return self.filter(someone_home=True)


class DoorVisit(models.Model):
    client_id = models.UUIDField(
        _("client reference"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Chosen by the phone: a re-sent form is one visit."),
    )
    household = models.ForeignKey(
        "residents.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="door_visits"
    )
    visited_at = models.DateTimeField(pgettext_lazy("door visit", "visited at"), db_index=True)
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("visitors"), related_name="door_visits")
    someone_home = models.BooleanField(_("someone at home"))
    gave_letter = models.BooleanField(Material.LETTER.label, default=False)
    gave_contact_card = models.BooleanField(Material.CONTACT_CARD.label, default=False)
    gave_pledge_form = models.BooleanField(Material.PLEDGE_FORM.label, default=False)
    fraud_types_explained = models.JSONField(_("fraud types explained"), default=list, blank=True)
    app_installed = models.BooleanField(_("national anti-fraud app installed"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    attachments = GenericRelation("core.Attachment")
    objects = DoorVisitQuerySet.as_manager()

    scope_field = "household__village"

    class Meta:
        verbose_name = _("door visit")
        verbose_name_plural = _("door visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["household", "someone_home"])]

    def __str__(self):
        return f"{self.household} · {self.visited_at:%Y-%m-%d}"

    @property
    def materials(self) -> list[str]:
        return [material for material, field in MATERIAL_FIELDS.items() if getattr(self, field)]

    def material_labels(self) -> list[str]:
        return [Material(material).label for material in self.materials]


class PledgeMethod(models.TextChoices):
    SIGNED_ON_PHONE = "signed_on_phone", _("Signed on the phone")
    PAPER_PHOTO = "paper_photo", _("Photo of the signed paper form")


class PledgeQuerySet(ScopedQuerySet):
    pass


class Pledge(models.Model):
    """A resident's signed pledge (承诺书), kept on file (备案留存): one per resident."""

    client_id = models.UUIDField(_("client reference"), unique=True, default=uuid.uuid4)
    resident = models.OneToOneField(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="pledge"
    )
    visit = models.ForeignKey(
        DoorVisit, verbose_name=_("door visit"), null=True, blank=True, on_delete=models.PROTECT, related_name="pledges"
    )
    signed_at = models.DateTimeField(_("signed at"), db_index=True)
    method = models.CharField(_("how it was signed"), max_length=20, choices=PledgeMethod.choices)
    image = models.FileField(_("signature or photo"), max_length=200)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("collected by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PledgeQuerySet.as_manager()

    scope_field = "resident__village"

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-signed_at", "-pk"]

    def __str__(self):
        return f"{self.resident.name} · {self.signed_at:%Y-%m-%d}"


class PrintMaterial(models.Model):
    """The wording of a printed material, edited by the town in the admin."""

    kind = models.CharField(_("material"), max_length=20, choices=Material.choices, unique=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), help_text=_("Plain text; an empty line starts a new paragraph."))
    closing = models.TextField(_("closing lines"), blank=True, help_text=_("Signature block, date line or footer."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("printed material")
        verbose_name_plural = _("printed materials")
        ordering = ["kind"]

    def __str__(self):
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.body.replace("\r\n", "\n").split("\n\n") if part.strip()]


class PoliceContact(models.Model):
    """A number printed on the contact card and the letter (派出所、社区民警、反诈专线)."""

    label = models.CharField(_("who"), max_length=60)
    phone = models.CharField(_("phone number"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police contact number")
        verbose_name_plural = _("police contact numbers")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.label} {self.phone}"


class GridCoverage(models.Model):
    """Running counts of the door-knocking outreach for one grid, kept by the services that change them.

    ``unit`` is the grid, or the village itself for its households not yet assigned to a grid; a village's
    figures are the sum of its rows, a town's the sum of its villages'. The definitions are those of
    ``campaigns/coverage.py``; ``manage.py recount_coverage --check`` compares them with a full recount.
    """

    unit = models.OneToOneField(
        "organization.Unit", primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    village = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("village")
    )
    households = models.IntegerField(_("households"), default=0)
    households_visited = models.IntegerField(_("households visited"), default=0)
    residents = models.IntegerField(_("residents"), default=0)
    residents_pledged = models.IntegerField(_("residents with signed pledges"), default=0)
    app_installs = models.IntegerField(_("app installs"), default=0)

    scope_field = "village"

    class Meta:
        verbose_name = _("grid coverage")
        verbose_name_plural = _("grid coverage")

    def __str__(self):
        return f"{self.unit_id}: {self.households_visited}/{self.households}"


class CoverageWeek(models.Model):
    """One grid's outreach in one week (Monday, Asia/Shanghai): the coverage chart and "visits this week".

    ``households_reached``: households whose first visit that found someone at home fell in the week;
    ``residents_pledged``: pledges signed in the week; both by the household's grid today, like the totals.
    """

    unit = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    village = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("village")
    )
    week = models.DateField(_("week of"))
    visits = models.IntegerField(_("visits"), default=0)
    households_reached = models.IntegerField(_("households reached"), default=0)
    residents_pledged = models.IntegerField(_("residents with signed pledges"), default=0)

    scope_field = "village"

    class Meta:
        verbose_name = _("coverage week")
        verbose_name_plural = _("coverage weeks")
        constraints = [models.UniqueConstraint(fields=["unit", "week"], name="unique_coverage_week")]
        indexes = [models.Index(fields=["village", "week"])]

    def __str__(self):
        return f"{self.unit_id} · {self.week}"
