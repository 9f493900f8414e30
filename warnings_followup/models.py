"""The warning and dissuasion workflow (预警劝阻), section 三(一)2 of the plan.

A :class:`WarningOrder` is pushed by the police for one person; the village team acknowledges it, visits
the person in person every few days for one calendar month from the push's local date (the window; the
figures are the plan's rules, ``core.rules``), escalates to relatives and friends when the person is still
at risk, and confirms the outcome. The police's first dissuasion and the team's first in-person contact are
two facts, kept apart. Confirming dissuasion does not end the visits: they go on until the window ends.
Status changes happen only in ``services.py`` (see ``TRANSITIONS``); nobody assigns ``status``.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField
from core.validators import mask_bank_account, mask_phone
from organization.models import ScopedQuerySet, Unit, UnitKind


class FraudType(models.TextChoices):
    REBATE_TASK = "rebate_task", _("Fake order brushing with rebates")
    INVESTMENT = "investment", _("Fake investment and wealth management")
    LOAN = "loan", _("Fake online loans")
    IMPERSONATE_POLICE = "impersonate_police", _("Impersonating police, prosecutors or courts")
    IMPERSONATE_SERVICE = "impersonate_service", _("Impersonating e-commerce or logistics customer service")
    IMPERSONATE_LEADER = "impersonate_leader", _("Impersonating leaders or acquaintances")
    GAME_TRADING = "game_trading", _("Fake online game trading")
    DATING = "dating", _("Online dating and romance")
    CREDIT_REPORT = "credit_report", _("Fake credit reports")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class WarningStatus(models.TextChoices):
    PUSHED = "pushed", pgettext_lazy("warning status", "Pushed")  # 待签收: the queue tab says the same
    FOLLOWING_UP = "following_up", _("Following up")
    DISSUADED = "dissuaded", _("Dissuaded")
    RELEASE_REQUESTED = "release_requested", _("Release requested")
    RELEASED = "released", _("Stop-payment released")
    DEFRAUDED = "defrauded", _("Defrauded after warning")
    CLOSED = "closed", _("Closed")


# No outcome yet: the person may still be at risk.
OPEN_STATUSES = (WarningStatus.PUSHED, WarningStatus.FOLLOWING_UP)
# Still visited every few days until the window ends ("时间持续一个月"): an outcome of dissuasion does not stop
# the visits; only fraud or closing does.
FOLLOW_UP_STATUSES = (
    WarningStatus.PUSHED,
    WarningStatus.FOLLOWING_UP,
    WarningStatus.DISSUADED,
    WarningStatus.RELEASE_REQUESTED,
    WarningStatus.RELEASED,
)
# An outcome of dissuasion: closed by the window-end task once the window is over.
OUTCOME_KNOWN_STATUSES = (WarningStatus.DISSUADED, WarningStatus.RELEASED)


class DissuasionMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    JOINT = "joint", _("Jointly with the village team")


class CloseReason(models.TextChoices):
    """Why police close a case before its window ends (after it, the window-end task closes it)."""

    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    DUPLICATE_PUSH = "duplicate_push", _("Duplicate push")
    WINDOW_ENDED = "window_ended", _("Follow-up window ended")
    OTHER = "other", _("Other")


# The reasons police may choose by hand (the window's end is the task's).
EARLY_CLOSE_REASONS = [
    (value, label) for value, label in CloseReason.choices if value != CloseReason.WINDOW_ENDED.value
]


class VisitMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")


def local_date(moment: datetime.datetime) -> datetime.date:
    """The date in Asia/Shanghai (the project's TIME_ZONE) of an aware datetime."""
    return timezone.localtime(moment).date()


class WarningQuerySet(ScopedQuerySet):
    def open(self):
        """No outcome yet (pushed or following up)."""
        return self.filter(status__in=OPEN_STATUSES)

    def in_follow_up(self):
        """Still visited: no fraud, not closed (dissuaded cases too, until the window ends)."""
        return self.filter(status__in=FOLLOW_UP_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.in_follow_up().filter(next_visit_due__lt=today, window_ends__gte=today)

    def due_on_or_before(self, day: datetime.date):
        return self.in_follow_up().filter(next_visit_due__lte=day, window_ends__gte=day)


class WarningOrder(models.Model):
    external_id = models.CharField(_("instruction number"), max_length=64, unique=True)
    person = models.ForeignKey(
        "residents.Resident", verbose_name=_("person at risk"), on_delete=models.PROTECT, related_name="warnings"
    )
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="warnings",
        limit_choices_to={"kind": UnitKind.VILLAGE},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    fraud_type = models.CharField(_("fraud type"), max_length=32, choices=FraudType.choices)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=WarningStatus.choices, default=WarningStatus.PUSHED, db_index=True
    )
    pushed_at = models.DateTimeField(_("pushed at"))
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pushed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    window_ends = models.DateField(_("follow-up window ends"))
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The police's first dissuasion (首次劝阻, "主要由派出所负责"): when, by whom, how, with what result.
    first_dissuasion_at = models.DateTimeField(_("first dissuasion at"), null=True, blank=True)
    first_dissuasion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first dissuasion by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_dissuasion_method = models.CharField(
        _("first dissuasion method"), max_length=16, choices=DissuasionMethod.choices, blank=True
    )
    first_dissuasion_result = models.TextField(_("first dissuasion result"), blank=True)
    # The village team's first in-person visit (首次见面): its own fact, set by the first such visit.
    first_team_contact_at = models.DateTimeField(_("team's first in-person contact at"), null=True, blank=True)
    dissuaded_at = models.DateTimeField(_("dissuaded at"), null=True, blank=True)
    defrauded_on = models.DateField(_("defrauded on"), null=True, blank=True)
    loss_amount = models.DecimalField(_("loss amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=20, choices=CloseReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = WarningQuerySet.as_manager()

    scope_field = "village"

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-pushed_at", "-pk"]
        indexes = [
            models.Index(fields=["village", "status"], name="warning_village_status_idx"),
            # The queue's order (newest push first): a page reads its rows from the index, whole town or village.
            models.Index(fields=["-pushed_at", "-id"], name="warning_pushed_desc_idx"),
            models.Index(fields=["village", "-pushed_at", "-id"], name="warning_village_pushed_idx"),
        ]

    def __str__(self):
        return f"{self.external_id} · {self.person.name}"

    @property
    def is_following_up(self) -> bool:
        """Still visited (until the window ends): no fraud, not closed."""
        return self.status in FOLLOW_UP_STATUSES

    @property
    def is_undecided(self) -> bool:
        """No outcome yet: the person may still be at risk."""
        return self.status in OPEN_STATUSES

    def window_has_ended(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.window_ends

    def current_next_visit_due(self, today: datetime.date | None = None) -> datetime.date | None:
        """The next in-person visit date, or None when the window has ended or the case left follow-up."""
        if not self.is_following_up or self.window_has_ended(today):
            return None
        return self.next_visit_due

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        due = self.current_next_visit_due(today)
        return due is not None and today > due


class StopPaymentAccount(models.Model):
    warning = models.ForeignKey(
        WarningOrder, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="stop_payment_accounts"
    )
    bank = models.CharField(_("bank"), max_length=60)
    account_number = EncryptedTextField(_("account number"))
    account_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["account_number"])

    scope_field = "warning__village"

    class Meta:
        verbose_name = _("account under stop-payment")
        verbose_name_plural = _("accounts under stop-payment")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.bank} {self.masked_account_number}"

    @property
    def masked_account_number(self) -> str:
        return mask_bank_account(self.account_number)


class FollowUpVisit(models.Model):
    warning = models.ForeignKey(
        WarningOrder, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="visits"
    )
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    visited_at = models.DateTimeField(_("visited at"))
    method = models.CharField(_("method"), max_length=16, choices=VisitMethod.choices)
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("who went"), related_name="+")
    understands_risk = models.BooleanField(_("understands the risk"), default=False)
    still_in_contact = models.BooleanField(_("still in contact with the fraudster"), default=False)
    new_transfer_attempts = models.BooleanField(_("new transfer attempts"), default=False)
    app_installed = models.BooleanField(_("anti-fraud app installed"), default=False)
    relatives_informed = models.BooleanField(_("relatives informed"), default=False)
    at_risk = models.BooleanField(_("still at risk"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="recorded_visits"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An in-person visit's clock: the local date of the in-person visit before it, or of the push (None for a
    # phone call). Kept by services.visits_reanchor when visits are recorded, changed or deleted (in any order),
    # so that the on-time KPI reads it rather than looking for the visit before.
    anchor_day = models.DateField(null=True, blank=True, editable=False)

    scope_field = "warning__village"

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_at", "pk"]

    def __str__(self):
        return f"{self.warning.external_id} {self.visited_at:%Y-%m-%d}"


class EscalationContact(models.Model):
    warning = models.ForeignKey(
        WarningOrder, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="escalation_contacts"
    )
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=30)
    phone = EncryptedTextField(_("phone"), blank=True)
    contacted_at = models.DateTimeField(_("contacted at"))
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    scope_field = "warning__village"

    class Meta:
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")
        ordering = ["contacted_at", "pk"]

    def __str__(self):
        return f"{self.name} ({self.relation})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
