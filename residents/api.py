"""The registry API: households and residents, read-only, scoped to the caller and always masked.

``GET /api/v1/households/`` and ``GET /api/v1/residents/`` list what the caller may see
(``Model.objects.for_user``); the details answer 404 outside that scope, exactly like a record that
does not exist. Both need the ``residents.view`` capability: without it a list answers 403 (an
empty list would read as "no such person" to an outside system) and a detail answers 404.

ID and phone numbers are only ever returned masked. Exact-number lookups go in a POST body, never in a
URL (servers and proxies log URLs): ``POST /api/v1/residents/lookup/`` with ``{"id_number": ...}`` or
``{"phone": ...}`` answers the matches in the caller's scope, through the keyed hash, never by
decrypting the table. A full ID or mobile number in any query string answers 400
(``core.privacy``); ``?id_number=`` is kept only to answer that 400, or the validator's message for an
invalid number. Exact-number searches and views of a resident's record are written to the access log.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import AccessAction
from audit.services import access_log_record
from core.validators import normalize_id_number, normalize_phone
from organization.access import can

from .filters import HouseholdFilter, ResidentFilter, is_exact_number_search
from .models import Household, Resident
from .selectors import count_of, households_in_code_order, list_count

VIEW_CAPABILITY = "residents.view"


class CanViewResidents(permissions.BasePermission):
    """``residents.view`` is required: lists answer 403 without it, details 404 ("no access" = "not found")."""

    message = _("You do not have permission to see the resident registry.")

    def has_permission(self, request, view):
        if can(request.user, VIEW_CAPABILITY):
            return True
        if request.user.is_authenticated and getattr(view, "action", None) == "retrieve":
            raise exceptions.NotFound
        return False


class ExactSearchLogMixin:
    """Write a "searched by exact number" access-log entry (never the number itself) for such list requests."""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        searched = []
        if request.query_params.get("id_number", "").strip():
            searched.append("id_number")
        if is_exact_number_search(request.query_params.get("q", "")):
            searched.append("q")
        if searched and response.status_code == 200:
            page = getattr(self.paginator, "page", None)
            found = list(page.object_list) if page is not None else []
            access_log_record(
                request=request,
                action=AccessAction.SEARCH,
                obj=found[0] if len(found) == 1 else None,
                fields=searched,
            )
        return response


# --- households --------------------------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Village code."))
    grid = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("Grid code, or null.")
    )
    members = serializers.IntegerField(
        source="member_count", read_only=True, help_text=_("Number of residents in the household.")
    )

    class Meta:
        model = Household
        fields = ["id", "address", "village", "grid", "members"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("List households"),
        description=_(
            "The households in the caller's scope, with their member count. Needs the registry view "
            "permission (403 otherwise)."
        ),
        responses={200: HouseholdSerializer(many=True), 403: OpenApiResponse(description=_("No registry access."))},
    ),
    retrieve=extend_schema(
        summary=_("One household"),
        description=_(
            "404 when the household does not exist, is outside the caller's scope, or the caller lacks access."
        ),
        responses={200: HouseholdSerializer, 404: OpenApiResponse(description=_("Not found."))},
    ),
)
class HouseholdViewSet(ExactSearchLogMixin, viewsets.ReadOnlyModelViewSet):
    """Households in the caller's scope; filter by ``village`` and ``grid`` (unit codes), ``visited`` (door-knocking:
    true or false) or search with ``q``."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    permission_classes = [permissions.IsAuthenticated, CanViewResidents]

    def get_queryset(self):
        households = (
            Household.objects.for_user(self.request.user)
            .select_related("village", "grid")
            .defer("contact_phone")  # not shown: no need to decrypt it
            # A correlated count for the page's rows only (a join and GROUP BY would count the whole scope, and
            # the paginator's count would carry it too).
            .annotate(member_count=count_of(Resident.objects.all(), "household"))
        )
        if self.action != "list":
            return households
        return households_in_code_order(households, user=self.request.user)  # by village code, address, id

    def list_count(self, request) -> int | None:
        """``count`` without counting the scope's households: the coverage counters know it unless searched."""
        return list_count("household", user=request.user, params=request.query_params)


# --- residents ---------------------------------------------------------------------------------------


class IdNumberFormField(forms.CharField):
    """Normalises an ID number with the shared validator, so a bad one gets the same message everywhere."""

    def clean(self, value):
        value = super().clean(value)
        return normalize_id_number(value) if value else value


class IdNumberFilter(django_filters.Filter):
    field_class = IdNumberFormField


class ResidentAPIFilter(ResidentFilter):
    id_number = IdNumberFilter(method="filter_id_number", label=_("Exact ID number"))

    class Meta(ResidentFilter.Meta):
        fields = [*ResidentFilter.Meta.fields, "id_number"]

    def filter_id_number(self, queryset, name, value):
        return queryset.by_id_number(value) if value else queryset


class ResidentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text=_("Masked ID number, such as 440682********1234.")
    )
    phone = serializers.CharField(
        source="masked_phone", read_only=True, help_text=_("Masked phone number, such as 138****5678; may be empty.")
    )
    household = serializers.IntegerField(
        source="household_id", read_only=True, allow_null=True, help_text=_("Household id, or null.")
    )
    village = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Village code."))

    class Meta:
        model = Resident
        fields = ["id", "name", "id_number", "phone", "household", "village"]
        read_only_fields = fields


ID_NUMBER_PARAMETER = OpenApiParameter(
    "id_number",
    # Only a blank value (no filter) is answered: a full number is refused (400), and so is anything else.
    {"type": "string", "pattern": r"^\s*$"},
    OpenApiParameter.QUERY,
    deprecated=True,
    description=_(
        "Do not use: a full ID or mobile number in a URL (this parameter, q or any other) answers 400, because "
        "servers and proxies log URLs. Look a number up with POST /api/v1/residents/lookup/ instead. An invalid "
        'number here answers 400 with the reason under "id_number".'
    ),
)


class ResidentLookupSerializer(serializers.Serializer):
    """Exactly one of ``id_number`` and ``phone``, checked by the shared validators."""

    id_number = serializers.CharField(
        required=False,
        help_text=_("An 18-character ID number (a lower-case x and full-width digits are accepted)."),
    )
    phone = serializers.CharField(
        required=False, help_text=_("A mobile number (+86, spaces and dashes are accepted) or a landline.")
    )

    def validate_id_number(self, value):
        return normalize_id_number(value)

    def validate_phone(self, value):
        return normalize_phone(value)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(_("Send exactly one of id_number and phone."))
        return attrs


class ResidentLookupResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Number of matches in the caller's scope."))
    results = ResidentSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary=_("List or find residents"),
        description=_(
            "The residents in the caller's scope, with masked ID and phone numbers. To find a person by exact ID "
            "or mobile number use POST /api/v1/residents/lookup/: a full number in the query string answers 400. "
            "Needs the registry view permission (403 otherwise)."
        ),
        parameters=[ID_NUMBER_PARAMETER],
        responses={
            200: ResidentSerializer(many=True),
            400: OpenApiResponse(
                description=_(
                    "A full ID or mobile number in the query string (use the lookup endpoint), or an invalid "
                    "filter value."
                )
            ),
            403: OpenApiResponse(description=_("No registry access.")),
        },
    ),
    retrieve=extend_schema(
        summary=_("One resident"),
        description=_(
            "404 when the resident does not exist, is outside the caller's scope, or the caller lacks access."
        ),
        responses={200: ResidentSerializer, 404: OpenApiResponse(description=_("Not found."))},
    ),
    lookup=extend_schema(
        summary=_("Find residents by exact ID or phone number"),
        description=_(
            "Send the number in the body, never in the URL: exactly one of id_number and phone. Answers the "
            "matching residents in the caller's scope, masked (an empty list when there is none, or none in "
            "scope). Matched through a keyed hash; every lookup is written to the access log (which kind of "
            "number, never the number). Needs the registry view permission (403 otherwise)."
        ),
        request=ResidentLookupSerializer,
        responses={
            200: ResidentLookupResultSerializer,
            400: OpenApiResponse(description=_("An invalid number, or not exactly one of id_number and phone.")),
            403: OpenApiResponse(description=_("No registry access.")),
        },
    ),
)
class ResidentViewSet(ExactSearchLogMixin, viewsets.ReadOnlyModelViewSet):
    """Residents in the caller's scope; ``id_number`` for an exact lookup, or ``village``, ``grid``, ``q``."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentAPIFilter
    permission_classes = [permissions.IsAuthenticated, CanViewResidents]

    def get_queryset(self):
        return (
            Resident.objects.for_user(self.request.user)
            .select_related("village")
            .order_by("village__code", "name", "pk")
        )

    def retrieve(self, request, *args, **kwargs):
        resident = self.get_object()
        # Only masked values are shown, but every view of a person's record is logged.
        access_log_record(request=request, action=AccessAction.VIEW, obj=resident)
        return Response(self.get_serializer(resident).data)

    @action(detail=False, methods=["post"], url_path="lookup", filter_backends=[], pagination_class=None)
    def lookup(self, request):
        """Exact-number lookup with the number in the POST body; logged like the page search."""
        lookup = ResidentLookupSerializer(data=request.data)
        lookup.is_valid(raise_exception=True)
        (kind, number), *_rest = lookup.validated_data.items()
        queryset = self.get_queryset()
        found = list(queryset.by_id_number(number) if kind == "id_number" else queryset.by_phone(number))
        access_log_record(
            request=request, action=AccessAction.SEARCH, obj=found[0] if len(found) == 1 else None, fields=[kind]
        )
        return Response({"count": len(found), "results": ResidentSerializer(found, many=True).data})
