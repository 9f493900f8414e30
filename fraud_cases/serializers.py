"""Shapes of the fraud case API. Shapes only: the rules live in services.py.

The victim's ID and phone numbers leave only masked. Input numbers go through the shared validators
(``core.validators``), so the API, the form and the Excel import give the same message for the same
mistake.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import normalize_id_number, normalize_phone
from organization.access import units_visible_to
from organization.models import UnitKind
from warnings_followup.models import FraudType

from .models import CaseSource, FraudCase
from .services import CLOCK_SKEW

SOURCE_HELP = _("110: the 110 dispatch system; platform: the fraud investigation platform; other.")


@extend_schema_field({"type": "string", "enum": list(CaseSource.values), "description": str(SOURCE_HELP)})
class CaseSourceField(serializers.ChoiceField):
    """``source`` as an inline enum (its own name would collide with other apps' ``source`` enums)."""

    def __init__(self, **kwargs):
        super().__init__(choices=CaseSource.choices, **kwargs)


class FraudCaseVictimSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text=_("Masked ID number, such as 440682********1234.")
    )
    phone = serializers.CharField(
        source="masked_phone", read_only=True, help_text=_("Masked phone number, such as 138****5678; may be empty.")
    )


class FraudCaseSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Village code."))
    victim = FraudCaseVictimSerializer(read_only=True)
    source = CaseSourceField(read_only=True)
    loss_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True)
    recovered_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True)
    defrauded_after_warning = serializers.BooleanField(
        read_only=True, help_text=_("The victim had a warning pushed before the fraud (预后被骗).")
    )
    warning = serializers.SlugRelatedField(
        slug_field="external_id",
        read_only=True,
        allow_null=True,
        help_text=_("The instruction number of the warning pushed before the fraud, or null."),
    )

    class Meta:
        model = FraudCase
        fields = [
            "id",
            "case_number",
            "reported_at",
            "village",
            "victim",
            "fraud_type",
            "loss_amount",
            "recovered_amount",
            "source",
            "defrauded_after_warning",
            "warning",
        ]
        read_only_fields = fields


class FraudCaseRegisterSerializer(serializers.Serializer):
    case_number = serializers.CharField(
        max_length=64, help_text=_("The case number in the 110 system or the platform: the key of the case.")
    )
    reported_at = serializers.DateTimeField(help_text=_("When the case was reported (ISO 8601)."))
    victim_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40, help_text=_("The victim's 18-character resident ID number."))
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    village = serializers.CharField(max_length=32, help_text=_("The village's unit code."))
    fraud_type = serializers.ChoiceField(choices=FraudType.choices, help_text=_("See GET /api/v1/fraud-types/."))
    loss_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, coerce_to_string=False, help_text=_("The loss in yuan.")
    )
    recovered_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        coerce_to_string=False,
        required=False,
        default=0,
        help_text=_("The amount recovered so far, in yuan."),
    )
    source = CaseSourceField()

    def validate_case_number(self, value):
        return value.strip()

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

    def validate_reported_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("The report time cannot be in the future."))
        return value
