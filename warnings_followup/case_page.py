"""What the case page offers this user first: the next step to take, who may call, which steps ask to confirm.

The primary button is the next step the user should take: acknowledge a new push; for the police, confirm a
requested release, then record their first dissuasion; a visit when one is due (or overdue); confirming dissuasion
only once the latest visit no longer finds the person at risk. Every other step stays on the page as a secondary
button. Irreversible steps ask first (``data-confirm``, handled by ``static/js/confirm.js``).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from . import services
from .models import WarningOrder

CALLERS = frozenset({services.POLICE, services.CONFIRMER})  # the police and the village's dissuasion team (and head)
VISIT = "visit"  # the "record visit" link, beside the transitions


def can_call(user, warning: WarningOrder) -> bool:
    """May ``user`` reveal and dial the numbers of ``warning``'s person and relatives?"""
    return bool(services.actor_kinds(user, warning) & CALLERS)


def primary_step(
    warning: WarningOrder, *, actions: list[str], may_record: bool, latest_at_risk: bool, today: datetime.date
) -> str | None:
    """The one step shown as the primary button (a transition's code or :data:`VISIT`), or None."""
    for action in ("acknowledge", "confirm_release", "first_dissuasion"):
        if action in actions:
            return action
    due = warning.current_next_visit_due(today)
    if may_record and due is not None and due <= today:
        return VISIT
    if "confirm_dissuaded" in actions and not latest_at_risk:
        return "confirm_dissuaded"
    return VISIT if may_record else None


def confirmation(action: str, *, latest_at_risk: bool) -> str:
    """The question an irreversible step asks before it is sent ("" for the others)."""
    if action == "confirm_dissuaded":
        if latest_at_risk:
            return _("The latest visit found the person still at risk. Confirm dissuasion anyway?")
        return _("Confirm that the dissuasion succeeded? The police are asked to release the stop-payment.")
    questions = {
        "confirm_release": _("Confirm that the stop-payment is released? This cannot be undone."),
        "report_defrauded": _("Report this person defrauded after the warning? This cannot be undone."),
        "close": _("Close this warning? This cannot be undone."),
    }
    return questions.get(action, "")


def page_extras(user, warning: WarningOrder, *, actions: list[str], may_record: bool, visits: list, today) -> dict:
    """The case page's context beyond the warning's facts: the primary step, confirmations, who may call."""
    latest_at_risk = bool(visits) and visits[0].at_risk  # visits newest first (selectors.case_file)
    return {
        "primary_step": primary_step(
            warning, actions=actions, may_record=may_record, latest_at_risk=latest_at_risk, today=today
        ),
        "latest_at_risk": latest_at_risk,
        "confirmations": {action: confirmation(action, latest_at_risk=latest_at_risk) for action in actions},
        "may_call": can_call(user, warning),
    }
