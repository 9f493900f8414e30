"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Schools"),
    NavEntry(_("School education"), "education:overview", "education.view"),
    order=50,
)
home_panel("education.log", "education.selectors.home_panel", order=50)
