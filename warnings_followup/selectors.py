"""Reads of the warning workflow, always through the user's scope (organization.access).

Each function returns rows with what the pages show already joined or prefetched, so a page runs a
fixed number of queries however many warnings it lists.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, Func, IntegerField, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from core import live
from core.pagination import rows_then_joins
from organization.models import Unit, User
from organization.selectors import village_team

from .models import FOLLOW_UP_STATUSES, RiskLevel, WarningOrder, WarningStatus

# The work-queue tabs: code, label, filter (a function of today's date).
QUEUE_TABS: dict[str, tuple] = {
    "all": (_("All"), lambda today: Q()),
    "pushed": (_("Awaiting acknowledgement"), lambda today: Q(status=WarningStatus.PUSHED)),
    "first_contact": (
        _("Awaiting first dissuasion"),
        lambda today: Q(status__in=FOLLOW_UP_STATUSES, first_dissuasion_at__isnull=True),
    ),
    "release": (_("Release requests"), lambda today: Q(status=WarningStatus.RELEASE_REQUESTED)),
    "incidents": (_("Incidents"), lambda today: Q(status=WarningStatus.DEFRAUDED)),
    "overdue": (
        _("Overdue"),
        lambda today: Q(status__in=FOLLOW_UP_STATUSES, next_visit_due__lt=today, window_ends__gte=today),
    ),
}

EVENT_LABELS = {
    "push": _("Pushed"),
    "acknowledge": _("Acknowledged"),
    "first_dissuasion": _("First dissuasion"),
    "visit": _("Follow-up visit"),
    "escalation": _("Escalation contact"),
    "confirm_dissuaded": _("Dissuasion confirmed"),
    "confirm_release": _("Stop-payment released"),
    "report_defrauded": _("Defrauded after warning"),
    "close": _("Closed"),
    "window_ended": _("Follow-up window ended"),
}

RISK_RANK = Case(
    When(risk_level=RiskLevel.HIGH, then=Value(0)),
    When(risk_level=RiskLevel.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def warnings_for_user(*, user) -> QuerySet[WarningOrder]:
    """Warnings in ``user``'s scope with their person and village (one query for a list)."""
    return WarningOrder.objects.for_user(user).select_related("person", "village")


def with_day_flags(warnings: Iterable[WarningOrder], today: datetime.date) -> list[WarningOrder]:
    """Set ``due`` (the next visit date, or None) and ``overdue`` on each warning, for templates."""
    rows = list(warnings)
    for warning in rows:
        warning.due = warning.current_next_visit_due(today)
        warning.overdue = warning.is_overdue(today)
    return rows


def queue_for_user(
    *, user, today: datetime.date, tab: str = "all", village: Unit | None = None, status: str = ""
) -> QuerySet[WarningOrder]:
    """The police work queue: one tab's warnings, optionally for one village and one status."""
    _label, condition = QUEUE_TABS.get(tab, QUEUE_TABS["all"])
    warnings = warnings_for_user(user=user).filter(condition(today))
    if village is not None:
        warnings = warnings.filter(village=village)
    if status:
        warnings = warnings.filter(status=status)
    if tab in ("overdue", "first_contact", "pushed"):
        return warnings.order_by("next_visit_due", "pushed_at", "pk")
    return warnings.order_by("-pushed_at", "-pk")


def queue_counts(*, user, today: datetime.date, village: Unit | None = None) -> dict[str, int]:
    """How many warnings each tab holds: one grouped query over every warning in scope, cached until a warning or
    a visit is written (``core.live``: the live version, today, at most five minutes)."""
    return live.live(
        "warnings-queue-counts",
        user=user,
        parts=[village.pk if village is not None else ""],
        compute=lambda: _queue_counts(user=user, today=today, village=village),
        today=today,
    )


