"""KPIs of the warning workflow, computed in the database over ``WarningOrder.objects.for_user(user)``.

Every figure is given per village and for all villages together, in a fixed number of queries however
many warnings, visits and villages there are.

Definitions (the page says the same in words):

* **Cases not yet closed, by state**: warnings whose status is not ``closed``, counted by status. Among the
  ones still visited (every status but ``defrauded`` and ``closed``: dissuaded cases are visited until the
  window ends): *overdue* = the next in-person visit was due before today and the window has not ended.
  *Window ended* = the month's window ended with no outcome (``pushed``, ``following_up``).
* **Push → acknowledgement**, **push → police first dissuasion** and **push → the team's first in-person
  contact**: ``acknowledged_at``, ``first_dissuasion_at`` and ``first_team_contact_at`` minus ``pushed_at``
  over the warnings that have them; the median and the 90th percentile, interpolated linearly between the
  two nearest values exactly like PostgreSQL's ``percentile_cont``.
* **Speed** ("能快一秒是一秒"): the share of pushes acknowledged within ``ACK_REMINDER_HOURS``, and the share with
  the police's first dissuasion within ``FIRST_DISSUASION_HOURS``, over the pushes that can be judged (done
  already, or whose time is up).
* **On-time visit rate** = visits on time / visits due. The clock (``VISIT_INTERVAL_DAYS``) runs from the push's
  local date, and restarts at the local date of every in-person visit. Each in-person visit answers the due date
  set by the one before it (or by the push): it is *due* when that due date (previous local date + 3 days) falls within
  the window, and *on time* when its own local date is on or before that due date. Phone calls neither count
  nor restart the clock. A due date that has passed today with no in-person visit yet, on a warning still
  being followed up, counts as one more visit due, not on time. Visits answering a due date after the window
  ended are not counted at all.
* **Dissuasion rate (劝住率)** = dissuaded / decided. *Decided* = every warning no longer being followed up
  (dissuaded, release requested, released, defrauded or closed). *Dissuaded* = status dissuaded, release
  requested or released, or closed without having been defrauded (a case can only be closed after dissuasion,
  release or fraud, so these are the cases closed after dissuasion).
* **Defrauded after the warning (预后被骗数)**: warnings in status defrauded, or with a recorded fraud date (closed
  after it), and the sum of their losses.
* **Pending releases**: warnings whose release of stop-payment was requested and not yet confirmed by police.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from core.rules import rule
from organization.access import units_visible_to
from organization.models import Unit, UnitKind

from .models import FOLLOW_UP_STATUSES, OPEN_STATUSES, FollowUpVisit, VisitMethod, WarningOrder, WarningStatus

S = WarningStatus
NOT_CLOSED_STATUSES = [
    S.PUSHED,
    S.FOLLOWING_UP,
    S.DISSUADED,
    S.RELEASE_REQUESTED,
    S.RELEASED,
    S.DEFRAUDED,
]
DISSUADED_Q = Q(status__in=[S.DISSUADED, S.RELEASE_REQUESTED, S.RELEASED]) | Q(
    status=S.CLOSED, defrauded_on__isnull=True
)
DECIDED_Q = ~Q(status__in=OPEN_STATUSES)
DEFRAUDED_Q = Q(defrauded_on__isnull=False) | Q(status=S.DEFRAUDED)
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # fractions as (numerator, denominator)
DURATIONS = {
    "acknowledge": "acknowledged_at",
    "first_dissuasion": "first_dissuasion_at",
    "team_contact": "first_team_contact_at",
}
# Speed: (the time it is measured to, the setting with its deadline in hours).
SPEEDS = {
    "acknowledged_in_time": ("acknowledged_at", "ACK_REMINDER_HOURS"),
    "dissuaded_in_time": ("first_dissuasion_at", "FIRST_DISSUASION_HOURS"),
}


# --- Results --------------------------------------------------------------------------------------


@dataclass
class DurationStats:
    """How long from the push, in whole seconds: ``count`` warnings, their median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass
