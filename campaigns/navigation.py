"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("Door-knocking"), "campaigns:households", "outreach.visit"),
    NavEntry(_("Coverage"), "campaigns:coverage", "outreach.view"),
    NavEntry(_("Pledges"), "campaigns:pledge_list", "outreach.view"),
]
