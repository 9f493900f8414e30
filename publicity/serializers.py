"""Read-only representations of publicity activities and work-plan tasks (codes as plain strings, with labels)."""

from django.utils import timezone
from rest_framework import serializers

from .models import Activity, ActivityLink, WorkTask


class ActivityLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityLink
        fields = ["url", "title"]


class ActivitySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    category = serializers.CharField(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    channel = serializers.CharField(read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    legal_place = serializers.CharField(read_only=True)
    links = ActivityLinkSerializer(many=True, read_only=True)
    evidence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "unit",
            "unit_name",
            "category",
            "category_label",
            "title",
            "held_on",
            "place",
            "audience_size",
            "channel",
            "channel_label",
            "legal_place",
            "description",
            "links",
            "evidence_count",
        ]


class WorkTaskSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    unit = serializers.CharField(source="plan.unit.code", read_only=True)
    unit_name = serializers.CharField(source="plan.unit.name", read_only=True)
    responsible = serializers.CharField(source="responsible_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WorkTask
        fields = [
            "id",
            "plan",
            "plan_title",
            "unit",
            "unit_name",
            "title",
            "responsible",
            "due_on",
            "status",
            "status_label",
            "completed_on",
            "overdue",
        ]

    def get_overdue(self, task) -> bool:
        return task.is_overdue(timezone.localdate())
