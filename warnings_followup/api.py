"""The police platform's API for warnings (预警劝阻).

``POST /api/v1/warnings/`` pushes a warning (201; 200 with the same warning when the instruction
number was pushed before). ``GET /api/v1/warnings/`` and ``/api/v1/warnings/{id}/`` read them,
scoped to the caller; ``POST .../visits/`` records a follow-up visit (idempotent by ``client_id``)
and ``POST .../transition/`` moves the case along. ``GET /api/v1/fraud-types/`` lists the codes.

Every write goes through ``services.py``; the API's exception handler (``core.api.exception_handler``)
turns its refusals into answers: wrong role 403, wrong state 409, bad input 400. A warning outside the
caller's scope answers 404, exactly like one that does not exist.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from audit.models import AccessAction
from audit.services import access_log_record
from core.api import refuse_unsupported_method
from organization.access import can

from . import selectors, services
from .models import FollowUpVisit, WarningOrder, WarningStatus
from .serializers import (
    TRANSITION_SERIALIZERS,
    FraudTypeSerializer,
    TransitionActionSerializer,
    WarningErrorSerializer,
    WarningPushSerializer,
    WarningSerializer,
    WarningVisitSerializer,
    fraud_types,
)

TRANSITION_SERVICES = {
    "acknowledge": services.warning_acknowledge,
    "first_dissuasion": services.warning_record_first_dissuasion,
    "confirm_dissuaded": services.warning_confirm_dissuaded,
    "confirm_release": services.warning_confirm_release,
    "report_defrauded": services.warning_report_defrauded,
    "close": services.warning_close,
}


class WarningPermission(permissions.BasePermission):
    """Pushing needs ``warnings.push`` (403). Reading needs ``warnings.view``: a list answers 403 without
    it, anything about one warning 404 ("no access" looks like "not found")."""

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        user = request.user
        if view.action == "create":
            self.message = _("Only police staff may push warnings.")
            return can(user, "warnings.push")
        if can(user, "warnings.view"):
            return True
        if view.action == "list":
            self.message = _("You do not have permission to see warnings.")
            return False
        raise exceptions.NotFound


class WarningFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=WarningStatus.choices)
    village = filters.CharFilter(field_name="village__code", label=_("Village code"))
    overdue = filters.BooleanFilter(
        method="filter_overdue", label=_("Open, with the next in-person visit overdue today (true or false)")
    )

    class Meta:
        model = WarningOrder
        fields = ["status", "village", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = WarningOrder.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


NOT_FOUND = OpenApiResponse(WarningErrorSerializer, description=_("No such warning in the caller's scope."))
BAD_INPUT = OpenApiResponse(description=_("Invalid input: a list of messages per field."))
TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="WarningTransition",
    serializers=TRANSITION_SERIALIZERS,
    resource_type_field_name="action",
)


@extend_schema_view(
    list=extend_schema(
        summary=_("List warnings"),
        description=_(
            "The warnings in the caller's scope, newest push first. Needs access to warnings (403 otherwise)."
        ),
        responses={200: WarningSerializer(many=True), 403: OpenApiResponse(WarningErrorSerializer)},
    ),
    retrieve=extend_schema(
        summary=_("One warning"),
        description=_("The case with its visits and accounts. Numbers are masked."),
        responses={200: WarningSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Push a warning"),
        description=_(
            "Police push a warning (预警指令). 201 with the new warning; posting the same external_id again "
            "answers 200 with the existing warning and creates nothing. The person is linked to the resident "
            "registry by ID number."
        ),
        request=WarningPushSerializer,
        responses={
            201: WarningSerializer,
            200: WarningSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(WarningErrorSerializer, description=_("Not police staff.")),
        },
    ),
)
class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Warnings in the caller's scope; filter by ``status``, ``village`` (code) and ``overdue``."""

    serializer_class = WarningSerializer
    filterset_class = WarningFilter
    permission_classes = [permissions.IsAuthenticated, WarningPermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            WarningOrder.objects.for_user(self.request.user)
            .select_related("village", "person", "first_dissuasion_by")
            .prefetch_related(
                Prefetch(
                    "visits",
                    queryset=FollowUpVisit.objects.prefetch_related(
                        Prefetch("visitors", queryset=get_user_model().objects.only("id", "username"))
                    ),
                ),
                "stop_payment_accounts",
            )
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _warning_for_write(self, pk) -> WarningOrder:
        """The warning to act on; 404 outside the caller's scope. The service locks it again."""
        return get_object_or_404(WarningOrder.objects.for_user(self.request.user).select_related("village"), pk=pk)

    def _answer(self, warning_id: int, status_code=status.HTTP_200_OK) -> Response:
        warning = self.get_queryset().get(pk=warning_id)
        return Response(self.get_serializer(warning).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        warning = self.get_object()
        access_log_record(request=request, action=AccessAction.VIEW, obj=warning)
        return Response(self.get_serializer(warning).data)

    def create(self, request, *args, **kwargs):
        serializer = WarningPushSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = services.warning_push(actor=request.user, **serializer.validated_data)
        if not self.get_queryset().filter(pk=result.warning.pk).exists():
            # The instruction number belongs to a warning outside the caller's scope: never show it.
            raise exceptions.ValidationError({"external_id": [_("This instruction number is already in use.")]})
        return self._answer(result.warning.pk, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @staticmethod
    def _companions(warning, usernames, actor) -> list:
        """The village team members named in ``visitors``; anyone else is a 400 naming them."""
        wanted = set(usernames) - {actor.username}
        found = list(selectors.village_team_members(warning=warning).filter(username__in=wanted))
        strangers = sorted(wanted - {user.username for user in found})
        if strangers:
            raise exceptions.ValidationError(
                {"visitors": [_("Not on this village's team: %(names)s.") % {"names": "、".join(strangers)}]}
            )
        return found

    @extend_schema(
        summary=_("Record a follow-up visit"),
        description=_(
            "The village team (or police) record a visit. 201 with the visit; posting the same client_id again "
            "answers 200 with the first visit and creates nothing. Only in-person visits reset the visit clock; "
            "visits go on after dissuasion is confirmed, until the window ends."
        ),
        request=WarningVisitSerializer,
        responses={
            201: WarningVisitSerializer,
            200: WarningVisitSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(WarningErrorSerializer, description=_("Not the village's team or police.")),
            404: NOT_FOUND,
            409: OpenApiResponse(WarningErrorSerializer, description=_("The case is no longer being followed up.")),
        },
    )
    @action(detail=True, methods=["post"], url_path="visits", url_name="visits")
    def record_visit(self, request, pk=None, format=None):
        warning = self._warning_for_write(pk)
        serializer = WarningVisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["visitors"] = [request.user, *self._companions(warning, data.pop("visitors", []), request.user)]
        result = services.warning_record_visit(warning=warning, actor=request.user, **data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(WarningVisitSerializer(result.visit).data, status=code)

    @extend_schema(
        summary=_("Move a warning along"),
        description=_(
            "Actions: acknowledge (village team), first_dissuasion (police; method, result, optional at; whether or "
            "not the team has visited; 409 once the police's first dissuasion is recorded), confirm_dissuaded "
            "(the village's dissuasion team or head, after an in-person visit by the team; the visits go on until "
            "the window ends), confirm_release (police; releases every account still under stop-payment), "
            "report_defrauded (police or team; loss_amount and defrauded_on), close (police; before the window "
            "ends only with close_reason). 200 with the warning; 403 when the caller's role may not, 409 when the "
            "current state does not allow it; nothing changes then."
        ),
        request=TRANSITION_REQUEST,
        responses={
            200: WarningSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(WarningErrorSerializer, description=_("The caller's role may not do this.")),
            404: NOT_FOUND,
            409: OpenApiResponse(WarningErrorSerializer, description=_("The current state does not allow this.")),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None, format=None):
        warning = self._warning_for_write(pk)
        chosen = TransitionActionSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        name = chosen.validated_data["action"]
        serializer = TRANSITION_SERIALIZERS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {key: value for key, value in serializer.validated_data.items() if key != "action"}
        TRANSITION_SERVICES[name](warning=warning, actor=request.user, **fields)
        return self._answer(warning.pk)


class FraudTypeViewSet(viewsets.ViewSet):
    """The fraud types: the codes used in warnings, with the plan's Chinese names."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("List fraud types"),
        description=_("The codes accepted in fraud_type, with their Chinese names (whatever the request language)."),
        responses={200: FraudTypeSerializer(many=True)},
    )
    def list(self, request, format=None):
        return Response(FraudTypeSerializer(fraud_types(), many=True).data)
