"""The coverage counters (:class:`GridCoverage`, :class:`CoverageWeek`), kept by the writes they count.

Every service that changes a counted figure adds its deltas here, inside its own transaction, in one statement
(``INSERT … ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n``): the counters commit or roll back with the rows
they count, and concurrent writers add up instead of overwriting each other.

* a household registered (``residents.services.household_create``): ``households`` + 1 in its grid;
* a household moved to another grid or village (``household_update``): everything it contributes moves;
* a resident registered in, moved into, out of or between households: ``residents`` (and their pledge) move;
* a door visit (``door_visit_record``): the week's ``visits``; the first visit that found someone at home
  adds the household to ``households_visited`` and to that week's ``households_reached``; the first visit
  with the app installed adds it to ``app_installs``; the household's row is locked, so two visits of the
  same household at the same moment count once;
* a pledge (``pledge_record``): ``residents_pledged``, in the total and in the week it was signed.

Bulk writers (the registry import, the demo and scale generators) recount what they touched:
:func:`coverage_recount`, also ``manage.py recount_coverage [--check]``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from residents.models import Household, Resident

from .models import CoverageWeek, DoorVisit, GridCoverage, Pledge

CELL_FIELDS = ("households", "households_visited", "residents", "residents_pledged", "app_installs")
WEEK_FIELDS = ("visits", "households_reached", "residents_pledged")

Cell = tuple[int, int]  # (unit id: the grid, or the village for its households without a grid; village id)
WeekKey = tuple[int, int, datetime.date]


def cell_of(village_id: int, grid_id: int | None) -> Cell:
    return (grid_id or village_id, village_id)


def week_of(moment: datetime.datetime) -> datetime.date:
    """The Monday (Asia/Shanghai) of the week containing ``moment``."""
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class Deltas:
    cells: dict[Cell, Counter] = field(default_factory=dict)
    weeks: dict[WeekKey, Counter] = field(default_factory=dict)

    def cell(self, cell: Cell, **figures: int) -> Deltas:
        self.cells.setdefault(cell, Counter()).update(figures)
        return self

    def week(self, cell: Cell, week: datetime.date, **figures: int) -> Deltas:
        self.weeks.setdefault((*cell, week), Counter()).update(figures)
        return self

    def merge(self, other: Deltas) -> Deltas:
        for key, figures in other.cells.items():
            self.cell(key, **figures)
        for (unit, village, week), figures in other.weeks.items():
            self.week((unit, village), week, **figures)
        return self

    def moved(self, old: Cell, new: Cell) -> Deltas:
        """These deltas (one cell's) taken out of ``old`` and put into ``new``."""
        result = Deltas()
        for figures in self.cells.values():
            result.cell(old, **{k: -v for k, v in figures.items()}).cell(new, **figures)
        for (_unit, _village, week), figures in self.weeks.items():
            result.week(old, week, **{k: -v for k, v in figures.items()}).week(new, week, **figures)
        return result


def _upsert_sql(table: str, keys: tuple[str, ...], conflict: tuple[str, ...], fields: tuple[str, ...], rows, *, add):
    columns = (*keys, *fields)
    values = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in rows)
    if add:
        updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in fields)
    else:
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in fields)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "  # noqa: S608 (names from the models)
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}, village_id = EXCLUDED.village_id"
    )
    params = [value for row in rows for value in row]
    return sql, params


def _write(cells: dict[Cell, dict], weeks: dict[WeekKey, dict], *, add: bool) -> None:
    """Upsert ``cells`` and ``weeks`` (added to the stored figures, or replacing them) in one statement."""
    cell_rows = [
        (*key, *(figures.get(name, 0) for name in CELL_FIELDS))
        for key, figures in sorted(cells.items())
        if not add or any(figures.values())
    ]
    week_rows = [
        (*key, *(figures.get(name, 0) for name in WEEK_FIELDS))
        for key, figures in sorted(weeks.items())
        if not add or any(figures.values())
    ]
    parts = []
    if cell_rows:
        parts.append(
            _upsert_sql(
                GridCoverage._meta.db_table, ("unit_id", "village_id"), ("unit_id",), CELL_FIELDS, cell_rows, add=add
            )
        )
    if week_rows:
        parts.append(
            _upsert_sql(
                CoverageWeek._meta.db_table,
                ("unit_id", "village_id", "week"),
                ("unit_id", "week"),
                WEEK_FIELDS,
                week_rows,
                add=add,
            )
        )
    if not parts:
        return
    if len(parts) == 2 and connection.vendor == "postgresql":  # one round trip: the first upsert in a WITH
        parts = [(f"WITH cells AS ({parts[0][0]} RETURNING 1) {parts[1][0]}", parts[0][1] + parts[1][1])]
    with connection.cursor() as cursor:
        for sql, params in parts:
            cursor.execute(sql, params)


