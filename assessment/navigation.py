"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from organization.access import can
from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Assessment"),
    NavEntry(_("Leadership dashboard"), "assessment:dashboard", "assessment.dashboard"),
    NavEntry(_("Case callbacks"), "assessment:callback_list", "assessment.callback"),
    NavEntry(_("Accountability"), "assessment:accountability_list", "assessment.accountability"),
    NavEntry(_("Supervision inspections"), "assessment:inspection_list", "assessment.dashboard"),
    NavEntry(_("Indicators and ranking"), "assessment:indicators", "assessment.indicators"),
    NavEntry(_("My village's standing"), "assessment:indicators", "assessment.standing"),
    NavEntry(_("Year-end nominations"), "assessment:nominations", "assessment.nominate"),
    NavEntry(_("Reports to the county"), "assessment:report_list", "assessment.reports"),
    NavEntry(_("Units' documents"), "assessment:document_list", "publicity.view_workplans"),
    order=70,
)


def leadership_home(*, user, today: datetime.date) -> dict:
    """The leadership's home: the dashboard's headline figures for its default period (the last complete month:
    cases, losses, defrauded after a warning, door-visit coverage) and the warnings open and overdue now, with the
    links to the dashboard and its pages. The same cached figures as the dashboard (no query of its own when warm).
    """
    from . import dashboard, indicators

    period = indicators.default_period(today)
    return {
        "template": "assessment/home_leadership.html",
        "period": period,
        "report": indicators.indicator_report(user=user, period=period, today=today),
        "pipeline": dashboard.pipeline(user=user, today=today),
        "can_report": can(user, "assessment.reports"),
    }


home_panel("assessment.dashboard", "assessment.navigation.leadership_home", order=5)
home_panel("assessment.standing", "assessment.dashboard.home_panel", order=70)
home_panel("assessment.accountability", "assessment.selectors.home_panel", order=71)
