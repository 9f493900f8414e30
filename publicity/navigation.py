"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("Publicity activities"), "publicity:activity_list", "publicity.view"),
    NavEntry(_("Venues"), "publicity:venue_list", "publicity.view"),
    NavEntry(_("Work plans"), "publicity:plan_list", "workplans.view"),
]
