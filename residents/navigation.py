"""This app's entries in the navigation menu (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, menu

menu(
    _("Residents registry"),  # the app's word: residents (户籍登记)
    NavEntry(_("Households"), "residents:household_list", "residents.view"),
    NavEntry(_("Residents"), "residents:resident_list", "residents.view"),
    NavEntry(_("Import"), "residents:import_start", "residents.import"),
    order=20,
)
