"""Filters shared by the outreach pages, exports and API (django-filter).

Units are named by code (``?village=440605124001&grid=440605124001-01``), dates as ``YYYY-MM-DD``.
Searching a pledge by an exact ID number goes through the keyed hash (``Resident.objects.by_id_number``),
never by decrypting the table; such searches are access-logged by the views.
"""

import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.validators import normalize_id_number
from residents.models import Resident

from .models import DoorVisit, Pledge

REFERENCE_RE = re.compile(r"^H0*(\d{1,9})$", re.IGNORECASE)


def household_reference_pk(text: str) -> int | None:
    """The household id in a printed reference such as ``H0000123`` (None when ``text`` is not one)."""
    match = REFERENCE_RE.match(text.strip())
    return int(match.group(1)) if match else None


def is_id_number(text: str) -> bool:
    try:
        normalize_id_number(text.strip())
    except ValidationError:
        return False
    return True


def reached_visits_of_outer_household():
    return DoorVisit.objects.reached().filter(household=OuterRef("pk"))


def visited_q() -> Exists:
    """Households with a visit that found someone at home (see ``DoorVisitQuerySet.reached``)."""
    return Exists(reached_visits_of_outer_household())


class OutreachHouseholdFilter(django_filters.FilterSet):
    """The door-knocking list: households by address or printed reference, village, grid, visited or not."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    grid = django_filters.CharFilter(field_name="grid__code", label=_("Grid code"))
    visited = django_filters.BooleanFilter(label=_("Visited (someone was at home)"), method="filter_visited")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pk = household_reference_pk(value)
        if pk is not None:
            return queryset.filter(pk=pk)
        return queryset.filter(address__icontains=value)

    def filter_visited(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(visited_q()) if value else queryset.exclude(visited_q())


class DoorVisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.CharFilter(field_name="household__village__code", label=_("Village code"))
    grid = django_filters.CharFilter(field_name="household__grid__code", label=_("Grid code"))
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household id"))
    someone_home = django_filters.BooleanFilter(label=_("Someone at home"))
    date_from = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = DoorVisit
        fields = ["q", "village", "grid", "household", "someone_home", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pk = household_reference_pk(value)
        if pk is not None:
            return queryset.filter(household_id=pk)
        return queryset.filter(household__address__icontains=value)


class PledgeFilter(django_filters.FilterSet):
    """Pledges by resident name, household address or reference, or exact ID number; village, grid, dates."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.CharFilter(field_name="resident__village__code", label=_("Village code"))
    grid = django_filters.CharFilter(field_name="resident__household__grid__code", label=_("Grid code"))
    date_from = django_filters.DateFilter(field_name="signed_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="signed_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Pledge
        fields = ["q", "village", "grid", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if is_id_number(value):
            return queryset.filter(resident__in=Resident.objects.by_id_number(value))
        pk = household_reference_pk(value)
        if pk is not None:
            return queryset.filter(resident__household_id=pk)
        return queryset.filter(Q(resident__name__icontains=value) | Q(resident__household__address__icontains=value))
