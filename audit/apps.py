from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from core.exports import connect_export_hooks

        from .services import export_access_log_record

        connect_export_hooks(log=export_access_log_record)  # every exported file is access-logged
