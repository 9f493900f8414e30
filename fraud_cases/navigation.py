"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("Fraud cases"), "fraud_cases:case_list", "cases.view"),
    NavEntry(_("Register case"), "fraud_cases:case_register", "cases.register"),
    NavEntry(_("Defrauded after warning"), "fraud_cases:accountability", "cases.view"),
]
