from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Outreach campaigns")

    def ready(self):
        from .registry import connect

        connect()  # coverage counted from the registry's writes; the households' "visited" filter
