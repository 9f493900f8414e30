"""Coverage of the door-knocking outreach (敲门行动, "全覆盖、无死角"), per grid, village and town.

Definitions (the coverage page says the same in words):

* **households**: registered households of the unit. A grid's households are those whose ``Household.grid``
  is the grid; a village's those whose ``Household.village`` is the village (households not yet assigned to
  a grid count for the village only); a town's are the sum of its villages (found by ``Unit.path``).
* **households_visited**: households with at least one *reached* visit (``DoorVisit.objects.reached()``:
  someone was at home), up to ``as_of``. A not-at-home visit does not count; a household visited twice
  counts once.
* **residents**: registered residents living in those households (``Resident.household``).
* **residents_pledged**: those residents with a signed pledge (承诺书) signed up to ``as_of``.
* **app_installs**: households where the 国家反诈中心 app was installed with the visitor's help during at least
  one visit (``DoorVisit.app_installed``), up to ``as_of``; a household counts once.
* **visits_this_week**: every visit recorded (at home or not) in the calendar week of ``as_of``, Monday 00:00
  to ``as_of``, in the town's time zone (Asia/Shanghai).
* **rates**: ``coverage_rate`` = households_visited / households, ``pledge_rate`` = residents_pledged /
  residents, ``app_install_rate`` = app_installs / households; 0 when the denominator is 0.

:func:`coverage_by_unit` answers "now" from the counters (``GridCoverage``, ``CoverageWeek``, kept by the services
that write households, residents, visits and pledges: ``campaigns/counters.py``) in at most three queries, reading
a few rows per grid whatever the number of households. Given an ``as_of`` (a closed period), it counts the rows
up to that moment instead: at most nine queries, each figure one grouped aggregate, by grid and by village.
:func:`weekly_series` likewise.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from organization.models import Unit, UnitKind
from residents.models import Household, Resident

from .counters import CELL_FIELDS, week_of
from .models import CoverageWeek, DoorVisit, GridCoverage, Pledge

COVERAGE_KINDS = (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)
FIGURES = ("households", "households_visited", "residents", "residents_pledged", "app_installs", "visits_this_week")
SERIES_WEEKS = 12


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class Coverage:
    unit: Unit
    households: int = 0
    households_visited: int = 0
    residents: int = 0
    residents_pledged: int = 0
    app_installs: int = 0
    visits_this_week: int = 0
    # A town's: {village id: households not visited} (the pages of its list, :class:`NotVisitedByVillage`).
    not_visited_by_village: dict[int, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def households_not_visited(self) -> int:
        return self.households - self.households_visited

    @property
    def coverage_rate(self) -> float:
        return _rate(self.households_visited, self.households)

    @property
    def coverage_percent(self) -> float:
        return round(self.coverage_rate * 100, 1)

    @property
    def pledge_rate(self) -> float:
        return _rate(self.residents_pledged, self.residents)

    @property
    def app_install_rate(self) -> float:
        return _rate(self.app_installs, self.households)

    def add(self, other: Coverage) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}


def coverage_rate(coverage: Coverage | int, households: int | None = None) -> float:
    """Households visited / households, 0 when there are none.

    ``coverage_rate(coverage)`` with a :class:`Coverage`, or ``coverage_rate(households_visited, households)``.
    """
    if households is None:
        return _rate(coverage.households_visited, coverage.households)
    return _rate(coverage, households)


def week_start(moment: datetime.datetime) -> datetime.datetime:
    """Monday 00:00 (Asia/Shanghai, the current time zone) of the week containing ``moment``."""
    local = timezone.localtime(moment)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))


# --- figures ------------------------------------------------------------------------------------------


def _counts(key: str, ids: list[int], as_of: datetime.datetime) -> dict[int, dict[str, int]]:
    """Every figure for the units ``ids``, grouped by the household's ``key`` ("grid" or "village")."""
    result: dict[int, dict[str, int]] = {pk: dict.fromkeys(FIGURES, 0) for pk in ids}
    if not ids:
        return result
    since = week_start(as_of)

    for row in Household.objects.filter(**{f"{key}__in": ids}).values(key).annotate(n=Count("pk")).order_by():
        result[row[key]]["households"] = row["n"]

    member_key = f"household__{key}"
    residents = Resident.objects.filter(**{f"{member_key}__in": ids}).values(member_key).annotate(n=Count("pk"))
    for row in residents.order_by():
        result[row[member_key]]["residents"] = row["n"]

    visits = (
        DoorVisit.objects.filter(**{f"{member_key}__in": ids}, visited_at__lte=as_of)
        .values(member_key)
        .annotate(
            visited=Count("household", distinct=True, filter=Q(someone_home=True)),
            installs=Count("household", distinct=True, filter=Q(app_installed=True)),
            this_week=Count("pk", filter=Q(visited_at__gte=since)),
        )
        .order_by()
    )
    for row in visits:
        figures = result[row[member_key]]
        figures["households_visited"] = row["visited"]
        figures["app_installs"] = row["installs"]
        figures["visits_this_week"] = row["this_week"]

    pledge_key = f"resident__household__{key}"
    pledges = (
        Pledge.objects.filter(**{f"{pledge_key}__in": ids}, signed_at__lte=as_of)
        .values(pledge_key)
        .annotate(n=Count("pk"))  # one pledge per resident: pledges = residents who pledged
        .order_by()
    )
    for row in pledges:
        result[row[pledge_key]]["residents_pledged"] = row["n"]
    return result


