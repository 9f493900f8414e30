"""Read-only API of the publicity work: ``GET /api/v1/publicity-activities/`` (the list page's filters)
and ``GET /api/v1/work-tasks/`` (``?overdue=true``), scoped like the pages. Without the capability a
list answers 403 and one record 404; a record outside the caller's scope answers 404."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, viewsets

from core.api import refuse_unsupported_method
from organization.access import can

from . import selectors
from .filters import ActivityFilter
from .models import ActivityLink, WorkTask
from .serializers import ActivitySerializer, WorkTaskSerializer


def capability_permission(capability: str, message: str):
    class CapabilityPermission(permissions.BasePermission):
        def has_permission(self, request, view):
            refuse_unsupported_method(request, view)
            if can(request.user, capability):
                return True
            if view.action == "list":
                self.message = message
                return False
            raise exceptions.NotFound

    return CapabilityPermission


@extend_schema_view(
    list=extend_schema(summary=_("List publicity activities"), description=_("Within the caller's scope.")),
    retrieve=extend_schema(summary=_("One publicity activity")),
)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    permission_classes = [
        permissions.IsAuthenticated,
        capability_permission("publicity.view", _("You do not have permission to see publicity work.")),
    ]

    def get_queryset(self):
        return selectors.activities_for_user(user=self.request.user).prefetch_related(
            Prefetch("links", queryset=ActivityLink.objects.order_by("pk"))
        )


class WorkTaskFilter(filters.FilterSet):
    unit = filters.CharFilter(field_name="plan__unit__code", label=_("Unit code"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Open and past the deadline (true or false)"))

    class Meta:
        model = WorkTask
        fields = ["unit", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = WorkTask.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


@extend_schema_view(
    list=extend_schema(summary=_("List work-plan tasks"), description=_("Within the caller's scope.")),
    retrieve=extend_schema(summary=_("One work-plan task")),
)
class WorkTaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkTaskSerializer
    filterset_class = WorkTaskFilter
    permission_classes = [
        permissions.IsAuthenticated,
        capability_permission("publicity.view_workplans", _("You do not have permission to see work plans.")),
    ]

    def get_queryset(self):
        return (
            WorkTask.objects.for_user(self.request.user)
            .select_related("plan__unit", "responsible")
            .order_by("due_on", "pk")
        )
