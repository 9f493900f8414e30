"""Door visits in the API (the offline mode will sync through it).

``POST /api/v1/door-visits/`` records a visit: 201 with the visit; posting the same ``client_id``
again answers 200 with the first visit and creates nothing; a household outside the caller's scope
answers 404, exactly like one that does not exist. ``GET /api/v1/door-visits/`` and ``/{id}/`` read
the visits in the caller's scope (filters: ``village``, ``grid``, ``household``, ``someone_home``,
``date_from``, ``date_to``).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import refuse_unsupported_method
from core.api_schema import ID_SCHEMA
from organization.access import can
from organization.selectors import village_team
from residents.models import Household

from . import selectors, services
from .filters import DoorVisitFilter
from .serializers import DoorVisitSerializer


class DoorVisitPermission(permissions.BasePermission):
    """Recording needs ``campaigns.visit`` (403). Reading needs ``campaigns.view``: a list answers 403 without
    it, a detail 404 ("no access" looks like "not found")."""

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        user = request.user
        if view.action == "create":
            self.message = _("Only the village's team and the police may record door visits.")
            return can(user, "campaigns.visit")
        if can(user, "campaigns.view"):
            return True
        if view.action == "list":
            self.message = _("You do not have permission to see door visits.")
            return False
        raise exceptions.NotFound


@extend_schema_view(
    list=extend_schema(
        summary=_("List door visits"),
        description=_("The door visits in the caller's scope, newest first."),
        parameters=[OpenApiParameter("household", ID_SCHEMA, OpenApiParameter.QUERY, description=_("Household id."))],
        responses={200: DoorVisitSerializer(many=True), 403: OpenApiResponse(description=_("No access."))},
    ),
    retrieve=extend_schema(
        summary=_("One door visit"),
        description=_("404 when the visit does not exist or is outside the caller's scope."),
        responses={200: DoorVisitSerializer, 404: OpenApiResponse(description=_("Not found."))},
    ),
    create=extend_schema(
        summary=_("Record a door visit"),
        description=_(
            "A grid worker records a visit of a household. 201 with the visit; posting the same client_id again "
            "answers 200 with the first visit and creates nothing. A household outside the caller's scope "
            "answers 404. A visit with nobody at home is recorded too; the household stays to visit."
        ),
        request=DoorVisitSerializer,
        responses={
            201: DoorVisitSerializer,
            200: DoorVisitSerializer,
            400: OpenApiResponse(description=_("Invalid input; the reasons per field.")),
            403: OpenApiResponse(description=_("The caller may not record door visits.")),
            404: OpenApiResponse(description=_("The household does not exist or is outside the caller's scope.")),
        },
    ),
)
class DoorVisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DoorVisitSerializer
    filterset_class = DoorVisitFilter
    permission_classes = [permissions.IsAuthenticated, DoorVisitPermission]

    def get_queryset(self):
        return selectors.visits_for_user(user=self.request.user)

    def check_permissions(self, request):
        selectors.load_caller(request.user)
        super().check_permissions(request)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household_id = data.pop("household_id")
        usernames = data.pop("visitors", [])
        visitors = []
        if usernames:
            household = get_object_or_404(
                Household.objects.for_user(request.user).select_related("village"), pk=household_id
            )
            # Only the village's team (and the caller) can have gone: anyone else, existing or not, gets the same
            # answer, so the API does not tell which usernames exist in the town.
            team = village_team(village=household.village).values("pk")
            visitors = list(
                get_user_model().objects.filter(Q(pk__in=team) | Q(pk=request.user.pk), username__in=usernames)
            )
            missing = sorted(set(usernames) - {user.username for user in visitors})
            if missing:
                raise exceptions.ValidationError(
                    {"visitors": [_("Not on this village's team: %(names)s.") % {"names": "、".join(missing)}]}
                )
        try:
            # The service reads the household again, locked, and checks the caller's scope on it.
            result = services.door_visit_record(
                actor=request.user,
                household=Household(pk=household_id),
                client_id=data["client_id"],
                visited_at=data["visited_at"],
                someone_home=data["someone_home"],
                materials=data.get("materials", []),
                fraud_types=data.get("fraud_types_explained", []),
                app_installed=data.get("app_installed", False),
                notes=data.get("notes", ""),
                visitors=visitors,
            )
        except (DjangoPermissionDenied, Household.DoesNotExist) as exc:
            raise exceptions.NotFound from exc
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise exceptions.ValidationError(detail) from exc
        if result.created:  # answered from what was saved: its visitors and recorder are at hand
            return Response(self.get_serializer(result.visit).data, status=status.HTTP_201_CREATED)
        visit = self.get_queryset().get(pk=result.visit.pk)
        return Response(self.get_serializer(visit).data, status=status.HTTP_200_OK)
