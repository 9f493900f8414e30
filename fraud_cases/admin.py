from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FraudCase, TypicalCase


@admin.register(FraudCase)
class FraudCaseAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "reported_at", "village", "fraud_type", "loss_amount", "source", "warning"]
    list_filter = ["source", "fraud_type", "village"]
    search_fields = ["case_number"]
    raw_id_fields = ["victim", "warning", "registered_by"]
    list_select_related = ["village", "warning"]
    date_hierarchy = "reported_at"


@admin.register(TypicalCase)
class TypicalCaseAdmin(SimpleHistoryAdmin):
    """Read and correct; the status changes on the library's pages (audited), not here."""

    list_display = ["title", "fraud_type", "status", "published_on", "unit", "author"]
    list_filter = ["status", "fraud_type"]
    search_fields = ["title"]
    raw_id_fields = ["source_case", "author"]
    readonly_fields = ["status", "published_on"]
    list_select_related = ["unit", "author"]
