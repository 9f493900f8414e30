from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo town (``manage.py seed_demo``) and the synthetic county (``manage.py seed_scale``).

    Installed by the local and test settings only: production has neither the commands nor their data.
    """

    name = "demo"
    verbose_name = _("Demo data")
