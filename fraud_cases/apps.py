from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FraudCasesConfig(AppConfig):
    name = "fraud_cases"
    verbose_name = _("Fraud cases")