def _counted(grid_ids: list[int], village_ids: list[int]) -> tuple[dict, dict]:
    """Every figure of the grids and villages now, from the counters: two queries."""
    by_grid = {pk: dict.fromkeys(FIGURES, 0) for pk in grid_ids}
    by_village = {pk: dict.fromkeys(FIGURES, 0) for pk in village_ids}
    if not grid_ids and not village_ids:
        return by_grid, by_village
    cells = Q(unit_id__in=grid_ids) | Q(village_id__in=village_ids)

    def add(row, **figures):
        for target in (by_grid.get(row["unit_id"]), by_village.get(row["village_id"])):
            if target is not None:
                for name, value in figures.items():
                    target[name] += value

    for row in GridCoverage.objects.filter(cells).values("unit_id", "village_id", *CELL_FIELDS):
        add(row, **{name: row[name] for name in CELL_FIELDS})
    this_week = CoverageWeek.objects.filter(cells, week=week_of(timezone.now()))
    for row in this_week.values("unit_id", "village_id", "visits"):
        add(row, visits_this_week=row["visits"])
    return by_grid, by_village


def coverage_by_unit(units: Iterable[Unit], *, as_of: datetime.datetime | None = None) -> dict[int, Coverage]:
    """``{unit.pk: Coverage}`` for grids, villages and towns (any mix); other kinds are left out.

    Now (no ``as_of``): from the counters, at most three queries. As of a moment: counted from the rows, at
    most nine queries. Either way a bounded number of queries whatever the number of units and households.
    """
    units = [unit for unit in units if unit.kind in COVERAGE_KINDS]
    grids = [unit for unit in units if unit.kind == UnitKind.GRID]
    villages = {unit.pk: unit for unit in units if unit.kind == UnitKind.VILLAGE}
    towns = [unit for unit in units if unit.kind == UnitKind.TOWN]

    town_villages: dict[int, list[int]] = {town.pk: [] for town in towns}
    if towns:
        below = Unit.objects.filter(kind=UnitKind.VILLAGE).filter(
            reduce(or_, (Q(path__startswith=town.path) for town in towns))
        )
        for village in below.only("pk", "path", "code", "name", "kind", "parent_id"):
            villages.setdefault(village.pk, village)
            for town in towns:
                if village.path.startswith(town.path):
                    town_villages[town.pk].append(village.pk)

    if as_of is None:
        by_grid, by_village = _counted([grid.pk for grid in grids], list(villages))
    else:
        by_grid = _counts("grid", [grid.pk for grid in grids], as_of)
        by_village = _counts("village", list(villages), as_of)

    result: dict[int, Coverage] = {}
    for unit in units:
        if unit.kind == UnitKind.GRID:
            result[unit.pk] = Coverage(unit, **by_grid[unit.pk])
        elif unit.kind == UnitKind.VILLAGE:
            result[unit.pk] = Coverage(unit, **by_village[unit.pk])
        else:
            total = Coverage(unit)
            for village_pk in town_villages[unit.pk]:
                part = Coverage(villages[village_pk], **by_village[village_pk])
                total.add(part)
                total.not_visited_by_village[village_pk] = part.households_not_visited
            result[unit.pk] = total
    return result


