from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsFollowupConfig(AppConfig):
    name = "warnings_followup"
    verbose_name = _("Warnings and dissuasion")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
