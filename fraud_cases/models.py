"""The fraud case registry (section 四 of the plan): cases from the 110 dispatch system and the fraud
investigation platform, each linked to a resident and, when the victim had been warned before, to that
warning ("defrauded after warning", 预后被骗).

Cases are written only by ``services.fraud_case_register`` (idempotent by case number).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization.models import ScopedQuerySet, Unit, UnitKind
from warnings_followup.models import FraudType


class CaseSource(models.TextChoices):
    DISPATCH_110 = "110", _("110 dispatch system")
    PLATFORM = "platform", _("Fraud investigation platform")
    OTHER = "other", _("Other")


class ProsecutionStage(models.TextChoices):
    """诉讼: how far the case has gone towards the court (updated after a case analysis meeting, 三(三))."""

    NONE = "", _("Not yet")
    TRANSFERRED = "transferred", _("Transferred for prosecution")
    PROSECUTED = "prosecuted", _("Prosecuted")
    JUDGED = "judged", _("Judgement given")


class FraudCaseQuerySet(ScopedQuerySet):
    def defrauded_after_warning(self):
        return self.filter(warning__isnull=False)

    def reported_between(self, start, end):
        """Cases reported in [start, end) (aware datetimes)."""
        return self.filter(reported_at__gte=start, reported_at__lt=end)


class FraudCase(models.Model):
    case_number = models.CharField(_("case number"), max_length=64, unique=True)
    reported_at = models.DateTimeField(_("reported at"))
    victim = models.ForeignKey(
        "residents.Resident", verbose_name=_("victim"), on_delete=models.PROTECT, related_name="fraud_cases"
    )
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="fraud_cases",
        limit_choices_to={"kind": UnitKind.VILLAGE},
    )
    fraud_type = models.CharField(_("fraud type"), max_length=32, choices=FraudType.choices)
    loss_amount = models.DecimalField(_("loss amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    recovered_amount = models.DecimalField(_("recovered amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    # The outcomes the case analysis meeting drives (破案打击、追赃挽损、案件诉讼): fraud_cases.meetings
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    prosecution_stage = models.CharField(
        _("prosecution"), max_length=16, choices=ProsecutionStage.choices, default="", blank=True
    )
    warning = models.ForeignKey(
        "warnings_followup.WarningOrder",
        verbose_name=_("warning pushed before the fraud"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fraud_cases",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = FraudCaseQuerySet.as_manager()

    scope_field = "village"

    class Meta:
        verbose_name = _("fraud case")
        verbose_name_plural = _("fraud cases")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["village", "reported_at"]),
            # The list's order (newest first, then pk): a page is read off the index, not sorted from every case.
            models.Index(fields=["reported_at", "id"], name="fraud_cases_reported_id_idx"),
        ]

    def __str__(self):
        return self.case_number

    @property
    def defrauded_after_warning(self) -> bool:
        """预后被骗: the victim had a warning pushed before the fraud."""
        return self.warning_id is not None


class TypicalCaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class TypicalCaseQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(status=TypicalCaseStatus.PUBLISHED)


class TypicalCase(models.Model):
    """典型案例: an anonymised case told for publicity, with its warning signs and a dissuasion script (劝阻话术).

    Written by the police and the comprehensive governance centre for their town (``unit``), drawn from a
    registered case (``source_case``, shown only to staff who may see that case). Published cases appear in the
    door-visit and follow-up visit forms of their fraud type. The status changes only through
    ``services.typical_case_publish`` / ``typical_case_retire`` (audited).
    """

    title = models.CharField(_("title"), max_length=100)
    fraud_type = models.CharField(_("fraud type"), max_length=32, choices=FraudType.choices)
    story = models.TextField(_("how the swindle went"))
    warning_signs = models.JSONField(_("warning signs"), default=list)
    script = models.JSONField(_("dissuasion script"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=TypicalCaseStatus.choices, default=TypicalCaseStatus.DRAFT
    )
    source_case = models.ForeignKey(
        FraudCase,
        verbose_name=_("source case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="typical_cases",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="typical_cases")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = TypicalCaseQuerySet.as_manager()

    scope_field = "unit"

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["fraud_type", "-published_on", "-pk"]
        indexes = [models.Index(fields=["status", "fraud_type"], name="typical_case_status_type")]

    def __str__(self):
        return self.title
