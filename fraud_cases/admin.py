from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FraudCase


@admin.register(FraudCase)
class FraudCaseAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "reported_at", "village", "fraud_type", "loss_amount", "source", "warning"]
    list_filter = ["source", "fraud_type", "village"]
    search_fields = ["case_number"]
    raw_id_fields = ["victim", "warning", "registered_by"]
    list_select_related = ["village", "warning"]
    date_hierarchy = "reported_at"
