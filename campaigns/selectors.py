"""Reads of the door-knocking outreach, always through the user's scope (``Model.objects.for_user``).

Every list comes already scoped, filtered (with the filters shared by the pages, exports and API)
and annotated, so that a page runs a fixed number of queries however many rows it shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from organization.access import scope_queryset
from organization.models import Unit, UnitKind, User, UserRole
from residents.models import Household, Resident

from .filters import DoorVisitFilter, OutreachHouseholdFilter, PledgeFilter, visited_q
from .models import CoverageWeek, DoorVisit, GridCoverage, Pledge

ALL_GRIDS = "all"


def _count_of(queryset: QuerySet, outer_field: str) -> Coalesce:
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def default_grid_code(user) -> str:
    """A grid worker's list opens on their own grid."""
    unit = getattr(user, "unit", None)
    return unit.code if unit is not None and unit.kind == UnitKind.GRID else ""


def outreach_params(user, params: Mapping) -> dict:
    """The list's filters with the defaults: the worker's own grid, households still to visit."""
    cleaned = {key: params.get(key, "") for key in ("q", "village", "grid", "show")}
    if not cleaned["grid"]:
        cleaned["grid"] = default_grid_code(user)
    if cleaned["show"] not in ("todo", "visited", "all"):
        cleaned["show"] = "todo"
    return cleaned


def households_to_visit(*, user, params: Mapping) -> QuerySet[Household]:
    """Households in scope with ``visited``, ``visit_count``, ``last_visit_at``, ``member_count`` and
    ``pledged_count``, by village and address in natural order (the registry's (village, sort_key, id) index
    order: a page reads only its rows);
    with ``show=all``, not yet visited first. ``params`` as returned by :func:`outreach_params`."""
    filters = {"q": params.get("q", ""), "village": params.get("village", "")}
    if params.get("grid") and params["grid"] != ALL_GRIDS:
        filters["grid"] = params["grid"]
    show = params.get("show", "todo")
    if show == "todo":
        filters["visited"] = "false"
    elif show == "visited":
        filters["visited"] = "true"
    households = Household.objects.for_user(user).select_related("village", "grid").defer("contact_phone")
    households = OutreachHouseholdFilter(filters, queryset=households).qs
    last_visit = (
        DoorVisit.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(last=Max("visited_at"))
        .values("last")[:1]
    )
    return households.annotate(
        # Known from the filter but for show=all (an EXISTS in the SELECT list is hashed over every visit).
        visited=visited_q() if show == "all" else Value(show == "visited"),
        visit_count=_count_of(DoorVisit.objects.all(), "household"),
        last_visit_at=Subquery(last_visit),
        member_count=_count_of(Resident.objects.all(), "household"),
        pledged_count=_count_of(Resident.objects.filter(pledge__isnull=False), "household"),  # by the member index
    ).order_by(*(["visited"] if show == "all" else []), "village_id", "sort_key", "pk")


def _cells(*, user, village: str = "", grid: str = "") -> QuerySet[GridCoverage]:
    """The coverage counters' cells in ``user``'s scope, of one village and one grid (codes) when given."""
    cells = scope_queryset(GridCoverage.objects.all(), user)
    if village:
        cells = cells.filter(village__code=village)
    if grid:
        cells = cells.filter(unit__code=grid, unit__kind=UnitKind.GRID)
    return cells


def households_to_visit_count(*, user, params: Mapping) -> int | None:
    """How many households :func:`households_to_visit` lists, from the coverage counters (a few rows per
    grid); None with a search, which only the list itself can count."""
    if params.get("q", "").strip():
        return None
    grid = params.get("grid", "")
    cells = _cells(user=user, village=params.get("village", ""), grid="" if grid == ALL_GRIDS else grid)
    totals = cells.aggregate(households=Sum("households"), visited=Sum("households_visited"))
    households, visited = totals["households"] or 0, totals["visited"] or 0
    show = params.get("show", "todo")
    return households - visited if show == "todo" else visited if show == "visited" else households


def registry_households_count(*, user, filters: Mapping) -> int | None:
    """The registry's household list and API (``residents.selectors.list_count``): how many households
    ``filters`` (``village``, ``grid``, ``visited``) select, from the counters; None for any other filter."""
    if set(filters) - {"village", "grid", "visited"} or filters.get("visited", "true") not in ("true", "false"):
        return None
    cells = _cells(user=user, village=filters.get("village", ""), grid=filters.get("grid", ""))
    totals = cells.aggregate(households=Sum("households"), visited=Sum("households_visited"))
    households, visited = totals["households"] or 0, totals["visited"] or 0
    return {"true": visited, "false": households - visited}.get(filters.get("visited"), households)


