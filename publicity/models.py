"""The departments' and schools' publicity work (sections 三(二)–三(七) of the plan) and every unit's
work plan (任务再分解, 五(二)).

* :class:`Activity` is one piece of publicity work of a unit, with evidence (photos, video, files):
  one model with a :class:`Category`; what a category needs beyond the common fields lives in related
  rows — links to posts (:class:`ActivityLink`), a case analysis meeting's attendees, cases and
  decisions (:class:`MeetingAttendee`, :class:`MeetingCase`, :class:`MeetingDecision`), a finance
  push's recipients and who confirmed reading (:class:`PushRecipient`).
* :class:`UnitDuty` says which part of the plan a unit carries (宣传办, 综治中心, ...), which decides the
  categories it logs; police stations and schools carry theirs by kind.
* :class:`Volunteer` is the publicity office's volunteer team (the roster).
* :class:`Venue`, :class:`Inspection`, :class:`InspectionItem`: the economic development office's venues
  and joint inspections; a failed item stays "to fix" until it is recorded fixed.
* :class:`ActivityTarget`: required activities per category per unit per month, quarter or year.
* :class:`WorkPlan` and :class:`WorkTask`: tasks with a responsible person and a deadline.

Every model is scoped to the owning unit (``scope_field``) through :class:`PublicityQuerySet`.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField, blind_index
from core.validators import mask_phone, normalize_phone
from organization.models import ScopedQuerySet, Unit, UnitKind


class PublicityQuerySet(ScopedQuerySet):
    """``for_user``: the shared scope, except that police see their own station's records only."""

    police_see_station = True


class Duty(models.TextChoices):
    """The parts of the plan a unit can carry (三(二)–三(七))."""

    PUBLICITY_OFFICE = "publicity_office", _("Publicity office")
    GOVERNANCE_CENTRE = "governance_centre", _("Comprehensive governance centre")
    ECONOMIC_OFFICE = "economic_office", _("Economic development office")
    POLICE = "police", _("Police station")
    FINANCE_AUDIT = "finance_audit", _("Finance and audit centre")
    SCHOOL = "school", _("School")
    # 五(三) 各村居…因地因时制宜…创新宣传方法: a village's (or community's) own publicity, by kind of unit
    VILLAGE = "village", _("Village or community publicity")


class Category(models.TextChoices):
    VOLUNTEER_ACTIVITY = "volunteer_activity", _("Volunteer team activity")
    COLUMN_POST = "column_post", _("Column or post (website, WeChat account, video channel)")
    PUBLIC_SERVICE_AD = "public_service_ad", _("Public-service advertisement")
    MICRO_FILM = "micro_film", _("Micro-film or publicity film")
    MP3_BROADCAST = "mp3_broadcast", _("Anti-fraud MP3 broadcast")
    TALK = "talk", _("Anti-fraud talk")
    YOUTH_ACTIVITY = "youth_activity", _("League members' and youth organisations' activity")
    CASE_MEETING = "case_meeting", _("Case analysis meeting")
    LEGAL_EDUCATION = "legal_education", _("Legal education (law in six places)")
    VENUE_GUIDANCE = "venue_guidance", _("Guidance to shopping centres and supermarkets")
    JOINT_INSPECTION = "joint_inspection", _("Joint venue inspection")
    TYPICAL_CASE = "typical_case", _("Typical case publicity")
    DISSUASION_STORY = "dissuasion_story", _("Successful dissuasion story")
    GANG_BUSTED = "gang_busted", _("Criminal gang broken up")
    POLICE_POST = "police_post", _("Police Weibo or WeChat post")
    FINANCE_PUSH = "finance_push", _("Push to finance staff")
    STAFF_EDUCATION = "staff_education", _("Staff anti-fraud education")
    BANNER = "banner", _("Banners and posters")
    GROUP_POST = "group_post", _("Post in the residents' groups")
    MARKET_STALL = "market_stall", _("Stall at a market or fair")
    OTHER = "other", _("Other publicity activity")


