"""Filters shared by the registry's pages, exports and API (django-filter).

Units are named by code (``?village=440605124001&grid=440605124001-01``). Search ``q`` matches names
and addresses by substring, and ID or phone numbers exactly (through the keyed hash, never by
decrypting the table).
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import normalize_id_number, normalize_phone

from .models import Household, Resident, ResidentTag, id_number_hash, phone_hash


def exact_number_q(text: str, *, id_field: str, phone_field: str) -> Q | None:
    """A Q for an exact ID or phone number match, or None when ``text`` is neither."""
    try:
        normalize_id_number(text)
        return Q(**{id_field: id_number_hash(text)})
    except ValidationError:
        pass
    try:
        normalize_phone(text)
        return Q(**{phone_field: phone_hash(text)})
    except ValidationError:
        return None


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    grid = django_filters.CharFilter(field_name="grid__code", label=_("Grid code"))
    # Apps above the registry add their own filters with household_filter_add (campaigns: "visited").

    class Meta:
        model = Household
        fields = ["q", "village", "grid"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        exact = exact_number_q(value, id_field="members__id_number_hash", phone_field="members__phone_hash")
        if exact is not None:
            contact = exact_number_q(value, id_field="members__id_number_hash", phone_field="contact_phone_hash")
            return queryset.filter(exact | contact).distinct()
        return queryset.filter(Q(address__icontains=value) | Q(members__name=value)).distinct()


def household_filter_add(name: str, filter_: django_filters.Filter) -> None:
    """Add ``filter_`` as ``?name=`` to the household list, its export and API (called from an app's ``ready``).

    The registry does not know the apps above it; the door-knocking campaign adds ``visited`` this way.
    """
    HouseholdFilter.base_filters[name] = filter_


class ResidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    grid = django_filters.CharFilter(field_name="household__grid__code", label=_("Grid code"))
    tag = django_filters.ChoiceFilter(label=_("Tag"), choices=ResidentTag.choices, method="filter_tag")
    has_household = django_filters.BooleanFilter(
        field_name="household", lookup_expr="isnull", exclude=True, label=_("Has a household")
    )

    class Meta:
        model = Resident
        fields = ["q", "village", "grid", "tag", "has_household"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        exact = exact_number_q(value, id_field="id_number_hash", phone_field="phone_hash")
        if exact is not None:
            return queryset.filter(exact)
        return queryset.filter(Q(name__icontains=value) | Q(household__address__icontains=value))

    def filter_tag(self, queryset, name, value):
        return queryset.with_tag(value) if value else queryset


def is_exact_number_search(text: str) -> bool:
    """Did the user search by an exact ID or phone number? (Such searches are access-logged.)"""
    return exact_number_q(text.strip(), id_field="id", phone_field="id") is not None if text else False
