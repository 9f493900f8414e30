from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Resident registry")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Household, Resident
        from .selectors import registry_changed

        for model in (Resident, Household):
            uid = f"residents.overview.{model._meta.label_lower}"
            post_save.connect(registry_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(registry_changed, sender=model, dispatch_uid=f"{uid}.delete")
