from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from .access import units_visible_to
from .models import Unit, UnitKind


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("Code of the parent unit; null for the town.")
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "population"]


class UnitFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=UnitKind.choices)
    parent = filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Unit
        fields = ["kind", "parent"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The units the caller may see. Looked up by code."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    lookup_field = "code"

    def get_queryset(self):
        return units_visible_to(self.request.user).select_related("parent").order_by("path")
