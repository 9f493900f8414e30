from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Unit, User, UserRole
from .resources import UnitResource, UserResource


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "code", "kind", "parent", "population", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(ImportExportModelAdmin, SimpleHistoryAdmin, DjangoUserAdmin):
    resource_classes = [UserResource]
    inlines = [UserRoleInline]
    list_display = ["username", "full_name", "unit", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "roles__role", "unit__kind"]
    search_fields = ["username", "full_name", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Campaign"), {"fields": ("full_name", "unit", "mobile")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Campaign"), {"fields": ("full_name", "unit")}),
    )
