from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        # Each app describes its plan rules in <app>/rules.py (see core.rules).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("rules")
        # ... and its exports in <app>/exports.py (core.exports.register_export), so a worker finds a job's kind.
        autodiscover_modules("exports")
        # kombu's filesystem transport (the default broker) needs its folders to exist.
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if key in options:
                Path(options[key]).mkdir(parents=True, exist_ok=True)
