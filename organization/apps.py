from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from django.utils.module_loading import autodiscover_modules

        from core.exports import connect_export_hooks

        from . import tokens  # noqa: F401  (connects: a new password deletes the user's API tokens)
        from .access import can, unit_tree_changed
        from .models import Unit

        post_save.connect(unit_tree_changed, sender=Unit, dispatch_uid="organization.unit_tree_changed")
        post_delete.connect(unit_tree_changed, sender=Unit, dispatch_uid="organization.unit_tree_deleted")
        connect_export_hooks(permits=can)  # who may export what: the capabilities (core.exports)
        # Each app adds its menu entries and home-page panels in <app>/navigation.py (organization.navigation).
        autodiscover_modules("navigation")