def coverage_counters_add(deltas: Deltas) -> None:
    _write(deltas.cells, deltas.weeks, add=True)


# --- what each write changes --------------------------------------------------------------------------


def coverage_count_household_added(*, household: Household) -> None:
    coverage_counters_add(Deltas().cell(cell_of(household.village_id, household.grid_id), households=1))


def household_contribution(household_id: int) -> Deltas:
    """Everything one household adds to the counters (in its current cell)."""
    figures = _figures(lambda prefix: Q(**{f"{prefix}pk" if not prefix else f"{prefix}id": household_id}))
    return Deltas(cells=figures.cells, weeks=figures.weeks)


@transaction.atomic(savepoint=False)
def coverage_count_household_moved(*, household: Household, old_village_id: int, old_grid_id: int | None) -> None:
    old, new = cell_of(old_village_id, old_grid_id), cell_of(household.village_id, household.grid_id)
    if old == new:
        return
    coverage_counters_add(household_contribution(household.pk).moved(old, new))


def _resident_deltas(cell: Cell, sign: int, pledge_signed_at: datetime.datetime | None) -> Deltas:
    deltas = Deltas().cell(cell, residents=sign)
    if pledge_signed_at is not None:
        deltas.cell(cell, residents_pledged=sign).week(cell, week_of(pledge_signed_at), residents_pledged=sign)
    return deltas


@transaction.atomic(savepoint=False)
def coverage_count_resident_moved(*, resident: Resident, old_household_id: int | None) -> None:
    """``resident`` now lives in ``resident.household`` (or none); before, in ``old_household_id`` (or none)."""
    if old_household_id == resident.household_id:
        return
    deltas = Deltas()
    signed_at = None
    if old_household_id is not None:  # a newly registered person has no pledge yet
        signed_at = Pledge.objects.filter(resident_id=resident.pk).values_list("signed_at", flat=True).first()
        old = Household.objects.filter(pk=old_household_id).values_list("village_id", "grid_id").first()
        if old is not None:
            deltas.merge(_resident_deltas(cell_of(*old), -1, signed_at))
    if resident.household_id is not None:
        household = resident.household
        deltas.merge(_resident_deltas(cell_of(household.village_id, household.grid_id), 1, signed_at))
    coverage_counters_add(deltas)


# The deltas of one new visit, worked out from the household's other visits and added in one statement.
VISIT_SQL = """
WITH before AS (
    SELECT min(visited_at) FILTER (WHERE someone_home) AS first, count(*) FILTER (WHERE app_installed) AS installs
    FROM campaigns_doorvisit WHERE household_id = %(household)s AND id <> %(visit)s
), d AS (
    SELECT (%(home)s AND first IS NULL)::int AS reached,
           (%(app)s AND installs = 0)::int AS installed,
           date_trunc('week', first AT TIME ZONE %(tz)s)::date AS first_week,
           (%(home)s AND first IS NOT NULL AND %(at)s < first
            AND date_trunc('week', first AT TIME ZONE %(tz)s)::date <> %(week)s)::int AS earlier
    FROM before
), cells AS (
    INSERT INTO campaigns_gridcoverage
        (unit_id, village_id, households, households_visited, residents, residents_pledged, app_installs)
    SELECT %(unit)s, %(village)s, 0, reached, 0, 0, installed FROM d WHERE reached + installed > 0
    ON CONFLICT (unit_id) DO UPDATE SET
        households_visited = campaigns_gridcoverage.households_visited + EXCLUDED.households_visited,
        app_installs = campaigns_gridcoverage.app_installs + EXCLUDED.app_installs
    RETURNING 1
)
INSERT INTO campaigns_coverageweek (unit_id, village_id, week, visits, households_reached, residents_pledged)
SELECT %(unit)s, %(village)s, %(week)s, 1, reached + earlier, 0 FROM d
UNION ALL
SELECT %(unit)s, %(village)s, first_week, 0, -1, 0 FROM d WHERE earlier = 1
ON CONFLICT (unit_id, week) DO UPDATE SET
    visits = campaigns_coverageweek.visits + EXCLUDED.visits,
    households_reached = campaigns_coverageweek.households_reached + EXCLUDED.households_reached
"""