class KpiRow:
    """The figures of one village (``village`` set) or of all villages together (``village`` None)."""

    village: Unit | None = None
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOT_CLOSED_STATUSES, 0))
    overdue: int = 0
    window_ended: int = 0
    closed: int = 0
    decided: int = 0
    dissuaded: int = 0
    defrauded: int = 0
    loss: Decimal = Decimal("0")
    pending_releases: int = 0
    missed_now: int = 0  # due dates passed with no in-person visit yet
    visits_due: int = 0  # in-person visits that answered a due date within the window
    visits_on_time: int = 0
    acknowledged_in_time: int = 0  # acknowledged within ACK_REMINDER_HOURS of the push
    acknowledged_in_time_of: int = 0  # the pushes that can be judged: acknowledged, or the hours are up
    dissuaded_in_time: int = 0  # the police's first dissuasion within FIRST_DISSUASION_HOURS
    dissuaded_in_time_of: int = 0
    acknowledge: DurationStats = field(default_factory=DurationStats)
    first_dissuasion: DurationStats = field(default_factory=DurationStats)
    team_contact: DurationStats = field(default_factory=DurationStats)

    @property
    def not_closed(self) -> int:
        return sum(self.by_status.values())

    @property
    def due_total(self) -> int:
        return self.visits_due + self.missed_now

    @property
    def on_time_rate(self) -> float | None:
        return self.visits_on_time / self.due_total if self.due_total else None

    @property
    def dissuasion_rate(self) -> float | None:
        return self.dissuaded / self.decided if self.decided else None

    @property
    def acknowledged_in_time_rate(self) -> float | None:
        return self.acknowledged_in_time / self.acknowledged_in_time_of if self.acknowledged_in_time_of else None

    @property
    def dissuaded_in_time_rate(self) -> float | None:
        return self.dissuaded_in_time / self.dissuaded_in_time_of if self.dissuaded_in_time_of else None

    def add_counts(self, other: KpiRow) -> None:
        for status, count in other.by_status.items():
            self.by_status[status] += count
        for name in (
            "overdue",
            "window_ended",
            "closed",
            "decided",
            "dissuaded",
            "defrauded",
            "loss",
            "pending_releases",
            "missed_now",
            "visits_due",
            "visits_on_time",
            *(name for speed in SPEEDS for name in (speed, f"{speed}_of")),
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class KpiReport:
    villages: list[KpiRow]
    total: KpiRow
    today: datetime.date
    since: datetime.date | None = None


# --- Database expressions -------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class EpochSeconds(Func):
    """The length of a PostgreSQL interval in seconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _since_push(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("pushed_at"), output_field=DurationField())


def local_day(expression) -> TruncDate:
    return TruncDate(expression, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


# --- Queries --------------------------------------------------------------------------------------


def speed_aggregates(name: str, now: datetime.datetime | None = None) -> dict:
    """One speed of :data:`SPEEDS` as two aggregates over warnings: ``name``, done within its deadline, and
    ``name_of``, the pushes that can be judged (done, or the deadline passed)."""
    end, setting = SPEEDS[name]
    deadline = datetime.timedelta(hours=rule(setting))
    now = now or timezone.now()
    return {
        name: Count("pk", filter=Q(**{f"{end}__lte": F("pushed_at") + deadline})),
        f"{name}_of": Count("pk", filter=Q(**{f"{end}__isnull": False}) | Q(pushed_at__lte=now - deadline)),
    }


def _speed_aggregates(now: datetime.datetime) -> dict:
    """Every speed's aggregates (:func:`speed_aggregates`)."""
    aggregates = {}
    for name in SPEEDS:
        aggregates |= speed_aggregates(name, now)
    return aggregates


def status_rows(warnings: QuerySet, today: datetime.date, now: datetime.datetime | None = None) -> dict[int, KpiRow]:
    """One grouped query: every count of the report per village."""
    undecided = Q(status__in=OPEN_STATUSES)
    following = Q(status__in=FOLLOW_UP_STATUSES)
    aggregates = (
        {f"n_{status}": Count("pk", filter=Q(status=status)) for status in NOT_CLOSED_STATUSES}
        | {
            "overdue": Count("pk", filter=following & Q(next_visit_due__lt=today, window_ends__gte=today)),
            "window_ended": Count("pk", filter=undecided & Q(window_ends__lt=today)),
            "closed": Count("pk", filter=Q(status=S.CLOSED)),
            "decided": Count("pk", filter=DECIDED_Q),
            "dissuaded": Count("pk", filter=DISSUADED_Q),
            "defrauded": Count("pk", filter=DEFRAUDED_Q),
            "loss": Sum("loss_amount", filter=DEFRAUDED_Q),
            "pending_releases": Count("pk", filter=Q(status=S.RELEASE_REQUESTED)),
            "missed_now": Count(
                "pk", filter=following & Q(next_visit_due__lt=today, next_visit_due__lte=F("window_ends"))
            ),
        }
        | _speed_aggregates(now or timezone.now())
    )
    rows = {}
    for values in warnings.order_by().values("village_id").annotate(**aggregates):
        row = KpiRow()
        row.by_status = {status: values[f"n_{status}"] for status in NOT_CLOSED_STATUSES}
        for name in aggregates:
            if not name.startswith("n_"):
                setattr(row, name, values[name] or 0)
        row.loss = Decimal(values["loss"] or 0)
        rows[values["village_id"]] = row
    return rows


def on_time() -> Q:
    """A visit within ``VISIT_INTERVAL_DAYS`` of the one before (to use on :func:`timed_in_person_visits`)."""
    return Q(gap__lte=datetime.timedelta(days=rule("VISIT_INTERVAL_DAYS")))


def timed_in_person_visits(visits: QuerySet) -> QuerySet:
    """The in-person visits among ``visits`` that had a due date inside the window, with their ``gap``.

    A visit was due ``VISIT_INTERVAL_DAYS`` after the previous in-person visit (or the push): its stored
    ``anchor_day`` (kept when visits are recorded, in any order); ``gap`` is the number of local days it took.
    Count the on-time ones with ``Count("pk", filter=on_time())``.
    """
    return (
        visits.filter(method=VisitMethod.IN_PERSON, anchor_day__isnull=False)
        .annotate(anchor=F("anchor_day"), visit_day=local_day("visited_at"))
        .annotate(
            gap=ExpressionWrapper(F("visit_day") - F("anchor"), output_field=DurationField()),
            room=ExpressionWrapper(F("warning__window_ends") - F("anchor"), output_field=DurationField()),
        )
        .filter(room__gte=datetime.timedelta(days=rule("VISIT_INTERVAL_DAYS")))
    )


def visit_rows(warnings: QuerySet) -> dict[int, tuple[int, int]]:
    """One grouped query: per village, (in-person visits due within the window, of which on time)."""
    visits = (
        timed_in_person_visits(FollowUpVisit.objects.filter(warning__in=warnings.order_by().values("pk")))
        .order_by()
        .values("warning__village_id")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=on_time()))
    )
    return {row["warning__village_id"]: (row["due"], row["on_time"]) for row in visits}


