"""Door visits in the API: the body of ``POST /api/v1/door-visits/`` and the visit it answers with."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from warnings_followup.models import FraudType

from .models import DoorVisit, Material
from .services import CLOCK_SKEW


@extend_schema_field(
    # The warnings API already names this choice set FraudTypeEnum: refer to it rather than making a second name.
    {"type": "array", "items": {"$ref": "#/components/schemas/FraudTypeEnum"}}
)
class FraudTypeListField(serializers.ListField):
    child = serializers.ChoiceField(choices=FraudType.choices)


class UsernameListField(serializers.ListField):
    """Usernames in, usernames out (read from the visit's ``visitors``)."""

    child = serializers.CharField()

    def to_representation(self, data):
        return sorted(user.username for user in data.all())


class DoorVisitSerializer(serializers.ModelSerializer):
    """A door visit. One serializer for both directions, so that ``materials`` is one enum in the schema.

    ``visitors`` (usernames) is optional when posting: the caller by default.
    """

    client_id = serializers.UUIDField(
        help_text=_("A UUID chosen by the client. Posting the same one again returns the first door visit.")
    )
    household = serializers.IntegerField(source="household_id", help_text=_("Household id (see /api/v1/households/)."))
    visited_at = serializers.DateTimeField(help_text=_("When the visit took place (not in the future)."))
    someone_home = serializers.BooleanField(help_text=_("Was someone at home? A visit with nobody home is kept too."))
    materials = serializers.ListField(
        child=serializers.ChoiceField(choices=Material.choices),
        required=False,
        default=list,
        help_text=_("Materials handed out: letter, contact_card, pledge_form."),
    )
    fraud_types = FraudTypeListField(
        source="fraud_types_explained",
        required=False,
        default=list,
        help_text=_("Fraud types explained (codes of /api/v1/fraud-types/)."),
    )
    app_installed = serializers.BooleanField(
        required=False, default=False, help_text=_("Was the national anti-fraud app installed with their help?")
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    visitors = UsernameListField(
        required=False,
        default=list,
        help_text=_("Usernames of who went (the caller when empty)."),
    )
    recorded_by = serializers.SerializerMethodField(help_text=_("Username of who recorded the visit."))

    class Meta:
        model = DoorVisit
        fields = [
            "id",
            "client_id",
            "household",
            "visited_at",
            "someone_home",
            "materials",
            "fraud_types",
            "app_installed",
            "notes",
            "visitors",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "recorded_by", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by(self, visit) -> str | None:
        return visit.recorded_by.username if visit.recorded_by else None

    def validate_visited_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("A door visit cannot be in the future."))
        return value