# Which categories each duty logs, in the order of the plan. OTHER is open to every unit.
DUTY_CATEGORIES: dict[str, tuple[str, ...]] = {
    Duty.PUBLICITY_OFFICE: (
        Category.VOLUNTEER_ACTIVITY,
        Category.COLUMN_POST,
        Category.PUBLIC_SERVICE_AD,
        Category.MICRO_FILM,
        Category.MP3_BROADCAST,
        Category.TALK,
        Category.YOUTH_ACTIVITY,
    ),
    Duty.GOVERNANCE_CENTRE: (Category.CASE_MEETING, Category.LEGAL_EDUCATION),
    Duty.ECONOMIC_OFFICE: (Category.JOINT_INSPECTION, Category.VENUE_GUIDANCE),
    Duty.POLICE: (Category.TYPICAL_CASE, Category.DISSUASION_STORY, Category.GANG_BUSTED, Category.POLICE_POST),
    Duty.FINANCE_AUDIT: (Category.FINANCE_PUSH,),
    Duty.SCHOOL: (Category.STAFF_EDUCATION, Category.TALK),
    Duty.VILLAGE: (Category.TALK, Category.BANNER, Category.GROUP_POST, Category.MARKET_STALL),
}
# Counted from other records, never logged as an activity: joint inspections (from the inspections) and a
# school's staff education (the education app's staff sessions: recorded once, 罗办发〔2023〕12号 三(四)).
# Activities logged under them before stay readable; the summary counts the other records.
NOT_LOGGED = frozenset({Category.JOINT_INSPECTION, Category.STAFF_EDUCATION})
# Categories whose form asks for links to the posts.
LINK_CATEGORIES = frozenset(
    {
        Category.COLUMN_POST,
        Category.PUBLIC_SERVICE_AD,
        Category.MICRO_FILM,
        Category.TYPICAL_CASE,
        Category.DISSUASION_STORY,
        Category.GANG_BUSTED,
        Category.POLICE_POST,
        Category.OTHER,
    }
)
KIND_DUTIES = {UnitKind.POLICE_STATION: Duty.POLICE, UnitKind.SCHOOL: Duty.SCHOOL, UnitKind.VILLAGE: Duty.VILLAGE}
# The departments, schools and police stations: their publicity work is summed against targets (the summary).
LOGGING_KINDS = (UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION)
# Every unit that logs publicity work of its own: those, and the villages (their head and team, 五(三)), whose
# activities count in the village's indicators (assessment.indicators) rather than in the department summary.
ACTIVITY_KINDS = (*LOGGING_KINDS, UnitKind.VILLAGE)


class Channel(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    WEBSITE = "website", _("Website")
    WECHAT_ACCOUNT = "wechat_account", _("WeChat official account")
    VIDEO_CHANNEL = "video_channel", _("Video channel")
    WEIBO = "weibo", _("Weibo")
    SMS = "sms", _("SMS platform")
    WECHAT_GROUP = "wechat_group", _("WeChat work group")
    QQ = "qq", _("QQ work board")
    BROADCAST = "broadcast", _("Broadcast")
    LED = "led", _("LED screen")
    PRINTED = "printed", _("Printed material")
    OTHER = "other", pgettext_lazy("channel", "Other")


PUSH_CHANNELS = (Channel.SMS, Channel.WECHAT_GROUP, Channel.QQ)


class LegalPlace(models.TextChoices):
    """法律"六进": law into government offices, villages, communities, schools, enterprises and units."""

    OFFICES = "offices", pgettext_lazy("law in six places", "Government offices")
    VILLAGES = "villages", pgettext_lazy("law in six places", "Villages")
    COMMUNITIES = "communities", pgettext_lazy("law in six places", "Communities")
    SCHOOLS = "schools", pgettext_lazy("law in six places", "Schools")
    ENTERPRISES = "enterprises", pgettext_lazy("law in six places", "Enterprises")
    UNITS = "units", pgettext_lazy("law in six places", "Units")


class UnitDuty(models.Model):
    """Unit X carries part Y of the plan (set in the admin; police stations and schools carry theirs by kind)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="publicity_duties")
    duty = models.CharField(_("duty"), max_length=32, choices=Duty.choices)

    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("publicity duty")
        verbose_name_plural = _("publicity duties")
        constraints = [models.UniqueConstraint(fields=["unit", "duty"], name="unique_unit_duty")]

    def __str__(self):
        return f"{self.unit} · {self.get_duty_display()}"


class Activity(models.Model):
    """One piece of a unit's publicity work, with evidence (留存影像备查)."""

    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="publicity_activities"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    audience_size = models.PositiveIntegerField(_("audience size"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices, default=Channel.ON_SITE)
    description = models.TextField(_("description"), blank=True)
    legal_place = models.CharField(_("law in six places"), max_length=16, choices=LegalPlace.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords()
    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("publicity activity")
        verbose_name_plural = _("publicity activities")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "held_on"], name="pub_activity_unit_day"),
            models.Index(fields=["category", "held_on"], name="pub_activity_cat_day"),
        ]

    def __str__(self):
        return self.title


