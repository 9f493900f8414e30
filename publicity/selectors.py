"""Reads of the publicity work and the work plans: scoped, with their related rows loaded up front.

For other apps:

* :func:`department_activity_summary` — per department, school and police station: activities done by
  category against the configured targets over a date range (aggregate queries; used by the
  assessment's department indicators and "publicity work is weak"). A school's staff education is its
  education staff sessions (counted once, from the education app).
* :func:`overdue_tasks` — the work-plan tasks past their deadline in a user's scope.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from core import periods
from organization.access import scope_queryset, sees_everything_in_town
from organization.models import Unit

from .models import (
    ACTIVITY_KINDS,
    LOGGING_KINDS,
    NOT_LOGGED,
    OPEN_TASK_STATUSES,
    Activity,
    ActivityTarget,
    Category,
    Inspection,
    InspectionItem,
    MeetingCase,
    MeetingDecision,
    PushRecipient,
    TaskStatus,
    Venue,
    Volunteer,
    WorkPlan,
    WorkTask,
)

HOME_PANEL_LIMIT = 5


# --- activities ----------------------------------------------------------------------------------


def activities_for_user(*, user) -> QuerySet:
    return (
        Activity.objects.for_user(user)
        .select_related("unit", "recorded_by")
        .annotate(evidence_count=Count("attachments", distinct=True))
        .order_by("-held_on", "-pk")
    )


def activity_for_page(*, user, pk: int) -> QuerySet:
    return (
        Activity.objects.for_user(user)
        .filter(pk=pk)
        .select_related("unit", "recorded_by")
        .prefetch_related(
            "links",
            "attendees",
            Prefetch("cases", queryset=MeetingCase.objects.select_related("fraud_case")),
            Prefetch("decisions", queryset=MeetingDecision.objects.select_related("task")),
            Prefetch("recipients", queryset=PushRecipient.objects.select_related("recipient_unit", "confirmed_by")),
            "attachments",
        )
        .select_related("finance_push")
    )


def volunteers_for_user(*, user) -> QuerySet:
    return Volunteer.objects.for_user(user).select_related("unit")


# --- venues --------------------------------------------------------------------------------------


def venues_for_user(*, user) -> QuerySet:
    return (
        Venue.objects.for_user(user)
        .select_related("unit", "village")
        .annotate(
            open_failures=Count(
                "inspections__items",
                filter=Q(inspections__items__passed=False, inspections__items__fixed_on__isnull=True),
                distinct=True,
            ),
            inspection_count=Count("inspections", distinct=True),
        )
    )


def open_failures_for_user(*, user) -> QuerySet:
    """The "to fix" list: failed inspection items not yet recorded fixed, the oldest deadline first."""
    return (
        InspectionItem.objects.for_user(user)
        .open_failures()
        .select_related("inspection__venue__unit")
        .order_by("fix_deadline", "pk")
    )


def inspections_of(venue: Venue) -> QuerySet:
    return (
        venue.inspections.select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "items", queryset=InspectionItem.objects.select_related("fixed_by").prefetch_related("attachments")
            ),
            "attachments",
        )
        .order_by("-inspected_on", "-pk")
    )


# --- work plans ----------------------------------------------------------------------------------


def plans_for_user(*, user) -> QuerySet:
    today = timezone.localdate()
    return (
        WorkPlan.objects.for_user(user)
        .select_related("unit")
        .annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
            overdue_count=Count(
                "tasks", filter=Q(tasks__status__in=OPEN_TASK_STATUSES, tasks__due_on__lt=today), distinct=True
            ),
        )
        .order_by("-year", "unit__path", "pk")
    )


def tasks_of(plan: WorkPlan) -> QuerySet:
    return plan.tasks.select_related("responsible").order_by("due_on", "pk")


def overdue_tasks(user, today: datetime.date | None = None) -> QuerySet:
    """Open tasks past their deadline in ``user``'s scope, the most overdue first."""
    today = today or timezone.localdate()
    return (
        WorkTask.objects.for_user(user)
        .overdue(today)
        .select_related("plan__unit", "responsible")
        .order_by("due_on", "pk")
    )


