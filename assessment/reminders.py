"""Callbacks do not wait silently (四(二) 一案双查): a callback not made ``CALLBACK_DUE_DAYS`` days after its draw
reminds its caller, and ``CALLBACK_ESCALATE_DAYS`` days later, still not made, the leadership group.

The daily scan (beat: ``assessment.callback_reminders``) may run any number of times: each reminder is an in-app
notification whose dedupe key names the callback and the level, so each person is told once per callback and level
(two workers at once included: the insert skips what exists). A callback made in the meantime is left alone.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import rule
from notifications.services import Message, notifications_send_many
from organization.models import Role
from organization.selectors import people_in, town_of

from .models import Callback, CallbackStatus
from .notifications import leadership_of

CALLER, LEADERSHIP = "caller", "leadership"


def callers_of(callback: Callback) -> list:
    """Who is to make ``callback``: its assigned caller, or (none, or no longer active) the governance centre's
    staff of its town."""
    if callback.assigned_to_id and callback.assigned_to.is_active:
        return [callback.assigned_to]
    return list(people_in(town_of(callback.village), {Role.GOVERNANCE}))


def _message(callback: Callback, level: str, recipients, due: datetime.date) -> Message:
    facts = {"case": callback.case.case_number, "village": callback.village.name, "due": f"{due:%Y-%m-%d}"}
    if level == CALLER:
        title = _("Callback overdue: case %(case)s, %(village)s") % facts
        body = _("This callback was due by %(due)s: call the victim and record the answer.") % facts
    else:
        title = _("Callback still not made: case %(case)s, %(village)s") % facts
        body = _("Due by %(due)s, the caller was reminded and it is still not made.") % facts
    return Message(
        recipients=recipients,
        kind="assessment.callback_overdue",
        title=title,
        body=body,
        url=reverse("assessment:callback_detail", args=[callback.pk]),
        dedupe_key=f"callback-overdue:{callback.pk}:{level}",
    )


def callback_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the callers (and then the leadership group) of the callbacks not made in time. Returns how many
    people were newly reminded."""
    now = now or timezone.now()
    due_days = datetime.timedelta(days=rule("CALLBACK_DUE_DAYS"))
    escalate = due_days + datetime.timedelta(days=rule("CALLBACK_ESCALATE_DAYS"))
    overdue = (
        Callback.objects.filter(status=CallbackStatus.PENDING, draw__drawn_at__lte=now - due_days)
        .select_related("draw", "village__parent", "case", "assigned_to")
        .order_by("pk")
    )
    messages = []
    leadership: dict[int, list] = {}
    for callback in overdue:
        due = timezone.localtime(callback.draw.drawn_at + due_days).date()
        messages.append(_message(callback, CALLER, callers_of(callback), due))
        if callback.draw.drawn_at <= now - escalate:
            town = town_of(callback.village)
            if town.pk not in leadership:
                leadership[town.pk] = list(leadership_of(callback.village))
            messages.append(_message(callback, LEADERSHIP, leadership[town.pk], due))
    return notifications_send_many(messages=messages)