class ActivityLink(models.Model):
    """A link to the post, column, video or report of an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("link"), max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["pk"]

    def __str__(self):
        return self.title or self.url


class MeetingAttendee(models.Model):
    """Someone present at a case analysis meeting (研判会商)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class MeetingCase(models.Model):
    """A case discussed at a case analysis meeting."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(_("case number"), max_length=64, blank=True)
    # The registry's case (number, type, loss and its outcomes), when the number is one of the town's cases
    fraud_case = models.ForeignKey(
        "fraud_cases.FraudCase",
        verbose_name=_("registered case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_cases",
    )
    summary = models.CharField(_("summary"), max_length=500)

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("case discussed")
        verbose_name_plural = _("cases discussed")
        ordering = ["pk"]

    def __str__(self):
        return self.reference or self.summary[:40]


class MeetingDecision(models.Model):
    """A decision of a case analysis meeting, with who carries it out and by when."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=500)
    responsible = models.CharField(_("responsible"), max_length=100, blank=True)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    task = models.OneToOneField(
        "WorkTask",
        verbose_name=_("work-plan task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decision",
        help_text=_("The task that follows this decision up in the unit's work plan."),
    )

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["pk"]

    def __str__(self):
        return self.text[:60]


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PushRecipient(models.Model):
    """A finance staff member a push of anti-fraud knowledge went to, and whether they confirmed reading."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("village or unit"), max_length=100, blank=True)
    recipient_unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_confirmed_at = models.DateTimeField(_("read confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A push sent from the application (publicity.finance): the roster entry it went to, its SMS, and whether the
    # recipient confirmed through their personal link (the read rate counts those, never a tick by the sender).
    staff = models.ForeignKey(
        "FinanceStaff",
        verbose_name=_("finance staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receipts",
    )
    confirmed_via_link = models.BooleanField(_("confirmed through the personal link"), default=False)
    sms_status = models.CharField(_("SMS"), max_length=10, choices=SmsStatus.choices, blank=True, default="")
    sms_attempts = models.PositiveSmallIntegerField(_("SMS attempts"), default=0)
    sms_error = models.CharField(_("SMS error"), max_length=200, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("push recipient")
        verbose_name_plural = _("push recipients")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class VolunteerGroup(models.TextChoices):
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")
    YOUTH_ORGANISATION = "youth_organisation", _("Youth social organisation")
    CIVIL_SERVANT = "civil_servant", _("Government staff")
    GRID_WORKER = "grid_worker", _("Grid worker or police assistant")
    RESIDENT = "resident", _("Resident")


class Volunteer(models.Model):
    """A member of the publicity volunteer team (宣传志愿者队伍)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(_("name"), max_length=50)
    group = models.CharField(_("group"), max_length=32, choices=VolunteerGroup.choices, default=VolunteerGroup.RESIDENT)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    joined_on = models.DateField(_("joined on"), default=datetime.date.today)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["phone"])
    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-is_active", "name", "pk"]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class VenueKind(models.TextChoices):
    SHOPPING_CENTRE = "shopping_centre", _("Shopping centre")
    SUPERMARKET = "supermarket", _("Supermarket")
    CROWDED_PLACE = "crowded_place", _("Crowded place")


class Venue(models.Model):
    """A shopping centre, supermarket or crowded place the economic development office looks after."""

    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=VenueKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village or community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": UnitKind.VILLAGE},
    )
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class InspectionItemKind(models.TextChoices):
    BROADCAST = "broadcast", _("Anti-fraud broadcast playing")
    LED = "led", _("LED screen shows the slogans")
    QR_CODE = "qr_code", _("Anti-fraud app QR code posted")