def coverage_for(unit: Unit, *, as_of: datetime.datetime | None = None) -> Coverage:
    return coverage_by_unit([unit], as_of=as_of)[unit.pk]


# --- households of a unit -------------------------------------------------------------------------------


def villages_of(town: Unit) -> QuerySet:
    """The ids of the town's villages (a subquery)."""
    return Unit.objects.filter(kind=UnitKind.VILLAGE, path__startswith=town.path).values("pk")


def household_filter(unit: Unit, prefix: str = "") -> Q:
    """The households of ``unit`` (grid, village or town), as a Q on ``<prefix>`` + household fields."""
    if unit.kind == UnitKind.GRID:
        return Q(**{f"{prefix}grid": unit})
    if unit.kind == UnitKind.VILLAGE:
        return Q(**{f"{prefix}village": unit})
    if unit.kind == UnitKind.TOWN:  # by village id: the planner reads the index rather than joining on a path
        return Q(**{f"{prefix}village__in": villages_of(unit)})
    raise ValueError(f"no coverage for a {unit.kind}")


def reached_visit_exists() -> Exists:
    return Exists(DoorVisit.objects.reached().filter(household=OuterRef("pk")))


def member_count() -> Coalesce:
    """The household's members, as a subquery: computed for the rows shown only, never grouped over the unit."""
    members = Resident.objects.filter(household=OuterRef("pk")).order_by().values("household").annotate(n=Count("pk"))
    return Coalesce(Subquery(members.values("n")[:1], output_field=IntegerField()), 0)


def households_not_visited(unit: Unit, *, user=None) -> QuerySet:
    """Households of ``unit`` without a visit that found someone at home (scoped to ``user`` when given).

    Ordered by village and address in natural order (幸福路5号 before 43号), the order of the registry's
    (village, sort_key, id) index: a page reads its twenty rows from the index and stops, at any scale.
    Count it with the counters (``Coverage``), not here.
    """
    households = Household.objects.for_user(user) if user is not None else Household.objects.all()
    return (
        households.filter(household_filter(unit))
        .filter(~reached_visit_exists())
        .select_related("village", "grid")
        .defer("contact_phone")
        .annotate(member_count=member_count())
        .order_by("village_id", "sort_key", "pk")
    )


