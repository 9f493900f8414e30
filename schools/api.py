"""The schools API: students (masked) and the card-opening applications (两卡).

``GET /api/v1/students/``; ``POST /api/v1/card-applications/`` files an application (201; 200 with the
first one when the same ``client_id`` is posted again); ``GET /api/v1/card-applications/{id}/`` with
``status`` and ``verify_url``; ``POST .../transition/`` moves it along. Refusals are answered in one
place: wrong side 403, wrong state 409, bad input 400, outside the caller's scope 404.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from audit.models import AccessAction
from audit.services import access_log_record
from core.api import refuse_unsupported_method
from organization.access import can

from . import selectors, services
from .filters import CardApplicationFilter, StudentFilter
from .serializers import (
    CardApplicationCreateSerializer,
    CardApplicationSerializer,
    CardApplicationTransitionSerializer,
    SchoolsErrorSerializer,
    StudentSerializer,
)


class StudentsPermission(permissions.BasePermission):
    """Minors' data: ``schools.view_students`` (school staff, police). A list answers 403 without it,
    anything about one record 404. Filing needs ``schools.apply`` (403)."""

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        if view.action == "create":
            self.message = _("Only school staff may file card applications.")
            return can(request.user, "schools.apply")
        if can(request.user, "schools.view_students"):
            return True
        if view.action == "list":
            self.message = _("You do not have permission to see students.")
            return False
        raise exceptions.NotFound


NOT_FOUND = OpenApiResponse(SchoolsErrorSerializer, description=_("Not in the caller's scope."))


@extend_schema_view(
    list=extend_schema(
        summary=_("List students"),
        description=_("The students in the caller's scope (their school's staff, the police). ID numbers are masked."),
        responses={200: StudentSerializer(many=True), 403: OpenApiResponse(SchoolsErrorSerializer)},
    ),
    retrieve=extend_schema(summary=_("One student"), responses={200: StudentSerializer, 404: NOT_FOUND}),
)
class StudentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = StudentSerializer
    filterset_class = StudentFilter
    permission_classes = [permissions.IsAuthenticated, StudentsPermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.students_for_user(user=self.request.user).order_by(
            "school__code", "grade_key", "class_key", "pk"
        )

    def retrieve(self, request, *args, **kwargs):
        student = self.get_object()
        access_log_record(request=request, action=AccessAction.VIEW, obj=student)
        return Response(self.get_serializer(student).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("List card applications"),
        responses={200: CardApplicationSerializer(many=True), 403: OpenApiResponse(SchoolsErrorSerializer)},
    ),
    retrieve=extend_schema(
        summary=_("One card application"),
        description=_("With its status and the URL of its public verification page."),
        responses={200: CardApplicationSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("File a card application"),
        description=_(
            "The student's school staff file an application for a further bank or SIM card, with the guardian's "
            "consent. 201 with the application; the same client_id again answers 200 with the first one."
        ),
        request=CardApplicationCreateSerializer,
        responses={
            201: CardApplicationSerializer,
            200: CardApplicationSerializer,
            400: OpenApiResponse(description=_("Invalid input: a list of messages per field.")),
            403: OpenApiResponse(SchoolsErrorSerializer, description=_("Not the student's school staff.")),
        },
    ),
)
class CardApplicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CardApplicationSerializer
    filterset_class = CardApplicationFilter
    permission_classes = [permissions.IsAuthenticated, StudentsPermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.applications_for_user(user=self.request.user).order_by("-created_at", "-pk")

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        access_log_record(
            request=request, action=AccessAction.VIEW, obj=application.student, object_repr=str(application)
        )
        return Response(self.get_serializer(application).data)

    def create(self, request, *args, **kwargs):
        serializer = CardApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        student = selectors.students_for_user(user=request.user).filter(pk=data.pop("student")).first()
        if student is None:
            raise exceptions.ValidationError({"student": [_("Unknown student.")]})
        result = services.card_application_file(actor=request.user, student=student, **data)
        answer = self.get_serializer(self.get_queryset().get(pk=result.application.pk))
        return Response(answer.data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(
        summary=_("Move a card application along"),
        description=_(
            "The chain, in this order only: school_approve or school_reject (the school's staff), assign_escort "
            "(escort: the username of a staff member of the school; appointment_at), police_clear or police_refuse "
            "(the police), record_opened (last4, opened_on; the school's staff). 403 for the wrong side, 409 out of "
            "order, 404 outside the caller's scope; nothing changes then."
        ),
        request=CardApplicationTransitionSerializer,
        responses={
            200: CardApplicationSerializer,
            400: OpenApiResponse(description=_("Invalid input: a list of messages per field.")),
            403: OpenApiResponse(SchoolsErrorSerializer, description=_("The caller's side may not do this step.")),
            404: NOT_FOUND,
            409: OpenApiResponse(SchoolsErrorSerializer, description=_("The current state does not allow this.")),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        application = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = CardApplicationTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data["action"]
        services.TRANSITION_SERVICES[name](
            application=application, actor=request.user, **serializer.service_arguments()
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)