class Inspection(models.Model):
    """A joint inspection of a venue (with the police and the carriers)."""

    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    with_police = models.BooleanField(_("with the police"), default=True)
    carriers = models.CharField(
        _("carriers"), max_length=100, blank=True, help_text=_("For example China Mobile, China Unicom, China Telecom.")
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    attachments = GenericRelation("core.Attachment")
    objects = PublicityQuerySet.as_manager()
    scope_field = "venue__unit"

    class Meta:
        verbose_name = _("venue inspection")
        verbose_name_plural = _("venue inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.venue} · {self.inspected_on}"


class InspectionItemQuerySet(PublicityQuerySet):
    def open_failures(self):
        """Failed items not yet recorded fixed: the "to fix" list."""
        return self.filter(passed=False, fixed_on__isnull=True)


class InspectionItem(models.Model):
    """One checked item of an inspection: passed, or failed with a deadline until it is recorded fixed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(_("item"), max_length=16, choices=InspectionItemKind.choices)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    fix_deadline = models.DateField(_("fix by"), null=True, blank=True)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fix recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fix_note = models.CharField(_("how it was fixed"), max_length=200, blank=True)

    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords()
    objects = InspectionItemQuerySet.as_manager()
    scope_field = "inspection__venue__unit"

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        ordering = ["inspection", "item"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="unique_inspection_item")]
        indexes = [models.Index(fields=["passed", "fixed_on"], name="pub_item_open")]

    def __str__(self):
        return f"{self.inspection} · {self.get_item_display()}"

    @property
    def is_open(self) -> bool:
        return not self.passed and self.fixed_on is None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.fix_deadline is not None and self.fix_deadline < today


class TargetPeriod(models.TextChoices):
    MONTH = "month", _("Per month")
    QUARTER = "quarter", _("Per quarter")
    YEAR = "year", _("Per year")


class ActivityTarget(models.Model):
    """How many activities of a category a unit must do per month, quarter or year (set in the admin)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="activity_targets")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    period = models.CharField(_("period"), max_length=16, choices=TargetPeriod.choices, default=TargetPeriod.MONTH)
    required = models.PositiveSmallIntegerField(_("required activities"))

    history = HistoricalRecords()
    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("activity target")
        verbose_name_plural = _("activity targets")
        ordering = ["unit__path", "category"]
        constraints = [models.UniqueConstraint(fields=["unit", "category"], name="unique_activity_target")]

    def __str__(self):
        return f"{self.unit} · {self.get_category_display()} · {self.required} {self.get_period_display()}"


class WorkPlan(models.Model):
    """A unit's own breakdown of the plan into tasks (任务再分解, 具体工作方案)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="work_plans")
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = PublicityQuerySet.as_manager()
    scope_field = "unit"

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-year", "unit__path", "pk"]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class WorkTaskQuerySet(PublicityQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, today: datetime.date):
        return self.open().filter(due_on__lt=today)


class WorkTask(models.Model):
    """A task of a work plan: what, who is responsible, by when. Status changes only in services."""

    plan = models.ForeignKey(WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publicity_tasks",
    )
    responsible_name = models.CharField(
        _("responsible person (name)"),
        max_length=50,
        blank=True,
        help_text=_("When the responsible person has no account."),
    )
    due_on = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = WorkTaskQuerySet.as_manager()
    scope_field = "plan__unit"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="pub_task_status_due")]

    def __str__(self):
        return self.title

    @property
    def responsible_display(self) -> str:
        if self.responsible_id:
            return str(self.responsible)
        return self.responsible_name

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status in OPEN_TASK_STATUSES and self.due_on < today


# --- 三(七) the finance and audit centre's push to the finance staff of every village and unit -----------------


class FinanceStaff(models.Model):
    """A finance staff member of a village or unit on the finance and audit centre's roster (财务人员).

    The mobile number is encrypted, found by its keyed hash, and shown masked in lists."""

    keeper = models.ForeignKey(Unit, verbose_name=_("kept by"), on_delete=models.PROTECT, related_name="finance_roster")
    unit = models.ForeignKey(
        Unit, verbose_name=_("village or unit"), on_delete=models.PROTECT, related_name="finance_staff"
    )
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(
        _("position"), max_length=50, blank=True, help_text=_("For example accountant, cashier.")
    )
    mobile = EncryptedTextField(_("mobile number"))
    mobile_hash = models.CharField(max_length=64, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["mobile"])
    objects = PublicityQuerySet.as_manager()
    scope_field = "keeper"

    class Meta:
        verbose_name = _("finance staff member")
        verbose_name_plural = _("finance staff")
        ordering = ["unit__path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["keeper", "mobile_hash"], name="unique_finance_staff_mobile"),
        ]

    def __str__(self):
        return self.name

    def set_mobile(self, value: str) -> None:
        self.mobile = normalize_phone(value)
        self.mobile_hash = blind_index(self.mobile, purpose="phone")

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile) if self.mobile else ""


class FinancePush(models.Model):
    """One push of anti-fraud knowledge to finance staff, sent from the application: the activity it is logged as
    (category ``finance_push``), the text, the chosen audience and until when the personal links work."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="finance_push")
    message = models.TextField(_("message"))
    audience = models.ManyToManyField(Unit, verbose_name=_("audience"), related_name="+", blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    links_expire_at = models.DateTimeField(_("personal links expire at"))

    objects = PublicityQuerySet.as_manager()
    scope_field = "activity__unit"

    class Meta:
        verbose_name = _("finance push")
        verbose_name_plural = _("finance pushes")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return str(self.activity)
