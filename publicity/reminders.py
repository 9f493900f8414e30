"""In-app reminders of overdue work-plan tasks and of inspection items past their fix-by date.

Once a day (see the beat schedule in the admin): the responsible person (or, without one, the active
members of the plan's unit) hears of a task once per deadline — a new deadline is a new reminder —
and the venue's responsible unit hears of a failed item once per fix-by date. ``dedupe_key`` on the
notification makes a second run (or a redelivered task) send nothing. A bounded number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notifications_send
from organization.models import User

from .models import InspectionItem, WorkTask

KINDS = ("publicity.task_overdue", "publicity.fix_overdue")


def _members_by_unit(unit_ids) -> dict[int, list[User]]:
    members: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(unit_id__in=set(unit_ids), is_active=True).order_by("pk"):
        members[user.unit_id].append(user)
    return members


def overdue_reminders_send(*, today: datetime.date | None = None) -> int:
    """Notify overdue tasks and overdue fixes not yet notified; return the notifications created."""
    today = today or timezone.localdate()
    tasks = list(WorkTask.objects.overdue(today).select_related("plan__unit", "responsible"))
    items = list(
        InspectionItem.objects.open_failures().filter(fix_deadline__lt=today).select_related("inspection__venue__unit")
    )
    members = _members_by_unit(
        [task.plan.unit_id for task in tasks] + [item.inspection.venue.unit_id for item in items]
    )
    before = Notification.objects.filter(kind__in=KINDS).count()
    # Background work: the town's language, not whichever language a request last used.
    with translation.override(settings.LANGUAGE_CODE):
        for task in tasks:
            responsible = task.responsible if task.responsible_id and task.responsible.is_active else None
            notifications_send(
                recipients=[responsible] if responsible else members[task.plan.unit_id],
                kind="publicity.task_overdue",
                title=_("Overdue task: %(task)s (deadline %(day)s)")
                % {"task": task.title, "day": task.due_on.isoformat()},
                url=reverse("publicity:plan_detail", args=[task.plan_id]),
                dedupe_key=f"publicity:task-overdue:{task.pk}:{task.due_on:%Y%m%d}",
            )
        for item in items:
            venue = item.inspection.venue
            notifications_send(
                recipients=members[venue.unit_id],
                kind="publicity.fix_overdue",
                title=_("%(venue)s: “%(item)s” not fixed by %(day)s")
                % {"venue": venue.name, "item": item.get_item_display(), "day": item.fix_deadline.isoformat()},
                url=reverse("publicity:venue_detail", args=[venue.pk]),
                dedupe_key=f"publicity:fix-overdue:{item.pk}:{item.fix_deadline:%Y%m%d}",
            )
    # (bulk_create with ignore_conflicts cannot say which rows were new: count them.)
    return Notification.objects.filter(kind__in=KINDS).count() - before
