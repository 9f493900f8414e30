"""The organisation of the campaign: units in a hierarchy, and the people who work in them."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField
from core.validators import MOBILE_RE, mask_phone, normalize_phone


class UnitKind(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village or community")
    GRID = "grid", _("Grid")
    DEPARTMENT = "department", _("Department")
    SCHOOL = "school", _("School")
    POLICE_STATION = "police_station", _("Police station")


# Which kinds may sit directly below which: the tree can grow above the town without a redesign.
ALLOWED_PARENT_KINDS = {
    UnitKind.COUNTY: {None, UnitKind.COUNTY},
    UnitKind.TOWN: {None, UnitKind.COUNTY},
    UnitKind.VILLAGE: {UnitKind.TOWN},
    UnitKind.GRID: {UnitKind.VILLAGE},
    UnitKind.DEPARTMENT: {UnitKind.TOWN, UnitKind.COUNTY},
    UnitKind.SCHOOL: {UnitKind.TOWN, UnitKind.COUNTY},
    UnitKind.POLICE_STATION: {UnitKind.TOWN, UnitKind.COUNTY},
}

PATH_SEPARATOR = "/"


class ScopedQuerySet(models.QuerySet):
    """``Model.objects.for_user(user)``: the rows in the user's scope (see organization.access).

    Subclasses may narrow it declaratively: ``scope_capability`` (only roles with that capability see any
    row) and ``police_see_station`` (police see their station's rows, not the whole town).
    """

    scope_capability: str | None = None
    police_see_station: bool = False

    def for_user(self, user):
        from organization.access import scope_queryset

        return scope_queryset(self, user, capability=self.scope_capability, police_see_station=self.police_see_station)


class UnitQuerySet(ScopedQuerySet):
    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds)

    def villages(self):
        return self.filter(kind=UnitKind.VILLAGE)

    def subtree_of(self, unit):
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A unit of the organisation: county, town, village, grid, department, school or police station.

    ``path`` is a materialised path of codes (``/4406/440605/...``) so that "this unit and everything
    below it" is one indexed prefix query, on SQLite and PostgreSQL alike.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(
        _("registered population"),
        null=True,
        blank=True,
        help_text=_("Registered population, used for cases per 10,000 people."),
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    # Units whose rows the scoping rules key on.
    scope_field = ""

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = self.compute_path()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moved or re-coded: rewrite the paths of everything below.
                for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    descendant.path = self.path + descendant.path[len(old_path) :]
                    descendant.save(update_fields=["path"])

    def clean(self):
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in allowed:
            raise ValidationError(
                {"parent": _("A %(kind)s cannot be placed under this parent.") % {"kind": self.get_kind_display()}}
            )
        if self.pk and self.parent_id and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
        if self.code and PATH_SEPARATOR in self.code:
            raise ValidationError({"code": _("The code may not contain “/”.")})

    def compute_path(self):
        prefix = self.parent.path if self.parent_id else PATH_SEPARATOR
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def ancestor(self, kind):
        """The nearest unit of ``kind`` at or above this one, or None."""
        unit = self
        while unit is not None:
            if unit.kind == kind:
                return unit
            unit = unit.parent
        return None

    @property
    def village(self):
        return self.ancestor(UnitKind.VILLAGE)

    @property
    def town(self):
        return self.ancestor(UnitKind.TOWN)


class Role(models.TextChoices):
    # The county's anti-fraud centre (县反诈中心): leadership over every town of the county (scope: the county unit).
    COUNTY_LEADERSHIP = "county_leadership", _("County anti-fraud centre leadership")
    LEADERSHIP_LEADER = "leadership_leader", _("Leadership group leader")
    LEADERSHIP_DEPUTY = "leadership_deputy", _("Leadership group deputy leader")
    LEADERSHIP_MEMBER = "leadership_member", _("Leadership group member")
    POLICE = "police", _("Police station staff")
    GOVERNANCE = "governance", _("Governance centre staff")
    VILLAGE_HEAD = "village_head", _("Village head")
    DISSUASION_TEAM = "dissuasion_team", _("Dissuasion team member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    POLICE_ASSISTANT = "police_assistant", _("Police assistant")
    VOLUNTEER = "volunteer", _("Volunteer")
    SCHOOL_STAFF = "school_staff", _("School staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """Checks the password with AUTH_PASSWORD_VALIDATORS first: ``createsuperuser --noinput`` (with
        DJANGO_SUPERUSER_PASSWORD) does not, and a superuser's password matters most."""
        if password is not None:
            validate_password(password, self.model(username=username, email=email or ""))
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who works in the campaign. Belongs to one unit and holds one or more roles."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    mobile = EncryptedTextField(
        _("mobile number"), blank=True, help_text=_("Where SMS reminders go. Stored encrypted.")
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login", "mobile"])

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        if self.mobile:
            try:
                number = normalize_phone(self.mobile)
            except ValidationError as error:
                raise ValidationError({"mobile": error.messages}) from error
            if not MOBILE_RE.match(number):
                raise ValidationError({"mobile": _("Enter a mobile number: a text message cannot reach a landline.")})
            self.mobile = number

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)

    def __str__(self):
        return self.full_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        """The user's roles, loaded once per user object."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *roles) -> bool:
        return bool(self.role_codes.intersection(roles))

    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in sorted(self.role_codes)]


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self):
        return self.get_role_display()


class TownSettings(models.Model):
    """What differs between the towns of a county: the plan's wording, the printed materials, the police numbers,
    the indicator weights, the callback draw and the work group robot. One row per town; the county's row holds the
    defaults.

    An empty field means "as above": :func:`organization.selectors.town_setting` walks up from a unit to its town,
    then to the county, and takes the first row that sets the value (then the installation's own default)."""

    unit = models.OneToOneField(
        Unit,
        verbose_name=_("town or county"),
        on_delete=models.CASCADE,
        related_name="settings",
        limit_choices_to={"kind__in": [UnitKind.TOWN, UnitKind.COUNTY]},
    )
    plan_title = models.CharField(
        _("work plan title"), max_length=200, blank=True, help_text=_("The plan the town works to, as it is titled.")
    )
    plan_number = models.CharField(_("work plan document number"), max_length=60, blank=True)
    letter_title = models.CharField(_("letter: title"), max_length=100, blank=True)
    letter_body = models.TextField(
        _("letter: text"), blank=True, help_text=_("Plain text; an empty line starts a new paragraph.")
    )
    letter_closing = models.TextField(_("letter: closing lines"), blank=True)
    card_closing = models.TextField(_("contact card: closing lines"), blank=True)
    police_contacts = models.TextField(
        _("police contact numbers"),
        blank=True,
        help_text=_("One number a line: who, then the number (罗村派出所 0757-12345678)."),
    )
    indicator_weights = models.ForeignKey(
        "assessment.IndicatorWeights",
        verbose_name=_("indicator weights"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="town_settings",
    )
    callback_per_village = models.PositiveSmallIntegerField(_("callbacks: cases per village"), null=True, blank=True)
    callback_share = models.DecimalField(
        _("callbacks: share of each village's cases"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    # The town's work group robot (the county's row: the county's group): a village without a robot of its own
    # (notifications.VillageChannel) posts to it (notifications.channels.work_group_robot). The URL holds the
    # robot's key: kept out of the history table.
    robot_webhook_url = models.URLField(
        _("work group robot webhook URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The town's WeCom or DingTalk work group robot: villages without their own robot post to it."),
    )
    robot_webhook_kind = models.CharField(
        _("work group robot kind"),
        max_length=10,
        blank=True,
        choices=[("wecom", _("WeCom group robot")), ("dingtalk", _("DingTalk group robot"))],
        help_text=_("Empty: WeCom."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["robot_webhook_url"])

    # The settings a town may set, in the order the admin shows them.
    NAMES = (
        "plan_title",
        "plan_number",
        "letter_title",
        "letter_body",
        "letter_closing",
        "card_closing",
        "police_contacts",
        "indicator_weights",
        "callback_per_village",
        "callback_share",
        "robot_webhook_url",
    )

    class Meta:
        verbose_name = _("town settings")
        verbose_name_plural = _("town settings")
        ordering = ["unit__path"]

    def __str__(self):
        return str(self.unit)

    def clean(self):
        if self.unit_id and self.unit.kind not in (UnitKind.TOWN, UnitKind.COUNTY):
            raise ValidationError({"unit": _("Settings belong to a town or a county.")})
        if self.callback_share is not None and not (0 <= self.callback_share <= 1):
            raise ValidationError({"callback_share": _("A share between 0 and 1.")})
