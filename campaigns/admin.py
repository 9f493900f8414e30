from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import materials_admin  # noqa: F401  (printed materials and contact numbers)
from .models import DoorVisit, Pledge


@admin.register(DoorVisit)
class DoorVisitAdmin(admin.ModelAdmin):
    list_display = ["visited_at", "household", "someone_home", "app_installed", "recorded_by"]
    list_filter = ["someone_home", "app_installed", "household__village"]
    search_fields = ["household__address"]
    date_hierarchy = "visited_at"
    raw_id_fields = ["household", "recorded_by"]
    filter_horizontal = ["visitors"]
    readonly_fields = ["client_id", "created_at"]
    list_select_related = ["household", "recorded_by"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["signed_at", "resident", "method", "collected_by"]
    list_filter = ["method", "resident__village"]
    search_fields = ["resident__name"]
    date_hierarchy = "signed_at"
    raw_id_fields = ["resident", "visit", "collected_by"]
    # The signature leaves only through the scoped view (there is no /media/ route): never the file's own URL.
    exclude = ["image"]
    readonly_fields = ["signature", "client_id", "created_at"]
    list_select_related = ["resident", "collected_by"]

    @admin.display(description=_("signature or photo"))
    def signature(self, pledge):
        if not pledge.pk or not pledge.image:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("campaigns:pledge_image", args=[pledge.pk]), _("Open"))
