"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Schools"),
    NavEntry(_("School education"), "education:overview", "education.view"),
    order=50,
)

SLIPS_SHOWN = 5


def school_home(*, user, today: datetime.date) -> dict | None:
    """A school's staff: today's broadcast (one tap), the semester's requirements and the classes whose latest
    notice still misses return slips (from the compliance figures: no query of its own)."""
    from .selectors import home_panel as compliance_panel

    panel = compliance_panel(user=user, today=today)
    if panel is None:
        return None
    missing = [row for row in panel["c"].classes if row.missing and row.latest_notice_id]
    missing.sort(key=lambda row: (not row.overdue, row.latest_sent_on or today))
    panel["slips_missing"] = missing[:SLIPS_SHOWN]
    return panel


home_panel("education.log", "education.navigation.school_home", order=50)
