"""This app's entries in the navigation menu (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, menu

menu(
    _("Fraud cases"),
    NavEntry(_("Fraud cases"), "fraud_cases:case_list", "fraud_cases.view"),
    NavEntry(_("Register case"), "fraud_cases:case_register", "fraud_cases.register"),
    NavEntry(_("Defrauded after warning"), "fraud_cases:accountability", "fraud_cases.view"),
    NavEntry(_("Case analysis"), "fraud_cases:analysis", "fraud_cases.analysis"),
    NavEntry(_("Typical cases"), "fraud_cases:typical_case_list", "fraud_cases.view_typical"),
    order=60,
)
