"""The access log in the admin: read only, and only for superusers (nobody adds, edits or deletes entries)."""

from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_repr", "fields", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["user__username", "user__full_name", "object_repr", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [field.name for field in AccessLog._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
