"""This app's entries in the navigation menu and its home-page panel (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Warnings and dissuasion"),
    NavEntry(_("Today"), "warnings_followup:today", "warnings.visit"),
    NavEntry(_("Work queue"), "warnings_followup:queue", "warnings.view"),
    NavEntry(_("Push warning"), "warnings_followup:push", "warnings.push"),
    NavEntry(_("Warning statistics"), "warnings_followup:kpi", "warnings.kpi"),
    order=10,
)
home_panel("warnings.visit", "warnings_followup.selectors.today_panel", order=10)
