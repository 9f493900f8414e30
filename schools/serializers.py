"""Shapes of the schools API. Shapes only: the rules live in services.py. Numbers leave only masked."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import ApplicationStatus, CardApplication, CardType, Student


class SchoolsErrorSerializer(serializers.Serializer):
    """The body of a 403, 404 or 409 answer."""

    detail = serializers.CharField(read_only=True)


def _choice_field(choices, name: str):
    """A ChoiceField documented inline (no shared enum component, so no name clash with other apps)."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices], "title": name})
    class Field(serializers.ChoiceField):
        pass

    Field.__name__ = name
    return Field


ApplicationStatusField = _choice_field(ApplicationStatus.choices, "CardApplicationStatus")
CardTypeField = _choice_field(CardType.choices, "CardType")


class StudentSerializer(serializers.ModelSerializer):
    school = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("The school's unit code."))
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text=_("Masked ID number, such as 440682********1234.")
    )

    class Meta:
        model = Student
        fields = ["id", "name", "school", "grade", "class_name", "id_number"]
        read_only_fields = fields


class CardApplicationCreateSerializer(serializers.Serializer):
    student = serializers.IntegerField(help_text=_("The student's id (GET /api/v1/students/)."))
    card_type = CardTypeField(choices=CardType.choices, help_text=_("bank or sim."))
    issuer = serializers.CharField(max_length=60, help_text=_("The bank or the carrier."))
    reason = serializers.CharField(max_length=2000)
    guardian_consent = serializers.BooleanField(help_text=_("The guardian consents; must be true."))
    client_id = serializers.UUIDField(
        required=False,
        help_text=_("A UUID chosen by the client. Posting the same one again returns the first application."),
    )


class CardApplicationSerializer(serializers.ModelSerializer):
    student = serializers.PrimaryKeyRelatedField(read_only=True)
    school = serializers.CharField(source="student.school.code", read_only=True, help_text=_("The school's code."))
    number = serializers.CharField(read_only=True, help_text=_("The application number printed on the form."))
    status = ApplicationStatusField(choices=ApplicationStatus.choices, read_only=True)
    card_type = CardTypeField(choices=CardType.choices, read_only=True)
    escort = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verify_url = serializers.SerializerMethodField(help_text=_("The public verification page of the printed form."))

    class Meta:
        model = CardApplication
        fields = [
            "id",
            "number",
            "student",
            "school",
            "card_type",
            "issuer",
            "reason",
            "guardian_consent",
            "status",
            "created_at",
            "reviewed_at",
            "review_reason",
            "escort",
            "appointment_at",
            "police_checked_at",
            "police_reason",
            "opened_at",
            "verify_url",
        ]
        read_only_fields = fields

    def get_verify_url(self, application) -> str:
        path = reverse("verify:verify", args=[application.verification_code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


TRANSITION_ACTIONS = (
    "school_approve",
    "school_reject",
    "assign_escort",
    "police_clear",
    "police_refuse",
    "record_opened",
)


class CardApplicationTransitionSerializer(serializers.Serializer):
    action = _choice_field([(a, a) for a in TRANSITION_ACTIONS], "CardApplicationAction")(
        choices=TRANSITION_ACTIONS,
        help_text=_(
            "school_approve, school_reject (reason), assign_escort (escort, appointment_at): the school's staff. "
            "police_clear, police_refuse (reason): the police. record_opened (last4, opened_on): the school's staff."
        ),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    escort = serializers.CharField(
        required=False, help_text=_("assign_escort: the username of a staff member of the student's school.")
    )
    appointment_at = serializers.DateTimeField(
        required=False, help_text=_("assign_escort: the appointment at the police station.")
    )
    last4 = serializers.RegexField(
        r"^\d{4}$", required=False, help_text=_("record_opened: the last 4 digits of the new card.")
    )
    opened_on = serializers.DateField(required=False, help_text=_("record_opened: the date the card was opened."))

    REQUIRED = {
        "school_reject": ("reason",),
        "police_refuse": ("reason",),
        "assign_escort": ("escort", "appointment_at"),
        "record_opened": ("last4", "opened_on"),
    }
    FIELDS = {
        "school_approve": ("reason",),
        "school_reject": ("reason",),
        "assign_escort": ("escort", "appointment_at", "reason"),
        "police_clear": ("reason",),
        "police_refuse": ("reason",),
        "record_opened": ("last4", "opened_on", "reason"),
    }

    def validate(self, attrs):
        action = attrs["action"]
        missing = {
            name: [_("This field is required for %(action)s.") % {"action": action}]
            for name in self.REQUIRED.get(action, ())
            if not attrs.get(name)
        }
        if missing:
            raise serializers.ValidationError(missing)
        if action == "record_opened" and attrs["opened_on"] > timezone.localdate():
            raise serializers.ValidationError({"opened_on": [_("The opening date cannot be in the future.")]})
        return attrs

    def service_arguments(self) -> dict:
        action = self.validated_data["action"]
        return {name: self.validated_data[name] for name in self.FIELDS[action] if name in self.validated_data}
