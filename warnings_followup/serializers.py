"""Shapes of the police platform's warning API (预警推送接口). Shapes only: the rules live in services.py.

Sensitive numbers leave only masked: the person's ID and phone numbers and the stop-payment account
numbers. Input numbers are normalised with the shared validators (``core.validators``), so the API,
the forms and the Excel import give the same message for the same mistake.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import normalize_bank_account, normalize_id_number, normalize_phone
from organization.access import units_visible_to
from organization.models import UnitKind

from .models import (
    EARLY_CLOSE_REASONS,
    CloseReason,
    DissuasionMethod,
    FollowUpVisit,
    FraudType,
    RiskLevel,
    StopPaymentAccount,
    VisitMethod,
    WarningOrder,
)

# The plan's own names for the fraud types. Kept here, in one place, so that the API answers in the
# plan's terms whatever the request language and whatever state the translation catalogue is in.
FRAUD_TYPE_NAMES_ZH: dict[str, str] = {
    FraudType.REBATE_TASK.value: "刷单返利",
    FraudType.INVESTMENT.value: "虚假投资理财",
    FraudType.LOAN.value: "虚假网络贷款",
    FraudType.IMPERSONATE_POLICE.value: "冒充公检法",
    FraudType.IMPERSONATE_SERVICE.value: "冒充电商物流客服",
    FraudType.IMPERSONATE_LEADER.value: "冒充领导熟人",
    FraudType.GAME_TRADING.value: "网络游戏虚假交易",
    FraudType.DATING.value: "网络婚恋交友",
    FraudType.CREDIT_REPORT.value: "虚假征信",
    FraudType.OTHER.value: "其他",
}

# How far ahead of our clock a pushed_at or visited_at may be (the other system's clock may run fast).
CLOCK_SKEW = datetime.timedelta(minutes=5)


def fraud_types() -> list[dict[str, str]]:
    """Every fraud type as ``{"code", "name"}``, in the catalogue's order, with the plan's Chinese name."""
    return [{"code": code, "name": FRAUD_TYPE_NAMES_ZH[code]} for code in FraudType.values]


class FraudTypeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("The code used in warnings, such as rebate_task."))
    name = serializers.CharField(read_only=True, help_text=_("The Chinese name, such as 刷单返利."))


class WarningErrorSerializer(serializers.Serializer):
    """The body of a 403, 404 or 409 answer."""

    detail = serializers.CharField(read_only=True)


# --- Reading a warning ---------------------------------------------------------------------------


class WarningPersonSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text=_("Masked ID number, such as 440682********1234.")
    )
    phone = serializers.CharField(
        source="masked_phone", read_only=True, help_text=_("Masked phone number, such as 138****5678; may be empty.")
    )


class WarningStopPaymentAccountSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(
        source="masked_account_number",
        read_only=True,
        help_text=_("Masked account number, such as 6222 **** **** 1234."),
    )

    class Meta:
        model = StopPaymentAccount
        fields = ["bank", "account_number", "released_at"]
        read_only_fields = fields


class WarningVisitSerializer(serializers.ModelSerializer):
    """A follow-up visit: read in a warning's ``visits``, and the body of ``POST .../visits/``.

    One serializer for both directions, so that the visit method is one enum in the schema.
    ``client_id``, ``notes`` and the person's state are write-only.
    """

    client_id = serializers.UUIDField(
        write_only=True,
        help_text=_("A UUID chosen by the client. Posting the same one again returns the first visit."),
    )
    method = serializers.ChoiceField(choices=VisitMethod.choices)
    at_risk = serializers.BooleanField(help_text=_("Is the person still at risk after this visit?"))
    by = serializers.SerializerMethodField(help_text=_("Usernames of who went."))
    notes = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    understands_risk = serializers.BooleanField(write_only=True, required=False, default=False)
    still_in_contact = serializers.BooleanField(write_only=True, required=False, default=False)
    new_transfer_attempts = serializers.BooleanField(write_only=True, required=False, default=False)
    app_installed = serializers.BooleanField(write_only=True, required=False, default=False)
    relatives_informed = serializers.BooleanField(write_only=True, required=False, default=False)
    visitors = serializers.ListField(
        child=serializers.CharField(),
        write_only=True,
        required=False,
        default=list,
        help_text=_("Usernames of the village team members who went along (the caller always counts)."),
    )

    class Meta:
        model = FollowUpVisit
        fields = [
            "id",
            "client_id",
            "visited_at",
            "method",
            "by",
            "at_risk",
            "notes",
            "understands_risk",
            "still_in_contact",
            "new_transfer_attempts",
            "app_installed",
            "relatives_informed",
            "visitors",
        ]
        read_only_fields = ["id"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_by(self, visit) -> list[str]:
        return sorted(user.username for user in visit.visitors.all())

    def validate_visited_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("A visit cannot be in the future."))
        return value


class FirstDissuasionSerializer(serializers.Serializer):
    """The police's first dissuasion of a warning."""

    at = serializers.DateTimeField(source="first_dissuasion_at", read_only=True)
    method = serializers.CharField(
        source="first_dissuasion_method", read_only=True, help_text=_("phone, in_person or joint.")
    )
    result = serializers.CharField(source="first_dissuasion_result", read_only=True)
    by = serializers.CharField(
        source="first_dissuasion_by.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The username of the police officer who recorded it."),
    )


