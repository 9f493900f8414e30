"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Schools"),
    NavEntry(_("Card applications"), "schools:queue", "schools.view_students"),
    NavEntry(_("Students"), "schools:student_list", "schools.view_students"),
    order=50,
)

SCHOOL_STEPS = ("review", "escort", "open")  # the school's own steps, each a tab of its queue


def _tabs(user, tabs: dict, shown) -> list[tuple[str, str, int]]:
    from .selectors import queue_counts
    from .views import TAB_LABELS

    counts = queue_counts(user=user, tabs={code: tabs[code] for code in shown})
    return [(code, TAB_LABELS[code], counts[code]) for code in shown]


def school_home(*, user, today: datetime.date) -> dict:
    """School staff: the card applications waiting for the school's review, escort and opening (one query)."""
    from .selectors import SCHOOL_TABS

    return {"template": "schools/home_applications.html", "tabs": _tabs(user, SCHOOL_TABS, SCHOOL_STEPS)}


def police_home(*, user, today: datetime.date) -> dict:
    """The police: the students waiting for their check before a card is opened (one query)."""
    from .selectors import POLICE_TABS

    return {"template": "schools/home_police_check.html", "tabs": _tabs(user, POLICE_TABS, ("police",))}


home_panel("schools.review", "schools.navigation.school_home", order=51)
home_panel("schools.police_check", "schools.navigation.police_home", order=11)
