from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CardApplication, SchoolProfile, Student, StudentCard


@admin.register(Student)
class StudentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "school", "grade", "class_name", "masked_id_number", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name"]
    exclude = ["id_number", "guardian_phone"]
    readonly_fields = ["masked_id_number", "masked_guardian_phone"]


@admin.register(StudentCard)
class StudentCardAdmin(SimpleHistoryAdmin):
    list_display = ["student", "card_type", "issuer", "last4", "opened_on", "is_active"]
    list_filter = ["card_type", "is_active"]
    raw_id_fields = ["student", "application"]


@admin.register(CardApplication)
class CardApplicationAdmin(SimpleHistoryAdmin):
    """Read-only: the chain moves through the pages and the API (services), never by editing the status."""

    list_display = ["number", "student", "card_type", "issuer", "status", "created_at"]
    list_filter = ["status", "card_type"]
    readonly_fields = [field.name for field in CardApplication._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SchoolProfile)
class SchoolProfileAdmin(admin.ModelAdmin):
    list_display = ["school", "seal", "updated_at"]
    raw_id_fields = ["seal"]
