"""Filters shared by the activity list and its Excel export (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Activity, Category, Channel


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.CharFilter(field_name="unit__code", label=_("Unit code"))
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("From"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Activity
        fields = ["q", "unit", "category", "channel", "held_from", "held_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value) | Q(description__icontains=value))
