"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Door-knocking campaign"),  # the app's word: campaigns (敲门行动)
    NavEntry(_("Door-knocking"), "campaigns:households", "campaigns.visit"),
    NavEntry(_("Field mode (offline)"), "field:app", "campaigns.visit"),
    NavEntry(_("Coverage"), "campaigns:coverage", "campaigns.view"),
    NavEntry(_("Pledges"), "campaigns:pledge_list", "campaigns.view"),
    order=30,
)
home_panel("campaigns.visit", "campaigns.coverage.home_panel", order=30)
