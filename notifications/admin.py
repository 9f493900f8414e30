"""Admin: each village's outside channels (editable), and the read-only logs of deliveries and reminders.

The reminder schedules themselves are django-celery-beat's "Periodic tasks" (the morning digest time,
the overdue scan interval).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organization.models import UnitKind

from .models import Delivery, ReminderSent, VillageChannel


class ScopedAdminMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageChannel)
class VillageChannelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["village", "webhook_kind", "has_webhook", "sms_enabled", "updated_at"]
    list_filter = ["webhook_kind", "sms_enabled"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village"]
    fields = ["village", "webhook_kind", "webhook_url", "sms_enabled"]

    @admin.display(boolean=True, description=_("work group robot"))
    def has_webhook(self, obj):
        return bool(obj.webhook_url)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "webhook_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "village":
            kwargs["queryset"] = db_field.remote_field.model.objects.for_user(request.user).filter(
                kind=UnitKind.VILLAGE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient_key", "village", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["channel", "status", "created_at"]
    search_fields = ["dedupe_key", "recipient_key", "user__username", "village__name"]
    date_hierarchy = "created_at"
    list_select_related = ["village"]
    readonly_fields = [field.name for field in Delivery._meta.fields]


@admin.register(ReminderSent)
class ReminderSentAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sent_at", "warning", "due_date", "level"]
    list_filter = ["level", "due_date"]
    search_fields = ["warning__external_id"]
    date_hierarchy = "sent_at"
    list_select_related = ["warning__person"]
    readonly_fields = ["warning", "due_date", "level", "sent_at"]
