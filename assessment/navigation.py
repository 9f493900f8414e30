"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("Leadership dashboard"), "assessment:dashboard", "assessment.dashboard"),
    NavEntry(_("Case callbacks"), "assessment:callback_list", "assessment.callback"),
    NavEntry(_("Accountability"), "assessment:accountability_list", "assessment.accountability"),
    NavEntry(_("Supervision inspections"), "assessment:inspection_list", "assessment.dashboard"),
    NavEntry(_("Indicators and ranking"), "assessment:indicators", "assessment.indicators"),
    NavEntry(_("My village's standing"), "assessment:indicators", "assessment.standing"),
]
