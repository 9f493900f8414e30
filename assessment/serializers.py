from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class IndicatorRowSerializer(serializers.Serializer):
    """One village's indicators in the period (see assessment.indicators for the definitions)."""

    unit = serializers.CharField(source="unit.code", read_only=True, help_text=_("The village's unit code."))
    population = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Registered population."))
    cases = serializers.IntegerField(read_only=True, help_text=_("Fraud cases reported in the period."))
    loss = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text=_("Loss (yuan)."))
    cases_per_10k = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, help_text=_("Cases per 10,000 people.")
    )
    defrauded_after_warning = serializers.IntegerField(read_only=True, help_text=_("Cases of warned victims."))
    coverage_rate = serializers.FloatField(read_only=True, allow_null=True, help_text=_("Door-visit coverage, 0–1."))
    on_time_rate = serializers.FloatField(read_only=True, allow_null=True, help_text=_("On-time follow-up rate, 0–1."))
    dissuasion_rate = serializers.FloatField(read_only=True, allow_null=True, help_text=_("Dissuasion rate, 0–1."))
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True, allow_null=True, help_text=_("Composite score, 0–100.")
    )
    rank = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Rank by score (1 is best)."))
    band = serializers.ChoiceField(
        choices=["green", "amber", "red"],
        read_only=True,
        allow_null=True,
        help_text=_(
            "green, amber or red (null without a score); below the door-visit coverage of the rules, not green."
        ),
    )
    ranked_of = serializers.IntegerField(
        read_only=True, help_text=_("Villages of the town ranked: the rank is among them.")
    )
    inspection_score = serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True, allow_null=True, help_text=_("Mean inspection score, 0–100.")
    )
    not_educated = serializers.IntegerField(
        source="not_educated_known",
        read_only=True,
        allow_null=True,
        help_text=_("Callbacks that found the victim not educated (null: no callback reached a victim)."),
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Indicators the village has no data for: they count 0 in the score, never the best value."),
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("coverage_rate", "on_time_rate", "dissuasion_rate"):
            if data[name] is not None:
                data[name] = round(data[name], 4)
        data["band"] = data["band"] or None
        return data


class IndicatorErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