class NotVisitedByVillage:
    """A town's households not yet visited, in :func:`households_not_visited`'s order (village, then address),
    read village by village.

    Over a town the order (village, address) is no single index's: PostgreSQL reads every household of the first
    villages and checks each for a visit before it sorts (45 ms at 150,000 residents). Each village's rows are in
    the order of the (village, sort_key, id) index, and the counters say how many each village holds: a page skips
    the villages before it by their counts and picks its rows from the index of each village it falls in (one
    ``UNION ALL`` of a bounded scan per village), then reads those rows with what the page shows. Two queries a
    page, however many villages it spans. A sequence for ``Paginator``: ``count()`` and slices.
    """

    def __init__(self, town: Unit, *, not_visited: dict[int, int], user=None):
        self.rows = households_not_visited(town, user=user)
        self.villages = sorted(not_visited.items())  # (village id, households not visited), the list's order

    def count(self) -> int:
        return sum(n for _pk, n in self.villages)

    def __len__(self) -> int:
        return self.count()

    def _spans(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        """(village id, offset, limit) of the villages rows ``start:stop`` fall in, by the counters."""
        spans, before = [], 0
        for pk, n in self.villages:
            if before >= stop:
                break
            if n and before + n > start:
                offset = max(start - before, 0)
                spans.append((pk, offset, min(n, stop - before) - offset))
            before += n
        return spans

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item : item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        start, stop = item.start or 0, self.count() if item.stop is None else item.stop
        if item.step not in (None, 1) or start < 0 or stop < 0:
            raise ValueError("a forward slice")
        spans = self._spans(start, stop)
        if not spans:
            return []
        ids = self.rows.order_by("sort_key", "pk").values_list("pk", flat=True)
        parts = [ids.filter(village_id=pk)[offset : offset + limit] for pk, offset, limit in spans]
        chosen = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return list(self.rows.filter(pk__in=list(chosen)))


# --- over time ------------------------------------------------------------------------------------------


@dataclass
class WeeklySeries:
    weeks: list[datetime.date] = field(default_factory=list)  # each week's Monday
    households_visited: list[int] = field(default_factory=list)  # cumulative, at the end of each week
    residents_pledged: list[int] = field(default_factory=list)  # cumulative
    visits: list[int] = field(default_factory=list)  # visits made in the week (at home or not)


def _by_week(rows, key="week") -> dict[datetime.date, int]:
    counts: dict[datetime.date, int] = {}
    for row in rows:
        if row[key] is None:
            continue
        week = timezone.localtime(row[key]).date() if isinstance(row[key], datetime.datetime) else row[key]
        counts[week] = counts.get(week, 0) + row["n"]
    return counts


def _cumulative(counts: dict[datetime.date, int], weeks: list[datetime.date]) -> list[int]:
    running = sum(n for week, n in counts.items() if week < weeks[0])
    values = []
    for week in weeks:
        running += counts.get(week, 0)
        values.append(running)
    return values


def _counted_series(unit: Unit, mondays: list[datetime.date]) -> WeeklySeries:
    """The chart from the weekly counters: one grouped query over a few rows per grid and week."""
    if unit.kind == UnitKind.GRID:
        cells = Q(unit_id=unit.pk)
    elif unit.kind == UnitKind.VILLAGE:
        cells = Q(village_id=unit.pk)
    else:
        cells = Q(village_id__in=villages_of(unit))
    rows = list(
        CoverageWeek.objects.filter(cells, week__lte=mondays[-1])
        .values("week")
        .annotate(visits=Sum("visits"), reached=Sum("households_reached"), pledged=Sum("residents_pledged"))
        .order_by()
    )
    visits = {row["week"]: row["visits"] for row in rows}
    return WeeklySeries(
        weeks=mondays,
        households_visited=_cumulative({row["week"]: row["reached"] for row in rows}, mondays),
        residents_pledged=_cumulative({row["week"]: row["pledged"] for row in rows}, mondays),
        visits=[visits.get(week, 0) for week in mondays],
    )


def weekly_series(unit: Unit, *, as_of: datetime.datetime | None = None, weeks: int = SERIES_WEEKS) -> WeeklySeries:
    """The last ``weeks`` weeks (Monday start, Asia/Shanghai) for the coverage chart.

    A household counts as visited from the week of its first visit that found someone at home. Now (no
    ``as_of``): one query on the weekly counters; as of a moment: three queries on the rows.
    """
    this_monday = week_start(as_of or timezone.now()).date()
    mondays = [this_monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    if as_of is None:
        return _counted_series(unit, mondays)
    tz = timezone.get_current_timezone()

    first_reached = Subquery(
        DoorVisit.objects.reached()
        .filter(household=OuterRef("pk"), visited_at__lte=as_of)
        .order_by("visited_at")
        .values("visited_at")[:1]
    )
    visited = (
        Household.objects.filter(household_filter(unit))
        .annotate(first=first_reached)
        .filter(first__isnull=False)
        .annotate(week=TruncWeek("first", tzinfo=tz))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    pledges = (
        Pledge.objects.filter(household_filter(unit, "resident__household__"), signed_at__lte=as_of)
        .annotate(week=TruncWeek("signed_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    visits = (
        DoorVisit.objects.filter(
            household_filter(unit, "household__"),
            visited_at__lte=as_of,
            visited_at__gte=timezone.make_aware(datetime.datetime.combine(mondays[0], datetime.time.min)),
        )
        .annotate(week=TruncWeek("visited_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    visits_by_week = _by_week(visits)
    return WeeklySeries(
        weeks=mondays,
        households_visited=_cumulative(_by_week(visited), mondays),
        residents_pledged=_cumulative(_by_week(pledges), mondays),
        visits=[visits_by_week.get(week, 0) for week in mondays],
    )


def home_panel(*, user, today: datetime.date | None = None) -> dict | None:
    """The home page's door-knocking panel for the village team: their own grid's (or village's) coverage."""
    unit = user.unit if user.unit_id and user.unit.kind in (UnitKind.GRID, UnitKind.VILLAGE) else None
    if unit is None:
        return None
    return {"template": "campaigns/_home_panel.html", "unit": unit, "coverage": coverage_by_unit([unit])[unit.pk]}
