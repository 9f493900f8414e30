"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Publicity work"),
    NavEntry(_("Publicity activities"), "publicity:activity_list", "publicity.view"),
    NavEntry(_("Venues"), "publicity:venue_list", "publicity.view"),
    NavEntry(_("Work plans"), "publicity:plan_list", "publicity.view_workplans"),
    order=40,
)
home_panel("publicity.view_workplans", "publicity.selectors.home_panel", order=80)  # after each role's own work
