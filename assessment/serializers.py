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

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("coverage_rate", "on_time_rate", "dissuasion_rate"):
            if data[name] is not None:
                data[name] = round(data[name], 4)
        return data


class IndicatorErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
