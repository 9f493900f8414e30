from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs change state only through ``core.imports`` and its task."""

    list_display = ["pk", "kind", "status", "dry_run", "original_filename", "created_by", "created_at", "total_rows"]
    list_filter = ["kind", "status", "dry_run"]
    search_fields = ["original_filename", "created_by__username"]
    date_hierarchy = "created_at"
    # The stored file holds plain ID numbers: the admin shows its name, never a link to it.
    exclude = ["file"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).select_related("created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