def registry_residents_count(*, user, filters: Mapping) -> int | None:
    """The registry's resident list (``residents.selectors.list_count``): how many residents ``filters``
    (``village``, ``grid``, ``has_household``) select: the counters (residents in a household) and the few
    residents in no household, in one query; None for any other filter, or for the loose residents alone."""
    has_household = filters.get("has_household")
    if set(filters) - {"village", "grid", "has_household"} or has_household not in (None, "true"):
        return None
    cells = _cells(user=user, village=filters.get("village", ""), grid=filters.get("grid", ""))
    if has_household or filters.get("grid"):  # a grid is a household's: its residents all have one
        return cells.aggregate(n=Coalesce(Sum("residents"), 0))["n"]
    loose = Resident.objects.for_user(user).filter(household__isnull=True)
    if filters.get("village"):
        loose = loose.filter(village__code=filters["village"])
    loose = loose.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return cells.aggregate(n=Coalesce(Sum("residents"), 0) + Subquery(loose, output_field=IntegerField()))["n"]


def visit_queryset() -> QuerySet[DoorVisit]:
    return DoorVisit.objects.select_related("household__village", "household__grid", "recorded_by").prefetch_related(
        Prefetch("visitors", queryset=User.objects.order_by("username"))
    )


def visits_for_user(*, user, params: Mapping | None = None) -> QuerySet[DoorVisit]:
    visits = visit_queryset().for_user(user)
    if params:
        visits = DoorVisitFilter(params, queryset=visits).qs
    return visits.order_by("-visited_at", "-pk")


def pledge_queryset() -> QuerySet[Pledge]:
    return Pledge.objects.select_related("resident__village", "resident__household__grid", "visit", "collected_by")


def pledges_for_user(*, user, params: Mapping | None = None) -> QuerySet[Pledge]:
    pledges = pledge_queryset().for_user(user)
    if params:
        pledges = PledgeFilter(params, queryset=pledges).qs
    return pledges.order_by("-signed_at", "-pk")


def _unfiltered(params: Mapping | None, names) -> bool:
    return not params or not any(str(params.get(name, "")).strip() for name in names)


def visits_count(*, user, params: Mapping | None = None) -> int | None:
    """How many visits the unfiltered register lists, from the weekly counters (None once filtered)."""
    if not _unfiltered(params, DoorVisitFilter.base_filters):
        return None
    return scope_queryset(CoverageWeek.objects.all(), user).aggregate(n=Sum("visits"))["n"] or 0


def pledges_count(*, user, params: Mapping | None = None) -> int | None:
    """How many pledges the unfiltered register lists: the counters (residents in a household) and the few
    pledges of residents without one (None once filtered)."""
    if not _unfiltered(params, PledgeFilter.base_filters):
        return None
    loose = (
        Pledge.objects.for_user(user)
        .filter(resident__household__isnull=True)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    cells = scope_queryset(GridCoverage.objects.all(), user)
    return cells.aggregate(n=Coalesce(Sum("residents_pledged"), 0) + Subquery(loose, output_field=IntegerField()))["n"]


def household_visits(*, user, household: Household) -> list[DoorVisit]:
    return list(visits_for_user(user=user).filter(household=household))


def household_members_with_pledges(*, user, household: Household) -> list[Resident]:
    """The members of ``household`` in scope, each with ``pledge`` loaded (or missing)."""
    return list(
        Resident.objects.for_user(user)
        .filter(household=household)
        .select_related("pledge", "pledge__collected_by")
        .order_by("pk")
    )


@dataclass
class PledgeLookup:
    """What the town knows of one person found by ID number: their pledge, and the visits of their household."""

    resident: Resident
    pledge: Pledge | None
    visits: list[DoorVisit]


def pledge_lookup(*, user, id_number: str) -> PledgeLookup | None:
    """Find a resident in scope by exact ID number (through the keyed hash); None when not found."""
    resident = (
        Resident.objects.for_user(user).by_id_number(id_number).select_related("village", "household__grid").first()
    )
    if resident is None:
        return None
    pledge = pledges_for_user(user=user).filter(resident=resident).first()
    visits = household_visits(user=user, household=resident.household) if resident.household_id else []
    return PledgeLookup(resident=resident, pledge=pledge, visits=visits)


def load_caller(user) -> None:
    """The caller's unit (with the two units above it) and roles in one query: the capability and scope
    checks of a request then ask the database nothing more about the caller."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id or getattr(user, "_role_codes", None):
        return
    if connection.vendor != "postgresql":  # ArraySubquery is PostgreSQL's; elsewhere the checks load them
        return
    unit = (
        Unit.objects.select_related("parent__parent")
        .annotate(role_codes=ArraySubquery(UserRole.objects.filter(user_id=user.pk).values("role")))
        .get(pk=user.unit_id)
    )
    user.unit = unit
    user._role_codes = frozenset(unit.role_codes)
