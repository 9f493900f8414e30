from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccountabilityItem,
    Callback,
    CallbackDraw,
    CallbackSettings,
    ChecklistItem,
    CountyReport,
    IndicatorWeights,
    Inspection,
    Nomination,
    RectificationReport,
    SummonsRule,
    UnitDocument,
    YearTarget,
)


@admin.register(IndicatorWeights)
class IndicatorWeightsAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active", *IndicatorWeights.INDICATORS, "green_from", "amber_from", "updated_at"]
    list_editable = ["is_active"]


@admin.register(SummonsRule)
class SummonsRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "consecutive_months",
        "rate_factor",
        "min_coverage_rate",
        "min_inspection_score",
    ]
    list_editable = ["is_active"]


@admin.register(CallbackSettings)
class CallbackSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "per_village", "share", "updated_at"]
    filter_horizontal = ["callers"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "unit_kind", "points", "order", "is_active"]
    list_filter = ["unit_kind", "is_active"]
    list_editable = ["points", "order", "is_active"]


@admin.register(CallbackDraw)
class CallbackDrawAdmin(admin.ModelAdmin):
    list_display = ["month", "seed", "per_village", "share", "population", "trigger", "drawn_at", "drawn_by"]
    readonly_fields = ["month", "seed", "per_village", "share", "population", "trigger", "drawn_at", "drawn_by"]


@admin.register(Callback)
class CallbackAdmin(SimpleHistoryAdmin):
    list_display = ["draw", "case", "village", "assigned_to", "status", "reached", "educated"]
    list_filter = ["status", "draw"]
    raw_id_fields = ["case"]
    readonly_fields = [
        "draw",
        "case",
        "village",
        "status",
        "reached",
        "educated",
        "channels",
        "called_at",
        "recorded_by",
    ]


@admin.register(AccountabilityItem)
class AccountabilityItemAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "kind", "source", "status", "held_on", "rectification_deadline", "created_at"]
    list_filter = ["status", "kind", "source", "rectification_status"]
    readonly_fields = [
        "status",
        "rectification_status",
        "callback",
        "case",
        "warning",
        "closed_at",
        "closed_by",
        "created_by",
    ]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "inspected_on", "score", "rectification_deadline", "rectified_at"]
    list_filter = ["unit__kind"]


@admin.register(RectificationReport)
class RectificationReportAdmin(admin.ModelAdmin):
    """整改报告: read here; submitted, accepted and returned only through the pages (the services)."""

    list_display = ["item", "submitted_at", "submitted_by", "decision", "decided_at", "decided_by"]
    list_filter = ["decision"]
    readonly_fields = [
        "item",
        "text",
        "submitted_at",
        "submitted_by",
        "decision",
        "decision_note",
        "decided_at",
        "decided_by",
    ]


@admin.register(YearTarget)
class YearTargetAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "cases_change", "loss_change", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]


@admin.register(CountyReport)
class CountyReportAdmin(admin.ModelAdmin):
    """Read only: a report changes state only through ``report_services`` (the file is kept as sent)."""

    list_display = ["unit", "period_key", "status", "submitted_by", "submitted_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnitDocument)
class UnitDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "kind", "period_key", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    """先进集体和个人: read here; proposed and decided only through the pages (the services, with their audit)."""

    list_display = ["year", "kind", "category", "unit", "person", "status", "decided_at", "decided_by"]
    list_filter = ["year", "kind", "category", "status"]
    readonly_fields = [
        "year",
        "kind",
        "category",
        "unit",
        "person",
        "figures",
        "reason",
        "status",
        "proposed_at",
        "proposed_by",
        "decided_at",
        "decided_by",
        "decision_note",
    ]

    def has_add_permission(self, request):
        return False
