from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from . import tokens  # noqa: F401  (connects: a new password deletes the user's API tokens)
