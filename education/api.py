"""The education API (token auth, scoped):

- ``GET /api/v1/education/compliance/``: compliance of each school the caller may see this semester
  (``education.view``; a school's staff see their school, the supervising school's staff the town's schools,
  leadership every school);
- ``POST /api/v1/education/broadcasts/``: "broadcast done today" (or ``day``, a past school day) for the
  caller's school (or ``school``, which must be in scope: 404 otherwise; a school the caller only
  supervises: 403); 201 when logged now, 200 when it
  already was; 403 for a role that may not log, 400 for a day that is not a school day.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from organization.access import can

from . import selectors, services


class RequirementSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    required = serializers.IntegerField()
    expected_by_now = serializers.IntegerField()
    behind = serializers.BooleanField()
    applies = serializers.BooleanField(
        help_text="False where the semester does not name the school (micro-classes): not required, never behind."
    )


class BroadcastComplianceSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    logged = serializers.IntegerField()
    school_days = serializers.IntegerField(help_text="School days so far (before today, and today once logged).")
    missed = serializers.IntegerField()
    logged_today = serializers.BooleanField()


class ClassCoverageSerializer(serializers.Serializer):
    grade = serializers.CharField()
    class_name = serializers.CharField()
    students = serializers.IntegerField()
    notices = serializers.IntegerField()
    collected = serializers.IntegerField()
    missing = serializers.IntegerField()
    percent = serializers.FloatField()
    at_risk = serializers.BooleanField()


class SchoolComplianceSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school.pk")
    school_code = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")
    semester = serializers.CharField(source="semester.name", allow_null=True, default=None)
    elapsed_school_days = serializers.IntegerField()
    total_school_days = serializers.IntegerField()
    staff_sessions = RequirementSerializer(allow_null=True)
    micro_classes = RequirementSerializer(allow_null=True)
    broadcast = BroadcastComplianceSerializer(allow_null=True)
    slips_collected = serializers.IntegerField()
    slips_expected = serializers.IntegerField()
    slip_percent = serializers.FloatField(allow_null=True)
    classes = ClassCoverageSerializer(many=True)
    applications = serializers.DictField(child=serializers.IntegerField(), help_text="Card applications by state.")
    warnings = serializers.ListField(child=serializers.CharField())
    at_risk = serializers.BooleanField()


class BroadcastLogSerializer(serializers.Serializer):
    school = serializers.IntegerField(required=False, help_text="Default: the caller's school.")
    day = serializers.DateField(required=False, help_text="Default: today (Asia/Shanghai).")


class BroadcastDaySerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    day = serializers.DateField()
    created = serializers.BooleanField()


def _require_view(user):
    if not can(user, "education.view"):
        raise exceptions.NotFound


class ComplianceView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={
            200: SchoolComplianceSerializer(many=True),
            404: OpenApiResponse(description=_("The caller's role does not see the schools' education records.")),
        },
        operation_id="education_compliance_list",
    )
    def get(self, request):
        _require_view(request.user)
        rows = selectors.compliance_for_schools(selectors.schools_for_user(request.user), today=timezone.localdate())
        return Response(SchoolComplianceSerializer(rows, many=True).data)


class BroadcastLogView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=BroadcastLogSerializer,
        responses={
            200: BroadcastDaySerializer,
            201: BroadcastDaySerializer,
            400: OpenApiResponse(description=_("Invalid input, or the day is not a school day.")),
            403: OpenApiResponse(description=_("The caller may not log broadcasts of this school.")),
            404: OpenApiResponse(
                description=_("No such school in the caller's scope, or the caller's role does not see schools.")
            ),
        },
        operation_id="education_broadcast_log",
    )
    def post(self, request):
        _require_view(request.user)
        data = BroadcastLogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schools = selectors.schools_for_user(request.user)
        if "school" in data.validated_data:
            school = schools.filter(pk=data.validated_data["school"]).first()
        else:
            school = services.school_of(request.user)
            school = school if school is not None and schools.filter(pk=school.pk).exists() else None
        if school is None:
            raise exceptions.NotFound
        # A refusal (not the school's staff: 403; not a school day, no semester, a future day: 400 on ``day``)
        # answers through the API's exception handler.
        result = services.broadcast_log(actor=request.user, school=school, day=data.validated_data.get("day"))
        body = {"school_id": school.pk, "day": result.record.day, "created": result.created}
        return Response(
            BroadcastDaySerializer(body).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