def _queue_counts(*, user, today: datetime.date, village: Unit | None = None) -> dict[str, int]:
    warnings = WarningOrder.objects.for_user(user)
    if village is not None:
        warnings = warnings.filter(village=village)
    return warnings.aggregate(
        **{code: Count("pk", filter=condition(today)) for code, (_label, condition) in QUEUE_TABS.items()}
    )


def due_for_user(*, user, today: datetime.date) -> QuerySet[WarningOrder]:
    """Open warnings in scope whose in-person visit is due today or overdue, nearest due date first."""
    return warnings_for_user(user=user).due_on_or_before(today).order_by("next_visit_due", RISK_RANK, "pushed_at", "pk")


def not_yet_due_for_user(*, user, today: datetime.date) -> QuerySet[WarningOrder]:
    """The other warnings in follow-up in scope (visit not yet due, or window ended), nearest due date first."""
    return (
        warnings_for_user(user=user)
        .in_follow_up()
        .exclude(next_visit_due__lte=today, window_ends__gte=today)
        .annotate(due_sort=Coalesce("next_visit_due", "window_ends"))
        .order_by("due_sort", RISK_RANK, "pushed_at", "pk")
    )


def not_yet_due_first(*, user, today: datetime.date, limit: int) -> tuple[list[WarningOrder], int]:
    """The first ``limit`` of :func:`not_yet_due_for_user` (with day flags) and how many there are, in one query:
    the rows are chosen on the warnings table alone and only they are joined to their people; the count is a
    subquery computed once."""
    rows = not_yet_due_for_user(user=user, today=today)
    total = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    first = with_day_flags(
        rows_then_joins(rows, 0, limit).annotate(total=Subquery(total, output_field=IntegerField())), today
    )
    return first, (first[0].total if first else 0)


def warning_for_page(*, user, pk: int) -> QuerySet[WarningOrder]:
    """The scoped queryset a case page fetches ``pk`` from, with the person, village and pusher."""
    return (
        warnings_for_user(user=user).select_related("pushed_by", "acknowledged_by", "first_dissuasion_by").filter(pk=pk)
    )


@dataclass
class CaseFile:
    accounts: list
    visits: list
    contacts: list
    timeline: list


def warning_timeline(*, warning: WarningOrder) -> list[AuditEvent]:
    """The audit events of ``warning``, oldest first, with their actors, and display labels set."""
    events = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(WarningOrder), object_id=str(warning.pk)
        ).select_related("actor")
    )
    for event in events:
        event.label = EVENT_LABELS.get(event.event, event.event)
        event.old_label = WarningStatus(event.old).label if event.old in WarningStatus.values else event.old
        event.new_label = WarningStatus(event.new).label if event.new in WarningStatus.values else event.new
    return events


def case_file(*, warning: WarningOrder) -> CaseFile:
    """Everything a case page lists below the warning itself: a fixed number of queries."""
    visits = warning.visits.prefetch_related(
        Prefetch("visitors", queryset=User.objects.order_by("username"))
    ).select_related("recorded_by")
    return CaseFile(
        accounts=list(warning.stop_payment_accounts.select_related("released_by")),
        visits=list(visits.order_by("-visited_at", "-pk")),
        contacts=list(warning.escalation_contacts.select_related("recorded_by").order_by("-contacted_at", "-pk")),
        timeline=warning_timeline(warning=warning),
    )


def village_team_members(*, warning: WarningOrder) -> QuerySet[User]:
    """The active members of the warning's village team: the choices of "who went" on a visit."""
    return village_team(village=warning.village)


TODAY_PANEL_LIMIT = 10


def today_panel(*, user, today: datetime.date) -> dict:
    """The home page's panel: the visits due today or overdue in ``user``'s village (or scope)."""
    due = due_for_user(user=user, today=today)
    rows = with_day_flags(rows_then_joins(due, 0, TODAY_PANEL_LIMIT + 1), today)
    return {
        "template": "warnings_followup/_today_panel.html",
        "warnings": rows[:TODAY_PANEL_LIMIT],
        "has_more": len(rows) > TODAY_PANEL_LIMIT,
        "today": today,
    }
