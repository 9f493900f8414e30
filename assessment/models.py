"""Assessment and accountability (考评机制), section 四 of the plan.

* :class:`CallbackDraw` / :class:`Callback`: 一案双查 — each month a reproducible, village-stratified random
  draw of fraud cases; a caller asks the victim whether they had been educated.
* :class:`AccountabilityItem`: 约谈 of the village head (or of a department's head), 通报批评, or an incident
  review (事故复盘) of a warned person defrauded; opened by a confirmed "not educated" callback, by a case
  registration, by a summons suggestion or by hand; open → closed, with a rectification deadline, the unit's
  rectification reports (:class:`RectificationReport`, accepted or returned by leadership) and the grid and
  workers responsibility was traced to.
* :class:`Inspection`: 督导检查 of a village or a department with a checklist (:class:`ChecklistItem`) and a score.
* :class:`IndicatorWeights` and :class:`SummonsRule`: the configurable parts of the assessment (admin).

Writes only in ``services.py``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization.models import ScopedQuerySet, Unit, UnitKind


class CallbackDraw(models.Model):
    """One month's draw of cases to call back. ``seed`` makes it reproducible: same cases, same seed, same draw."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Monthly schedule")
        MANUAL = "manual", _("Drawn by hand")

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month whose cases are drawn."))
    seed = models.BigIntegerField(_("random seed"))
    per_village = models.PositiveSmallIntegerField(_("cases per village"), null=True, blank=True)
    share = models.DecimalField(_("share of cases"), max_digits=4, decimal_places=3, null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    population = models.PositiveIntegerField(_("cases in the month"), default=0)

    class Meta:
        verbose_name = _("callback draw")
        verbose_name_plural = _("callback draws")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Called")


class EducationChannel(models.TextChoices):
    DOOR_VISIT = "door_visit", _("Door visit")
    PLEDGE = "pledge", _("Pledge")
    SCHOOL_NOTICE = "school_notice", _("School notice")
    OTHER = "other", _("Other")


class CallbackReview(models.TextChoices):
    """一案双查 checks before it sanctions: a "not educated" answer the records contradict waits for leadership."""

    NONE = "", _("No review needed")
    DISAGREE = "disagree", _("Records disagree")
    SANCTIONED = "sanctioned", _("Confirmed not educated")
    RECORDS_CONFIRMED = "records_confirmed", _("Records confirmed")


class CallbackQuerySet(ScopedQuerySet):
    def answered_not_educated(self):
        return self.filter(status=CallbackStatus.DONE, reached=True, educated=False)

    def not_educated(self):
        """Confirmed not educated (确未接受防骗宣传教育): the answer, and no disagreement left open or upheld."""
        return self.answered_not_educated().exclude(
            review__in=[CallbackReview.DISAGREE, CallbackReview.RECORDS_CONFIRMED]
        )

    def records_disagree(self):
        return self.filter(review=CallbackReview.DISAGREE)


class Callback(models.Model):
    draw = models.ForeignKey(CallbackDraw, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="callbacks")
    case = models.OneToOneField(
        "fraud_cases.FraudCase", verbose_name=_("fraud case"), on_delete=models.PROTECT, related_name="callback"
    )
    village = models.ForeignKey(Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_callbacks",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.PENDING, db_index=True
    )
    reached = models.BooleanField(_("victim reached"), null=True, blank=True)
    educated = models.BooleanField(_("had received anti-fraud education"), null=True, blank=True)
    channels = models.JSONField(_("how they were educated"), default=list, blank=True)
    other_channel = models.CharField(_("other channel"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.CharField(
        _("records check"), max_length=20, choices=CallbackReview.choices, default=CallbackReview.NONE, blank=True
    )
    records = models.JSONField(
        _("education on record before the report"),
        default=list,
        blank=True,
        help_text=_("What the records showed when the answer was “not educated”: [{channel, on, detail}]."),
    )
    review_note = models.TextField(_("leadership's decision"), blank=True)
    reviewed_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = CallbackQuerySet.as_manager()

    scope_field = "village"

    class Meta:
        verbose_name = _("case callback")
        verbose_name_plural = _("case callbacks")
        ordering = ["status", "village__code", "pk"]

    def __str__(self):
        return f"{self.draw} · {self.case_id}"

    @property
    def answered_not_educated(self) -> bool:
        return self.status == CallbackStatus.DONE and self.reached is True and self.educated is False

    @property
    def is_not_educated(self) -> bool:
        """Confirmed not educated: the answer, unless the records disagree (pending or upheld)."""
        return self.answered_not_educated and self.review not in (
            CallbackReview.DISAGREE,
            CallbackReview.RECORDS_CONFIRMED,
        )

    @property
    def records_disagree(self) -> bool:
        return self.review == CallbackReview.DISAGREE

    def channel_labels(self) -> list[str]:
        return [str(EducationChannel(c).label) for c in self.channels if c in EducationChannel.values]


class AccountabilityKind(models.TextChoices):
    SUMMONS = "summons", _("Summons of the village head")
    DEPARTMENT_SUMMONS = "department_summons", _("Summons of the department head")
    # 四(一)、四(三): schools and the police station are assessed like villages, through their own heads
    SCHOOL_SUMMONS = "school_summons", _("Summons of the school's head")
    STATION_SUMMONS = "station_summons", _("Summons of the station chief")
    CRITICISM = "criticism", _("Public criticism")
    INCIDENT_REVIEW = "incident_review", _("Incident review")


# Which kinds fit which unit: a department is summoned through its head, not a "村居主要负责人".
KINDS_FOR_UNIT = {
    UnitKind.VILLAGE: (AccountabilityKind.SUMMONS, AccountabilityKind.CRITICISM, AccountabilityKind.INCIDENT_REVIEW),
    UnitKind.DEPARTMENT: (AccountabilityKind.DEPARTMENT_SUMMONS, AccountabilityKind.CRITICISM),
    UnitKind.SCHOOL: (AccountabilityKind.SCHOOL_SUMMONS, AccountabilityKind.CRITICISM),
    UnitKind.POLICE_STATION: (AccountabilityKind.STATION_SUMMONS, AccountabilityKind.CRITICISM),
}
SUMMONS_KINDS = (
    AccountabilityKind.SUMMONS,
    AccountabilityKind.DEPARTMENT_SUMMONS,
    AccountabilityKind.SCHOOL_SUMMONS,
    AccountabilityKind.STATION_SUMMONS,
)
# Every kind of unit the leadership group inspects and holds to account (四(一), 四(三)), each with its checklist.
ASSESSED_KINDS = (UnitKind.VILLAGE, UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION)


class AccountabilitySource(models.TextChoices):
    CALLBACK = "callback", _("Callback: not educated")
    INCIDENT = "incident", _("Defrauded after warning")
    SUGGESTION = "suggestion", _("Summons suggestion")
    INSPECTION = "inspection", _("Inspection")
    MANUAL = "manual", _("Recorded by leadership")


class AccountabilityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RectificationStatus(models.TextChoices):
    """The summoned unit's answer: awaiting → submitted → accepted (closes the item) or returned → submitted…"""

    AWAITING = "awaiting", _("Awaiting rectification")
    SUBMITTED = "submitted", _("Rectification submitted")
    RETURNED = "returned", _("Rectification returned")
    ACCEPTED = "accepted", _("Rectification accepted")


# The unit still owes its rectification report (a submitted one waits for leadership, not for the unit).
OWED = (RectificationStatus.AWAITING, RectificationStatus.RETURNED)


class AccountabilityQuerySet(ScopedQuerySet):
    # An item is the summoned unit's own business: the police read their own station's, not the town's villages'
    # (leadership and the governance centre keep the town).
    police_see_station = True

    def open(self):
        return self.filter(status=AccountabilityStatus.OPEN)

    def overdue(self, today: datetime.date | None = None):
        """Open, past the rectification deadline, and the unit has not answered (or was sent back)."""
        return self.open().filter(
            rectification_deadline__lt=today or timezone.localdate(), rectification_status__in=OWED
        )

    def awaiting_decision(self):
        return self.open().filter(rectification_status=RectificationStatus.SUBMITTED)


class AccountabilityItem(models.Model):
    """约谈 or 通报批评 of a unit (usually a village): when, who, what, the rectification and its follow-up."""

    client_id = models.UUIDField(_("client reference"), unique=True, null=True, blank=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AccountabilityKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=AccountabilitySource.choices)
    callback = models.ForeignKey(
        Callback,
        verbose_name=_("callback"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_items",
    )
    case = models.ForeignKey(
        "fraud_cases.FraudCase",
        verbose_name=_("fraud case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_items",
    )
    warning = models.ForeignKey(
        "warnings_followup.WarningOrder",
        verbose_name=_("warning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_items",
    )
    traced_grid = models.ForeignKey(
        Unit,
        verbose_name=_("grid responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": UnitKind.GRID},
    )
    traced_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("workers responsible"),
        blank=True,
        related_name="traced_accountability_items",
        help_text=_("Who covered the household: the door visits, the pledge and the warning's follow-up visits."),
    )
    reason = models.TextField(_("reason"))
    held_on = models.DateField(_("date"), null=True, blank=True)
    people = models.CharField(_("people"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    follow_up = models.TextField(_("rectification follow-up"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=AccountabilityStatus.choices,
        default=AccountabilityStatus.OPEN,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectification_status = models.CharField(
        _("rectification"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.AWAITING,
        db_index=True,
    )

    history = HistoricalRecords()
    objects = AccountabilityQuerySet.as_manager()

    scope_field = "unit"

    class Meta:
        verbose_name = _("accountability item")
        verbose_name_plural = _("accountability items")
        ordering = ["status", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["callback", "kind"], name="one_item_per_callback_and_kind"),
            models.UniqueConstraint(fields=["case", "kind"], name="one_item_per_case_and_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Past the deadline and the unit still owes its rectification report."""
        today = today or timezone.localdate()
        return (
            self.status == AccountabilityStatus.OPEN
            and self.rectification_status in OWED
            and self.rectification_deadline is not None
            and self.rectification_deadline < today
        )

    def traced_names(self) -> str:
        return "、".join(str(user) for user in self.traced_workers.all())


class RectificationQuerySet(ScopedQuerySet):
    # Only those who may read accountability items see the reports (and their files), within the item's unit.
    scope_capability = "assessment.accountability"
    police_see_station = True


class RectificationReport(models.Model):
    """整改报告: what the summoned unit did, with evidence; leadership accepts it or returns it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for leadership")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    item = models.ForeignKey(
        AccountabilityItem, verbose_name=_("accountability item"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("what was rectified"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default="", blank=True)
    decision_note = models.TextField(_("leadership's note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    attachments = GenericRelation("core.Attachment")
    objects = RectificationQuerySet.as_manager()

    scope_field = "item__unit"

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.item} · {self.submitted_at:%Y-%m-%d}"


class ChecklistItem(models.Model):
    """One line of the inspection checklist of one kind of unit; the points add up to the score."""

    unit_kind = models.CharField(
        _("for"),
        max_length=20,
        choices=[(kind, kind.label) for kind in ASSESSED_KINDS],
    )
    label = models.CharField(_("item"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"), validators=[MinValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["unit_kind", "order", "pk"]

    def __str__(self):
        return f"{self.label} ({self.points})"


class InspectionQuerySet(ScopedQuerySet):
    def overdue_rectifications(self, today: datetime.date | None = None):
        return self.filter(rectification_deadline__lt=today or timezone.localdate(), rectified_at__isnull=True)


class Inspection(models.Model):
    """督导检查: leadership checks a village or a department against the checklist."""

    client_id = models.UUIDField(_("client reference"), unique=True, null=True, blank=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit inspected"), on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("inspected on"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    results = models.JSONField(_("checklist results"), default=dict, blank=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    findings = models.TextField(_("findings"), blank=True)
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectification_notes = models.TextField(_("rectification notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = InspectionQuerySet.as_manager()

    scope_field = "unit"

    class Meta:
        verbose_name = _("supervision inspection")
        verbose_name_plural = _("supervision inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.unit} · {self.inspected_on:%Y-%m-%d}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.rectified_at is None
            and self.rectification_deadline is not None
            and self.rectification_deadline < today
        )


def _weight(label):
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )


class IndicatorWeights(models.Model):
    """The weights of the composite score (the active row is used), and the red/amber/green bands."""

    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("in use"), default=True)
    cases_per_10k = _weight(_("cases per 10,000 people"))
    loss = _weight(_("loss"))
    defrauded_after_warning = _weight(_("defrauded after warning"))
    coverage_rate = _weight(_("door-visit coverage"))
    on_time_rate = _weight(_("on-time follow-up rate"))
    dissuasion_rate = _weight(_("dissuasion rate"))
    inspection_score = _weight(_("inspection score"))
    not_educated = _weight(_("callbacks: not educated"))
    green_from = models.DecimalField(_("green from score"), max_digits=5, decimal_places=1, default=Decimal("80"))
    amber_from = models.DecimalField(_("amber from score"), max_digits=5, decimal_places=1, default=Decimal("60"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    INDICATORS = (
        "cases_per_10k",
        "loss",
        "defrauded_after_warning",
        "coverage_rate",
        "on_time_rate",
        "dissuasion_rate",
        "inspection_score",
        "not_educated",
    )

    class Meta:
        verbose_name = _("indicator weights")
        verbose_name_plural = _("indicator weights")
        ordering = ["-is_active", "-updated_at"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "IndicatorWeights":
        """The active weights, or the defaults (all 1) when none is configured (not saved)."""
        return cls.objects.filter(is_active=True).order_by("-updated_at").first() or cls(name="default")

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in self.INDICATORS}


class SummonsRule(models.Model):
    """When to suggest summoning a village head (通报约谈)."""

    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("in use"), default=True)
    consecutive_months = models.PositiveSmallIntegerField(
        _("consecutive months above the town's rate"), default=2, validators=[MinValueValidator(1)]
    )
    rate_factor = models.DecimalField(
        _("factor over the town's rate"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("1.00: any rate above the town's; 1.50: half again as high."),
    )
    min_coverage_rate = models.DecimalField(
        _("weak publicity: door-visit coverage below"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.500"),
        help_text=_("A share between 0 and 1; empty to ignore."),
        null=True,
        blank=True,
    )
    min_inspection_score = models.DecimalField(
        _("weak publicity: last inspection score below"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("60"),
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("summons rule")
        verbose_name_plural = _("summons rules")
        ordering = ["-is_active", "-updated_at"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "SummonsRule":
        return cls.objects.filter(is_active=True).order_by("-updated_at").first() or cls(name="default")


class CallbackSettings(models.Model):
    """How many cases the monthly draw takes: a count per village, or a share of each village's cases."""

    per_village = models.PositiveSmallIntegerField(_("cases per village"), null=True, blank=True, default=2)
    share = models.DecimalField(
        _("share of each village's cases"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Used instead of the count when set (at least one case per village with cases)."),
    )
    callers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("callers"),
        blank=True,
        related_name="+",
        help_text=_("Drawn cases are shared among them in turn."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("callback settings")
        verbose_name_plural = _("callback settings")

    def __str__(self):
        return str(_("Callback settings"))

    @classmethod
    def current(cls) -> "CallbackSettings":
        return cls.objects.order_by("-updated_at").first() or cls()


class ReportEpoch(models.Model):
    """One row: the token that names this database's cached indicator figures (``assessment.figures``).

    A cache shared with another database (a test run, a restored backup) holds figures under another token and
    never answers here; deleting the row drops every cached figure at once."""

    token = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.token


# --- The year's target, reports to the county, units' documents (issue 17) ---------------------------------


class YearTarget(models.Model):
    """The leadership group's target for a year (二 工作目标: 发案数明显下降，财产损失明显减少): the change of cases
    and of losses against the year before, in percent (−20 = a fifth fewer). One per town and year."""

    unit = models.ForeignKey(Unit, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    cases_change = models.DecimalField(
        _("change of cases (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
        help_text=_("Against the same period of the year before; −20 means a fifth fewer."),
    )
    loss_change = models.DecimalField(
        _("change of losses (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("year target")
        verbose_name_plural = _("year targets")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="assessment_target_unit_year")]

    def __str__(self):
        return f"{self.unit} · {self.year}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class CountyReport(models.Model):
    """A town's report to the county (报送) for a period: a month (月报), a quarter (阶段总结) or a year (年度总结).

    Generated from the data (``assessment.reports``) whenever it is downloaded while a draft; leadership writes
    the free-text part and marks it submitted, which keeps the Word file as sent. Draft → submitted only
    (:data:`REPORT_TRANSITIONS`), through ``services.county_report_submit``."""

    unit = models.ForeignKey(Unit, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    period_key = models.CharField(_("period"), max_length=7)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    narrative = models.TextField(_("work summary"), blank=True)
    file = models.FileField(_("file as sent"), upload_to="reports/", max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("report to the county")
        verbose_name_plural = _("reports to the county")
        ordering = ["-period_key"]
        constraints = [models.UniqueConstraint(fields=["unit", "period_key"], name="assessment_report_unit_period")]

    def __str__(self):
        return f"{self.unit} · {self.period_key}"


REPORT_TRANSITIONS = {ReportStatus.DRAFT: (ReportStatus.SUBMITTED,), ReportStatus.SUBMITTED: ()}


class DocumentKind(models.TextChoices):
    WORK_PLAN = "work_plan", _("Work plan")
    SUMMARY = "summary", _("Summary")


class UnitDocumentQuerySet(ScopedQuerySet):
    police_see_station = True  # a unit's written plan is its own business: police see their station's


class UnitDocument(models.Model):
    """A unit's written work plan (工作方案) or summary (总结) for a period, kept as uploaded (files: attachments)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    period_key = models.CharField(_("period"), max_length=7, help_text=_("YYYY, YYYY-Qn or YYYY-MM."))
    title = models.CharField(_("title"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    attachments = GenericRelation("core.Attachment")

    objects = UnitDocumentQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("unit document")
        verbose_name_plural = _("unit documents")
        ordering = ["-period_key", "unit__path", "-uploaded_at"]
        indexes = [models.Index(fields=["unit", "period_key"], name="assessment_doc_unit_period")]

    def __str__(self):
        return self.title


# --- Year-end nominations (先进集体和个人, 四(三)) -------------------------------------------------------------


class NominationKind(models.TextChoices):
    COLLECTIVE = "collective", _("Advanced collective")
    INDIVIDUAL = "individual", _("Advanced individual")


class NominationCategory(models.TextChoices):
    """What is nominated: a kind of unit (collective), or a kind of worker (individual)."""

    VILLAGE = "village", _("Village or community")
    DEPARTMENT = "department", _("Department")
    SCHOOL = "school", _("School")
    POLICE_STATION = "police_station", _("Police station")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DISSUASION_TEAM = "dissuasion_team", _("Dissuasion team member")
    VILLAGE_TEAM = "village_team", _("Village team member")
    TEACHER = "teacher", _("Teacher or school staff")
    OFFICER = "officer", _("Police officer")


COLLECTIVE_CATEGORIES = (
    NominationCategory.VILLAGE,
    NominationCategory.DEPARTMENT,
    NominationCategory.SCHOOL,
    NominationCategory.POLICE_STATION,
)
INDIVIDUAL_CATEGORIES = (
    NominationCategory.GRID_WORKER,
    NominationCategory.DISSUASION_TEAM,
    NominationCategory.VILLAGE_TEAM,
    NominationCategory.TEACHER,
    NominationCategory.OFFICER,
)
# The unit kind each collective category nominates.
CATEGORY_UNIT_KIND = {
    NominationCategory.VILLAGE: UnitKind.VILLAGE,
    NominationCategory.DEPARTMENT: UnitKind.DEPARTMENT,
    NominationCategory.SCHOOL: UnitKind.SCHOOL,
    NominationCategory.POLICE_STATION: UnitKind.POLICE_STATION,
}

# The figures that justify a nomination, by key: what the snapshot (``Nomination.figures``) stores.
FIGURE_LABELS = {
    "rank": _("Rank in the town"),
    "score": _("Score"),
    "cases": _("Fraud cases"),
    "cases_per_10k": _("Cases per 10,000"),
    "coverage_percent": _("Door-visit coverage (%)"),
    "on_time_percent": _("On-time follow-up rate (%)"),
    "dissuasion_percent": _("Dissuasion rate (%)"),
    "activities_done": _("Publicity activities logged"),
    "activities_required": _("Publicity activities required"),
    "tasks_done": _("Work tasks done"),
    "tasks_total": _("Work tasks of the year"),
    "staff_total": _("Staff on the roster"),
    "staff_covered_percent": _("Staff coverage (%)"),
    "staff_sessions": _("Staff education sessions"),
    "micro_classes": _("Micro-classes held"),
    "school_cases": _("Students' and staff's fraud cases"),
    "warnings_pushed": _("Warnings pushed"),
    "first_dissuasions_on_time": _("First dissuasions on time"),
    "first_dissuasions_judged": _("First dissuasions due"),
    "cases_solved": _("Cases solved"),
    "visits_on_time": _("On-time visits"),
    "visits_due": _("Visits due"),
    "dissuasions": _("Dissuasions confirmed"),
    "sessions_held": _("Education sessions recorded"),
    "first_dissuasions": _("First dissuasions made"),
}


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    """``figures`` as (label, value) pairs in the order of :data:`FIGURE_LABELS` (unknown keys last)."""
    known = [(str(label), figures[key]) for key, label in FIGURE_LABELS.items() if key in figures]
    return known + [(key, value) for key, value in figures.items() if key not in FIGURE_LABELS]


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


DECIDED_STATUSES = (NominationStatus.APPROVED, NominationStatus.REJECTED)


class NominationQuerySet(ScopedQuerySet):
    def decided(self):
        return self.filter(status__in=DECIDED_STATUSES)


class Nomination(models.Model):
    """A year-end nomination (评选先进集体和个人): a unit, or a person with the unit they work in, proposed with the
    figures that justify it (a snapshot taken at the proposal) and decided by the leadership group. One per year
    and unit (collective) or per year and person (individual): proposing again returns the same nomination."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=NominationKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=NominationCategory.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit nominated, or the unit the person nominated works in."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    figures = models.JSONField(_("figures at the proposal"), default=dict, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED, db_index=True
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("leadership's note"), blank=True)

    history = HistoricalRecords()
    objects = NominationQuerySet.as_manager()

    scope_field = "unit"

    class Meta:
        verbose_name = _("year-end nomination")
        verbose_name_plural = _("year-end nominations")
        ordering = ["-year", "kind", "category", "unit__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=models.Q(person__isnull=True),
                name="assessment_nomination_year_unit",
            ),
            models.UniqueConstraint(
                fields=["year", "person"],
                condition=models.Q(person__isnull=False),
                name="assessment_nomination_year_person",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="collective", person__isnull=True)
                | models.Q(kind="individual", person__isnull=False),
                name="assessment_nomination_kind_person",
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.name}"

    @property
    def name(self) -> str:
        return str(self.person) if self.person_id else self.unit.name

    def figure_rows(self) -> list[tuple[str, object]]:
        return figure_rows(self.figures)