def _durations_postgresql(warnings: QuerySet) -> tuple[dict[int, dict], dict]:
    """percentile_cont, grouped by village, and over all villages: two queries."""
    aggregates = {}
    for name, end in DURATIONS.items():
        seconds = EpochSeconds(_since_push(end))
        aggregates[f"{name}_count"] = Count(end)
        for label, (numerator, denominator) in PERCENTILES.items():
            aggregates[f"{name}_{label}"] = PercentileCont(seconds, numerator / denominator)
    grouped = {row["village_id"]: row for row in warnings.order_by().values("village_id").annotate(**aggregates)}
    return grouped, warnings.order_by().aggregate(**aggregates)


def _percentile_rows(warnings: QuerySet, end: str, *, by_village: bool) -> dict[int | None, dict]:
    """Elsewhere (SQLite): per group, only the rows at the percentile positions, found with window functions.

    A row's position (1-based, by duration) and its group's size come from ``ROW_NUMBER()`` and
    ``COUNT()`` windows; for a fraction a/b the interpolation needs the rows at ``⌊a(n−1)/b⌋ + 1`` and
    ``⌈a(n−1)/b⌉ + 1``, selected with integer arithmetic in the database. At most four rows per group return.
    """
    partition = [F("village_id")] if by_village else None
    ranked = (
        warnings.order_by()
        .filter(**{f"{end}__isnull": False})
        .annotate(duration=_since_push(end))
        .annotate(
            position=Window(RowNumber(), partition_by=partition, order_by=[F("duration").asc(), F("pk").asc()]),
            size=Window(Count("pk"), partition_by=partition),
        )
    )
    wanted = Q()
    for numerator, denominator in PERCENTILES.values():
        scaled = (F("size") - 1) * numerator
        wanted |= Q(position=scaled / denominator + 1)
        wanted |= Q(position=(scaled + denominator - 1) / denominator + 1)
    groups: dict[int | None, dict] = {}
    for row in ranked.filter(wanted).values("village_id", "position", "size", "duration"):
        group = groups.setdefault(row["village_id"] if by_village else None, {"size": row["size"], "values": {}})
        group["values"][row["position"]] = row["duration"].total_seconds()
    return groups


