"""This app's entries in the navigation menu and its home-page panels (collected by organization.navigation)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.access import can
from organization.navigation import NavEntry, home_panel, menu

menu(
    _("Warnings and dissuasion"),
    NavEntry(_("Today"), "warnings_followup:today", "warnings.visit"),
    NavEntry(_("Work queue"), "warnings_followup:queue", "warnings.view"),
    NavEntry(_("Push warning"), "warnings_followup:push", "warnings.push"),
    NavEntry(_("Warning statistics"), "warnings_followup:kpi", "warnings.kpi"),
    order=10,
)

POLICE_TABS = ("pushed", "overdue", "release")  # the work queue's tabs the police's home page counts
REMINDERS_SHOWN = 5


def police_home(*, user, today: datetime.date) -> dict:
    """The police's home: push a warning, the work queue's counts (awaiting acknowledgement, overdue, release
    requests) and today's reminders. Two queries: the counts in one, the reminders in one."""
    from notifications.models import Notification

    from .models import WarningOrder
    from .selectors import QUEUE_TABS

    counts = WarningOrder.objects.for_user(user).aggregate(
        **{code: Count("pk", filter=QUEUE_TABS[code][1](today)) for code in POLICE_TABS}
    )
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    reminders = list(
        Notification.objects.filter(recipient=user, created_at__gte=start, read_at__isnull=True).order_by(
            "-created_at", "-pk"
        )[: REMINDERS_SHOWN + 1]
    )
    return {
        "template": "warnings_followup/home_police.html",
        "tabs": [(code, QUEUE_TABS[code][0], counts[code]) for code in POLICE_TABS],
        "reminders": reminders[:REMINDERS_SHOWN],
        "more_reminders": len(reminders) > REMINDERS_SHOWN,
    }


def visits_today(*, user, today: datetime.date) -> dict | None:
    """The village team's visits due today or overdue (the police have their queue's counts instead)."""
    from .selectors import today_panel

    if can(user, "warnings.push") and not user.is_superuser:
        return None
    return today_panel(user=user, today=today)


home_panel("warnings.push", "warnings_followup.navigation.police_home", order=9)
home_panel("warnings.visit", "warnings_followup.navigation.visits_today", order=10)
