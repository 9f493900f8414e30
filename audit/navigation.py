"""This app's entry in the navigation menu (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import SYSTEM, NavEntry, menu

menu(SYSTEM, NavEntry(_("Access log"), "audit:access_log", "audit.view_access_log"), order=91)
