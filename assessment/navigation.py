"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Assessment"),
    NavEntry(_("Leadership dashboard"), "assessment:dashboard", "assessment.dashboard"),
    NavEntry(_("Case callbacks"), "assessment:callback_list", "assessment.callback"),
    NavEntry(_("Accountability"), "assessment:accountability_list", "assessment.accountability"),
    NavEntry(_("Supervision inspections"), "assessment:inspection_list", "assessment.dashboard"),
    NavEntry(_("Indicators and ranking"), "assessment:indicators", "assessment.indicators"),
    NavEntry(_("My village's standing"), "assessment:indicators", "assessment.standing"),
    NavEntry(_("Reports to the county"), "assessment:report_list", "assessment.reports"),
    NavEntry(_("Units' documents"), "assessment:document_list", "workplans.view"),
    order=70,
)
home_panel("assessment.standing", "assessment.dashboard.home_panel", order=70)
home_panel("assessment.accountability", "assessment.selectors.home_panel", order=71)