class WarningSerializer(serializers.ModelSerializer):
    """A warning as the police platform reads it. ``today`` in the context fixes the date of the answer."""

    village = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Village code."))
    person = WarningPersonSerializer(read_only=True)
    next_visit_due = serializers.SerializerMethodField(
        help_text=_(
            "The date the next in-person visit is due; null when the window has ended or the case left follow-up."
        )
    )
    overdue = serializers.SerializerMethodField(help_text=_("Is the next in-person visit overdue today?"))
    first_dissuasion = serializers.SerializerMethodField(
        help_text=_("The police's first dissuasion (at, method, result, by: a username), or null before it.")
    )
    first_team_contact_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("The village team's first in-person visit, or null.")
    )
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices,
        read_only=True,
        allow_blank=True,
        help_text=_("Why the case was closed; empty while open."),
    )
    visits = WarningVisitSerializer(many=True, read_only=True)
    stop_payment_accounts = WarningStopPaymentAccountSerializer(many=True, read_only=True)

    class Meta:
        model = WarningOrder
        fields = [
            "id",
            "external_id",
            "status",
            "village",
            "person",
            "fraud_type",
            "risk_level",
            "pushed_at",
            "window_ends",
            "next_visit_due",
            "overdue",
            "first_dissuasion",
            "first_team_contact_at",
            "dissuaded_at",
            "close_reason",
            "visits",
            "stop_payment_accounts",
        ]
        read_only_fields = fields

    def _today(self) -> datetime.date:
        return self.context.get("today") or timezone.localdate()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_visit_due(self, warning) -> datetime.date | None:
        return warning.current_next_visit_due(self._today())

    def get_overdue(self, warning) -> bool:
        return warning.is_overdue(self._today())

    @extend_schema_field(FirstDissuasionSerializer(allow_null=True))
    def get_first_dissuasion(self, warning) -> dict | None:
        if warning.first_dissuasion_at is None:
            return None
        return FirstDissuasionSerializer(warning).data


# --- Pushing a warning ---------------------------------------------------------------------------


class WarningStopPaymentAccountInputSerializer(serializers.Serializer):
    bank = serializers.CharField(max_length=60)
    account_number = serializers.CharField(
        max_length=60, help_text=_("The card or account number; spaces and dashes are ignored.")
    )

    def validate_account_number(self, value):
        return normalize_bank_account(value)


class WarningPushSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64, help_text=_("The police platform's instruction number."))
    person_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40, help_text=_("The person's 18-character resident ID number."))
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    village = serializers.CharField(max_length=32, help_text=_("The village's unit code."))
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    fraud_type = serializers.ChoiceField(choices=FraudType.choices, help_text=_("See GET /api/v1/fraud-types/."))
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField()
    stop_payment_accounts = WarningStopPaymentAccountInputSerializer(many=True, required=False)
    pushed_at = serializers.DateTimeField(
        required=False, help_text=_("When the warning was issued (ISO 8601); now when omitted.")
    )

    def validate_id_number(self, value):
        return normalize_id_number(value)

    def validate_phone(self, value):
        return normalize_phone(value) if value.strip() else ""

    def validate_village(self, value):
        user = self.context["request"].user
        village = units_visible_to(user).filter(kind=UnitKind.VILLAGE, code=value.strip()).first()
        if village is None:
            raise serializers.ValidationError(_("Unknown village code."))
        return village

    def validate_pushed_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("The push time cannot be in the future."))
        return value


# --- Transitions ---------------------------------------------------------------------------------

SIMPLE_ACTIONS = ("acknowledge", "confirm_dissuaded", "confirm_release")


class _TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Why: kept in the case's audit trail.")
    )


class WarningSimpleTransitionSerializer(_TransitionSerializer):
    action = serializers.ChoiceField(
        choices=SIMPLE_ACTIONS,
        help_text=_(
            "acknowledge: the village team acknowledges receipt. confirm_dissuaded: the village's dissuasion team or "
            "its head confirms no further risk, after an in-person visit by the team (a release request goes to "
            "police when accounts are under stop-payment; the visits go on until the window ends). confirm_release: "
            "police release every account still under stop-payment."
        ),
    )


class WarningFirstDissuasionSerializer(_TransitionSerializer):
    action = serializers.ChoiceField(
        choices=["first_dissuasion"],
        help_text=_(
            "Police record their own first dissuasion, whether or not the team has visited; 409 once recorded."
        ),
    )
    method = serializers.ChoiceField(choices=DissuasionMethod.choices)
    result = serializers.CharField(help_text=_("The result of the first dissuasion."))
    at = serializers.DateTimeField(required=False, help_text=_("When it happened (ISO 8601); now when omitted."))

    def validate_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("The first dissuasion cannot be in the future."))
        return value


class WarningCloseSerializer(_TransitionSerializer):
    action = serializers.ChoiceField(
        choices=["close"],
        help_text=_(
            "Police close the case. Before the follow-up window ends only with close_reason; after it, the cases "
            "with dissuasion confirmed close by themselves."
        ),
    )
    close_reason = serializers.ChoiceField(
        choices=EARLY_CLOSE_REASONS,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("moved_away, deceased, duplicate_push or other (other: say why in reason)."),
    )


class WarningReportDefraudedSerializer(_TransitionSerializer):
    action = serializers.ChoiceField(
        choices=["report_defrauded"], help_text=_("The person was defrauded after the warning: an incident.")
    )
    loss_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, coerce_to_string=False, help_text=_("The loss in yuan.")
    )
    defrauded_on = serializers.DateField()

    def validate_defrauded_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date of the fraud cannot be in the future."))
        return value


TRANSITION_SERIALIZERS: dict[str, type[_TransitionSerializer]] = {
    "acknowledge": WarningSimpleTransitionSerializer,
    "first_dissuasion": WarningFirstDissuasionSerializer,
    "confirm_dissuaded": WarningSimpleTransitionSerializer,
    "confirm_release": WarningSimpleTransitionSerializer,
    "report_defrauded": WarningReportDefraudedSerializer,
    "close": WarningCloseSerializer,
}


class TransitionActionSerializer(serializers.Serializer):
    """Reads only ``action``, to choose the serializer of the action's own fields."""

    action = serializers.ChoiceField(choices=list(TRANSITION_SERIALIZERS))