@transaction.atomic(savepoint=False)
def coverage_count_visit(*, visit: DoorVisit, cell: Cell | None = None) -> None:
    """Count a new door visit (already saved) in one statement.

    The household's row must be locked (its earlier visits decide what is new: the first visit that found
    someone, the first install, or a visit recorded late but earlier than the one that first found someone):
    ``door_visit_record`` locks it and passes its ``cell``; without ``cell`` it is locked here.
    """
    if cell is None:
        row = Household.objects.select_for_update().filter(pk=visit.household_id).values_list("village_id", "grid_id")
        cell = cell_of(*row.get())
    if connection.vendor != "postgresql":  # SQLite in development: the same deltas in two statements
        coverage_counters_add(_visit_deltas(visit, cell))
        return
    params = {
        "household": visit.household_id,
        "visit": visit.pk,
        "home": visit.someone_home,
        "app": visit.app_installed,
        "at": visit.visited_at,
        "week": week_of(visit.visited_at),
        "tz": timezone.get_current_timezone_name(),
        "unit": cell[0],
        "village": cell[1],
    }
    with connection.cursor() as cursor:
        cursor.execute(VISIT_SQL, params)


def _visit_deltas(visit: DoorVisit, cell: Cell) -> Deltas:
    """What ``VISIT_SQL`` adds, worked out in Python."""
    before = (
        DoorVisit.objects.filter(household_id=visit.household_id)
        .exclude(pk=visit.pk)
        .aggregate(
            first=Min("visited_at", filter=Q(someone_home=True)), installs=Count("pk", filter=Q(app_installed=True))
        )
    )
    week, first = week_of(visit.visited_at), before["first"]
    deltas = Deltas().week(cell, week, visits=1)
    if visit.app_installed and not before["installs"]:
        deltas.cell(cell, app_installs=1)
    if visit.someone_home and first is None:
        deltas.cell(cell, households_visited=1).week(cell, week, households_reached=1)
    elif visit.someone_home and visit.visited_at < first and week_of(first) != week:
        deltas.week(cell, week_of(first), households_reached=-1).week(cell, week, households_reached=1)
    return deltas


def coverage_count_pledge(*, pledge: Pledge, household: Household | None) -> None:
    """Count a new pledge of a resident living in ``household`` (none: not counted, like the recount)."""
    if household is None:
        return
    cell = cell_of(household.village_id, household.grid_id)
    coverage_counters_add(
        Deltas().cell(cell, residents_pledged=1).week(cell, week_of(pledge.signed_at), residents_pledged=1)
    )


# --- recount ------------------------------------------------------------------------------------------


def _cell_values(prefix: str) -> dict:
    return {"u": Coalesce(f"{prefix}grid_id", f"{prefix}village_id"), "v": F(f"{prefix}village_id")}


def _week(expression: str):
    return TruncWeek(expression, tzinfo=timezone.get_current_timezone(), output_field=DateField())


