from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsFollowupConfig(AppConfig):
    name = "warnings_followup"
    verbose_name = _("Warnings and dissuasion")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import signals  # noqa: F401 (connects the receivers)

        # Other apps add their sources to the person's file in <app>/timeline.py (warnings_followup.timeline).
        autodiscover_modules("timeline")
