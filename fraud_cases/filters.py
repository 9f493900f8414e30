"""Filters shared by the case list, its Excel export and the API (django-filter).

``village`` is a village code; ``period`` a month (``2026-03``), a quarter (``2026-Q1``) or a year
(``2026``), in Asia/Shanghai; ``q`` searches the case number (substring).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.periods import BadPeriod, parse_period
from warnings_followup.models import FraudType

from .models import CaseSource, FraudCase


def period_bounds(text: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    """``[start, end)`` (aware, local midnights) of ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``; None if invalid."""
    try:
        period = parse_period(text)
    except BadPeriod:
        return None
    return period.start, period.end


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and period_bounds(value) is None:
            raise forms.ValidationError(_("Enter a period such as 2026-03, 2026-Q1 or 2026."))
        return value


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField


class FraudCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="case_number", lookup_expr="icontains", label=_("Case number"))
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    fraud_type = django_filters.ChoiceFilter(choices=FraudType.choices, label=_("Fraud type"))
    source = django_filters.ChoiceFilter(choices=CaseSource.choices, label=_("Source"))
    period = PeriodFilter(method="filter_period", label=_("Period (2026-03, 2026-Q1 or 2026)"))
    defrauded_after_warning = django_filters.BooleanFilter(
        field_name="warning", lookup_expr="isnull", exclude=True, label=_("Defrauded after warning")
    )

    class Meta:
        model = FraudCase
        fields = ["q", "village", "fraud_type", "source", "period", "defrauded_after_warning"]

    def filter_period(self, queryset, name, value):
        bounds = period_bounds(value)
        return queryset.reported_between(*bounds) if bounds else queryset