def _figures(where: Callable[[str], Q]) -> Deltas:
    """Every counter recounted from the rows, for the households selected by ``where(prefix)`` (a Q on
    the household fields seen from each model: ``""`` from Household, ``"household__"`` from a visit…)."""
    result = Deltas()

    def add_cells(queryset, prefix: str, **aggregates):
        rows = queryset.filter(where(prefix)).values(**_cell_values(prefix)).annotate(**aggregates).order_by()
        for row in rows:
            result.cell((row["u"], row["v"]), **{name: row[name] for name in aggregates})

    def add_weeks(queryset, prefix: str, moment: str, name: str):
        rows = (
            queryset.filter(where(prefix))
            .values(**_cell_values(prefix), w=_week(moment))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            result.week((row["u"], row["v"]), row["w"], **{name: row["n"]})

    add_cells(Household.objects.all(), "", households=Count("pk"))
    add_cells(Resident.objects.filter(household__isnull=False), "household__", residents=Count("pk"))
    add_cells(
        DoorVisit.objects.all(),
        "household__",
        households_visited=Count("household", distinct=True, filter=Q(someone_home=True)),
        app_installs=Count("household", distinct=True, filter=Q(app_installed=True)),
    )
    add_cells(
        Pledge.objects.filter(resident__household__isnull=False),
        "resident__household__",
        residents_pledged=Count("pk"),
    )
    add_weeks(DoorVisit.objects.all(), "household__", "visited_at", "visits")
    add_weeks(
        Pledge.objects.filter(resident__household__isnull=False),
        "resident__household__",
        "signed_at",
        "residents_pledged",
    )
    first_reached = Subquery(
        DoorVisit.objects.reached().filter(household=OuterRef("pk")).order_by("visited_at").values("visited_at")[:1]
    )
    add_weeks(
        Household.objects.annotate(first=first_reached).filter(first__isnull=False), "", "first", "households_reached"
    )
    for figures in [*result.cells.values(), *result.weeks.values()]:
        for name in [name for name, value in figures.items() if not value]:
            del figures[name]
    return result


def _stored(village_ids: list[int] | None, *, lock: bool):
    cells = GridCoverage.objects.all()
    weeks = CoverageWeek.objects.all()
    if village_ids is not None:
        cells, weeks = cells.filter(village_id__in=village_ids), weeks.filter(village_id__in=village_ids)
    if lock:
        cells, weeks = cells.select_for_update(), weeks.select_for_update()
    stored_cells = {
        (row["unit_id"], row["village_id"]): row for row in cells.values("unit_id", "village_id", *CELL_FIELDS)
    }
    stored_weeks = {
        (row["unit_id"], row["village_id"], row["week"]): row
        for row in weeks.values("unit_id", "village_id", "week", *WEEK_FIELDS)
    }
    return stored_cells, stored_weeks


def _differences(expected: dict, stored: dict, fields: tuple[str, ...]) -> dict:
    """``{key: expected figures}`` for every key whose stored figures differ (missing rows count as zeros)."""
    changed = {}
    for key in expected.keys() | stored.keys():
        want = {name: expected.get(key, {}).get(name, 0) for name in fields}
        have = {name: stored.get(key, {}).get(name, 0) for name in fields}
        if want != have:
            changed[key] = want
    return changed


@dataclass
class RecountResult:
    cells: dict[Cell, dict]  # the cells whose counters differed, with the recounted figures
    weeks: dict[WeekKey, dict]

    def __bool__(self) -> bool:
        return bool(self.cells or self.weeks)

    def describe(self) -> list[str]:
        return [f"unit {key[0]} (village {key[1]}): {figures}" for key, figures in sorted(self.cells.items())] + [
            f"unit {key[0]} (village {key[1]}), week of {key[2]}: {figures}"
            for key, figures in sorted(self.weeks.items())
        ]


@transaction.atomic
def coverage_recount(*, village_ids: Iterable[int] | None = None, check: bool = False) -> RecountResult:
    """Recount the counters of ``village_ids`` (every village by default) from the rows themselves.

    Returns what differed. With ``check`` nothing is written; otherwise the stored rows are locked first, so
    a visit being recorded meanwhile adds its delta after the recount, on top of figures that do not hold it.
    """
    ids = None if village_ids is None else sorted(set(village_ids))
    if ids == []:
        return RecountResult({}, {})
    stored_cells, stored_weeks = _stored(ids, lock=not check)
    where = (lambda prefix: Q()) if ids is None else (lambda prefix: Q(**{f"{prefix}village_id__in": ids}))
    expected = _figures(where)
    result = RecountResult(
        cells=_differences(expected.cells, stored_cells, CELL_FIELDS),
        weeks=_differences(expected.weeks, stored_weeks, WEEK_FIELDS),
    )
    if not check and result:
        gone_weeks = [key for key in result.weeks if key not in expected.weeks]
        _write(result.cells, {k: v for k, v in result.weeks.items() if k in expected.weeks}, add=False)
        for unit_id, _village_id, week in gone_weeks:
            CoverageWeek.objects.filter(unit_id=unit_id, week=week).delete()
    return result