def _seconds(value: float | None) -> float | None:
    """Whole seconds: finer is noise, and both ways of computing then agree exactly."""
    return None if value is None else float(round(value))


def _interpolate(size: int, values: dict[int, float], numerator: int, denominator: int) -> float:
    lower, remainder = divmod((size - 1) * numerator, denominator)
    low = values[lower + 1]
    if not remainder:
        return low
    return low + (values[lower + 2] - low) * remainder / denominator


def _stats_from_positions(group: dict | None) -> DurationStats:
    if not group:
        return DurationStats()
    size = group["size"]
    return DurationStats(
        count=size,
        **{
            label: _seconds(_interpolate(size, group["values"], numerator, denominator))
            for label, (numerator, denominator) in PERCENTILES.items()
        },
    )


def _durations(warnings: QuerySet) -> tuple[dict[int, dict[str, DurationStats]], dict[str, DurationStats]]:
    """Per village and overall: a :class:`DurationStats` for each of :data:`DURATIONS`."""
    if connection.vendor == "postgresql":
        grouped, overall = _durations_postgresql(warnings)

        def stats(values: dict, name: str) -> DurationStats:
            return DurationStats(
                count=values[f"{name}_count"] or 0,
                median=_seconds(values[f"{name}_median"]),
                p90=_seconds(values[f"{name}_p90"]),
            )

        per_village = {pk: {name: stats(values, name) for name in DURATIONS} for pk, values in grouped.items()}
        return per_village, {name: stats(overall, name) for name in DURATIONS}
    per_village: dict[int, dict[str, DurationStats]] = {}
    overall = {}
    for name, end in DURATIONS.items():
        for pk, group in _percentile_rows(warnings, end, by_village=True).items():
            per_village.setdefault(pk, {})[name] = _stats_from_positions(group)
        overall[name] = _stats_from_positions(_percentile_rows(warnings, end, by_village=False).get(None))
    return per_village, overall


# --- The report -----------------------------------------------------------------------------------


def kpi_report(
    *,
    user,
    today: datetime.date | None = None,
    since: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> KpiReport:
    """The KPIs of the warnings ``user`` may see (pushed on or after ``since``, if given), per village.

    A village head or a village's team sees their own village only (their scope), never other villages."""
    today = today or timezone.localdate()
    warnings = WarningOrder.objects.for_user(user)
    if since is not None:
        warnings = warnings.filter(pushed_at__date__gte=since)
    counts = status_rows(warnings, today, now)
    visits = visit_rows(warnings)
    durations, overall_durations = _durations(warnings)
    with_data = set(counts) | set(visits)
    villages = (
        units_visible_to(user).filter(Q(kind=UnitKind.VILLAGE, is_active=True) | Q(pk__in=with_data)).order_by("code")
    )
    total = KpiRow()
    rows = []
    for village in villages:
        row = counts.get(village.pk) or KpiRow()
        row.village = village
        row.visits_due, row.visits_on_time = visits.get(village.pk, (0, 0))
        for name, stats in durations.get(village.pk, {}).items():
            setattr(row, name, stats)
        total.add_counts(row)
        rows.append(row)
    for name in DURATIONS:
        setattr(total, name, overall_durations[name])
    return KpiReport(villages=rows, total=total, today=today, since=since)
