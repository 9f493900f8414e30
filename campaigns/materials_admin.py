"""Admin for the printed materials and the police contact numbers (the town edits the wording here)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PoliceContact, PrintMaterial


@admin.register(PrintMaterial)
class PrintMaterialAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "updated_at"]
    fields = ["kind", "title", "body", "closing", "updated_at"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The kind of an existing material is fixed: the print pages look it up by kind.
        return [*self.readonly_fields, "kind"] if obj is not None else self.readonly_fields


@admin.register(PoliceContact)
class PoliceContactAdmin(SimpleHistoryAdmin):
    list_display = ["label", "phone", "order"]
    list_editable = ["phone", "order"]
    search_fields = ["label", "phone"]