def plan_overview(*, user, today: datetime.date | None = None) -> list[dict]:
    """Leadership's overview: per unit with a plan, tasks total, done, open and overdue (one query)."""
    today = today or timezone.localdate()
    rows = (
        WorkTask.objects.for_user(user)
        .values("plan__unit__pk", "plan__unit__name", "plan__unit__code", "plan__unit__path")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            open=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES, due_on__lt=today)),
        )
        .order_by("-overdue", "plan__unit__path")
    )
    return [
        {
            "unit_id": row["plan__unit__pk"],
            "unit_name": row["plan__unit__name"],
            "unit_code": row["plan__unit__code"],
            "total": row["total"],
            "done": row["done"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def home_panel(*, user, today: datetime.date | None = None) -> dict:
    """The home page's panel: overdue work-plan tasks (the unit's own; leadership: the whole town)
    and, for the unit that inspects venues, failed items past their fix-by date. Three queries."""
    today = today or timezone.localdate()
    is_overview = sees_everything_in_town(user)
    tasks = overdue_tasks(user, today)
    if is_overview:
        # The town's tasks grouped by title: one task handed to five units shows once, with its units' count.
        tasks = (
            tasks.order_by().values("title").annotate(units=Count("plan__unit", distinct=True), due_on=Min("due_on"))
        )
        rows = list(tasks.order_by("due_on", "title")[: HOME_PANEL_LIMIT + 1])
    else:
        rows = list(tasks[: HOME_PANEL_LIMIT + 1])
    overdue_items = InspectionItem.objects.for_user(user).open_failures().filter(fix_deadline__lt=today)
    return {
        "template": "publicity/_home_panel.html",
        "tasks": rows[:HOME_PANEL_LIMIT],
        "has_more": len(rows) > HOME_PANEL_LIMIT,
        "overdue_count": overdue_tasks(user, today).count()
        if len(rows) > HOME_PANEL_LIMIT or is_overview
        else len(rows),
        "overdue_fixes": overdue_items.count(),
        "is_overview": is_overview,
        "today": today,
    }


# --- targets and the summary ---------------------------------------------------------------------


def _period_bounds(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month, quarter or year containing ``day``."""
    found = periods.containing(period, day)
    return found.first_day, found.last_day


def required_in_range(required: int, period: str, start: datetime.date, end: datetime.date) -> int:
    """``required`` per ``period``, prorated over [start, end] by days of each period covered.

    Whole periods count in full (a monthly target of 2 over a quarter is 6); a part of a period
    counts by its share of days; the total is rounded half up.
    """
    if end < start or required == 0:
        return 0
    total = Fraction(0)
    day = start
    while day <= end:
        period_start, period_end = _period_bounds(period, day)
        covered_end = min(period_end, end)
        covered = (covered_end - day).days + 1
        length = (period_end - period_start).days + 1
        total += Fraction(required * covered, length)
        day = covered_end + datetime.timedelta(days=1)
    return math.floor(total + Fraction(1, 2))


@dataclass
class CategorySummary:
    category: str
    label: str
    done: int
    required: int  # 0 when no target is set

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def shortfall(self) -> int:
        return max(self.required - self.done, 0)


@dataclass
class UnitActivitySummary:
    unit: Unit
    categories: list[CategorySummary] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(row.done for row in self.categories)

    @property
    def required(self) -> int:
        return sum(row.required for row in self.categories)

    @property
    def done_of_required(self) -> int:
        """Activities that count towards the targets (at most the required number per category)."""
        return sum(min(row.done, row.required) for row in self.categories)

    @property
    def completion(self) -> float | None:
        """Share of the required activities done (0–1), None when nothing is required."""
        return self.done_of_required / self.required if self.required else None

    @property
    def is_weak(self) -> bool:
        """Publicity work is weak: some category with a target has fewer activities than required."""
        return any(row.required and not row.met for row in self.categories)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "done": self.done,
            "required": self.required,
            "completion": self.completion,
            "is_weak": self.is_weak,
            "categories": [
                {"category": r.category, "done": r.done, "required": r.required, "met": r.met} for r in self.categories
            ],
        }


def department_activity_summary(start: datetime.date, end: datetime.date, units=None) -> list[UnitActivitySummary]:
    """Per department, school and police station: activities done by category in [start, end] against
    the required number (targets prorated over the range); joint venue inspections count as the
    ``joint_inspection`` category of the venue's responsible unit, and a school's staff education sessions
    (the education app's records) as its ``staff_education`` category: staff education is recorded once, so
    activities logged under either category are not counted (they stay readable in the activity list).

    ``units``: a queryset or list of units (default: every active department, school and police
    station). Not scoped: the caller passes the units the user may see. Five queries, whatever the
    number of units and activities. Each row lists the categories with a target or with activities.
    """
    from education.selectors import staff_sessions_held

    if units is None:
        units = Unit.objects.filter(kind__in=LOGGING_KINDS, is_active=True)
    units = list(units.order_by("path") if isinstance(units, QuerySet) else units)
    unit_ids = [unit.pk for unit in units]
    done: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Activity.objects.filter(unit_id__in=unit_ids, held_on__gte=start, held_on__lte=end)
        .exclude(category__in=NOT_LOGGED)
        .values("unit_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        done[row["unit_id"]][row["category"]] = row["n"]
    for row in (
        Inspection.objects.filter(venue__unit_id__in=unit_ids, inspected_on__gte=start, inspected_on__lte=end)
        .values("venue__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        done[row["venue__unit_id"]][Category.JOINT_INSPECTION] = row["n"]
    for school_id, count in staff_sessions_held(school_ids=unit_ids, start=start, end=end).items():
        done[school_id][Category.STAFF_EDUCATION] = count
    required: dict[int, dict[str, int]] = defaultdict(dict)
    for target in ActivityTarget.objects.filter(unit_id__in=unit_ids):
        required[target.unit_id][target.category] = required_in_range(target.required, target.period, start, end)
    order = {value: index for index, value in enumerate(Category.values)}
    labels = dict(Category.choices)
    summaries = []
    for unit in units:
        categories = sorted(set(done[unit.pk]) | set(required[unit.pk]), key=order.get)
        summaries.append(
            UnitActivitySummary(
                unit=unit,
                categories=[
                    CategorySummary(
                        category=category,
                        label=str(labels[category]),
                        done=done[unit.pk].get(category, 0),
                        required=required[unit.pk].get(category, 0),
                    )
                    for category in categories
                ],
            )
        )
    return summaries


def summary_units_for_user(*, user) -> QuerySet:
    """The logging units whose summary ``user`` may see (their own unit; leadership all)."""
    units = Unit.objects.filter(kind__in=LOGGING_KINDS, is_active=True)
    return scope_queryset(units, user, police_see_station=True)


def activity_units_for_user(*, user) -> QuerySet:
    """The units whose activities ``user`` may filter the list by: the summary's units and the villages."""
    units = Unit.objects.filter(kind__in=ACTIVITY_KINDS, is_active=True).order_by("path")
    return scope_queryset(units, user, police_see_station=True)


def village_activity_counts(*, village_ids, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """{village id: its own publicity activities (五(三)) held in [start, end]}, one grouped query; a village
    without any is absent. For the village's indicators and the bulletin (assessment)."""
    rows = (
        Activity.objects.filter(unit_id__in=list(village_ids), held_on__gte=start, held_on__lte=end)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["unit_id"]: row["n"] for row in rows}
