from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from .models import TownSettings, Unit, User, UserRole
from .resources import UnitResource, UserResource
from .tokens import token_expires, token_is_expired


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "code", "kind", "parent", "population", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


@admin.register(TownSettings)
class TownSettingsAdmin(SimpleHistoryAdmin):
    """Each town's own wording, numbers, weights and callback draw; the county's row holds the defaults."""

    list_display = ["unit", "plan_number", "indicator_weights", "callback_per_village", "updated_at"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("unit",)}),
        (_("Work plan"), {"fields": ("plan_title", "plan_number")}),
        (
            _("Printed materials"),
            {"fields": ("letter_title", "letter_body", "letter_closing", "card_closing", "police_contacts")},
        ),
        (_("Assessment"), {"fields": ("indicator_weights", "callback_per_village", "callback_share")}),
        (_("Work group robot"), {"fields": ("robot_webhook_url", "robot_webhook_kind")}),
    )


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
        (_("API token"), {"fields": ("api_token",)}),
    )
    readonly_fields = ["api_token"]

    @admin.display(description=_("API token"))
    def api_token(self, user):
        token = TokenProxy.objects.filter(user=user).first()
        if token is None:
            return _("None")
        state = _("expired") if token_is_expired(token) else _("valid")
        return _("Created %(created)s, expires %(expires)s (%(state)s).") % {
            "created": date_format(token.created, "SHORT_DATETIME_FORMAT"),
            "expires": date_format(token_expires(token), "SHORT_DATETIME_FORMAT"),
            "state": state,
        }


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    """Every user's API token: who, when created, when it expires. The key itself is never shown."""

    list_display = ["user", "created", "expires", "is_valid"]
    list_filter = ["created", "user__is_active"]
    list_select_related = ["user"]

    @admin.display(description=_("expires"))
    def expires(self, token):
        return token_expires(token)

    @admin.display(description=_("valid"), boolean=True)
    def is_valid(self, token):
        return not token_is_expired(token)

    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Campaign"), {"fields": ("full_name", "unit")}),
    )
