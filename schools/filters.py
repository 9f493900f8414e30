"""Filters shared by the students' and applications' pages, exports and API (django-filter).

``q`` matches a name by substring, or an ID or guardian's phone number exactly (through the keyed hash).
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import normalize_id_number, normalize_phone

from .models import ApplicationStatus, CardApplication, CardType, Student, guardian_phone_hash, student_id_number_hash


def _exact_number_q(text: str, prefix: str = "") -> Q | None:
    try:
        normalize_id_number(text)
        return Q(**{f"{prefix}id_number_hash": student_id_number_hash(text)})
    except ValidationError:
        pass
    try:
        normalize_phone(text)
        return Q(**{f"{prefix}guardian_phone_hash": guardian_phone_hash(text)})
    except ValidationError:
        return None


def exact_number_kind(text: str) -> str | None:
    """``"id_number"`` or ``"guardian_phone"`` when ``text`` is an exact number (such searches are logged)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        normalize_id_number(text)
        return "id_number"
    except ValidationError:
        pass
    try:
        normalize_phone(text)
        return "guardian_phone"
    except ValidationError:
        return None


class StudentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    school = django_filters.CharFilter(field_name="school__code", label=_("School code"))
    grade = django_filters.CharFilter(field_name="grade", label=_("Grade"))
    class_name = django_filters.CharFilter(field_name="class_name", label=_("Class"))
    is_active = django_filters.BooleanFilter(field_name="is_active", label=_("At the school"))

    class Meta:
        model = Student
        fields = ["q", "school", "grade", "class_name", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        exact = _exact_number_q(value)
        if exact is not None:
            return queryset.filter(exact)
        return queryset.filter(Q(name__icontains=value) | Q(guardian_name__icontains=value))


class CardApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    school = django_filters.CharFilter(field_name="student__school__code", label=_("School code"))
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=_("Status"))
    card_type = django_filters.ChoiceFilter(choices=CardType.choices, label=_("Card type"))

    class Meta:
        model = CardApplication
        fields = ["q", "school", "status", "card_type"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        exact = _exact_number_q(value, "student__")
        if exact is not None:
            return queryset.filter(exact)
        return queryset.filter(student__name__icontains=value)
