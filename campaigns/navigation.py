"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Door-knocking"),
    NavEntry(_("Door-knocking"), "campaigns:households", "outreach.visit"),
    NavEntry(_("Field mode (offline)"), "field:app", "outreach.visit"),
    NavEntry(_("Coverage"), "campaigns:coverage", "outreach.view"),
    NavEntry(_("Pledges"), "campaigns:pledge_list", "outreach.view"),
    order=30,
)
home_panel("outreach.visit", "campaigns.coverage.home_panel", order=30)
