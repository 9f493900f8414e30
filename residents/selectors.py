"""Reads of the registry, always through the user's scope (organization.access).

Every function returns a queryset that is already scoped, filtered (with the filters shared by the
pages, exports and API) and annotated, so the pages run a fixed number of queries however many rows
they show.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from organization.access import units_visible_to
from organization.models import Unit, UnitKind
from organization.selectors import villages_for_user

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident, ResidentTag


def count_of(queryset: QuerySet, outer_field: str) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` rows whose ``outer_field`` is the outer row (0 when none).

    A subquery, not ``Count()`` over a join, so that search filters joining the same relation (a member's
    name, for instance) cannot change the count.
    """
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def households_for_user(*, user, params: Mapping | None = None) -> QuerySet[Household]:
    """Households in ``user``'s scope, filtered by ``params`` (``q``, ``village``, ``grid``), with ``member_count``."""
    households = Household.objects.for_user(user).select_related("village", "grid")
    if params:
        households = HouseholdFilter(params, queryset=households).qs
    # Ordered as the (village, sort_key, id) index is (幸福路5号 before 43号, core.natural): a page reads 25
    # index entries, never sorts the scope.
    return households.annotate(member_count=count_of(Resident.objects.all(), "household")).order_by(
        "village_id", "sort_key", "pk"
    )


def residents_for_user(*, user, params: Mapping | None = None) -> QuerySet[Resident]:
    """Residents in ``user``'s scope, filtered by ``params`` (``q``, ``village``, ``grid``, ``tag``, ``has_household``).

    Rows come with their village, household and the household's grid (one query for a page).
    """
    residents = Resident.objects.for_user(user).select_related("village", "household", "household__grid")
    if params:
        residents = ResidentFilter(params, queryset=residents).qs
    return residents.order_by("village_id", "name", "pk")  # the (village, name) index's order


def households_in_code_order(households: QuerySet[Household], *, user) -> QuerySet[Household]:
    """``households`` ordered by village code, address (natural order) and id, the API's order.

    When the villages in ``user``'s scope were created in the order of their codes (a town imported from its
    list, as usual), ordering by the village id is the same order, and it is the (village, sort_key, id) index's:
    a page reads its own rows. Otherwise the villages' codes are joined and sorted, as before (one small query
    over the scope's villages decides).
    """
    ids = list(units_visible_to(user).filter(kind=UnitKind.VILLAGE).order_by("code").values_list("pk", flat=True))
    if ids == sorted(ids):
        return households.order_by("village_id", "sort_key", "pk")
    return households.order_by("village__code", "sort_key", "pk")


# --- Exact list counts from counters kept above the registry ------------------------------------------------

ListCounter = Callable[..., "int | None"]
LIST_FILTERS = {"household": HouseholdFilter, "resident": ResidentFilter}
_list_counters: dict[str, list[ListCounter]] = {"household": [], "resident": []}


def list_counter_add(kind: str, counter: ListCounter) -> None:
    """Let an app above the registry count a list from counters it keeps (called from its ``AppConfig.ready``).

    ``counter(user=, filters=)`` gets the list's filters that were given (``{name: value}``, empty values left
    out) and answers the exact number of rows, or None when it cannot (a search, a filter it does not count).
    The door-knocking campaign counts households and residents from its coverage counters.
    """
    if counter not in _list_counters[kind]:
        _list_counters[kind].append(counter)


def list_count(kind: str, *, user, params: Mapping | None) -> int | None:
    """The exact size of the ``kind`` list (``"household"`` or ``"resident"``) filtered by ``params``, from the
    counters of an app above the registry, without counting the rows; None when no counter knows it."""
    params = params or {}
    filters = {}
    for name in LIST_FILTERS[kind].base_filters:
        value = params.get(name)
        if value is not None and str(value).strip():
            filters[name] = str(value).strip()
    for counter in _list_counters[kind]:
        found = counter(user=user, filters=filters)
        if found is not None:
            return found
    return None


def household_members(*, user, household: Household) -> QuerySet[Resident]:
    """The members of ``household`` that ``user`` may see (all of them, for a household in scope)."""
    return Resident.objects.for_user(user).filter(household=household).order_by("pk")


# --- The villages' overview: counts over the whole registry, cached ----------------------------------------

OVERVIEW_SECONDS = 10 * 60
OVERVIEW_VERSION = "residents:overview:version"
OVERVIEW_FORMAT = "1"  # bump when the cached rows change shape


def _overview_version() -> int:
    found = cache.get(OVERVIEW_VERSION)
    if found is None:
        cache.add(OVERVIEW_VERSION, time.time_ns(), None)
        found = cache.get(OVERVIEW_VERSION)
    return found


def _bump_overview() -> None:
    try:
        cache.incr(OVERVIEW_VERSION)
    except ValueError:  # not in the cache (yet, or evicted): a value no earlier entry carries
        cache.set(OVERVIEW_VERSION, time.time_ns(), None)


def registry_changed(sender=None, **kwargs) -> None:
    """A resident or household was saved or deleted: the overview's counts are recomputed at the next view
    (now, and again when the transaction commits, so counts read in between are not kept)."""
    _bump_overview()
    transaction.on_commit(_bump_overview)


def village_counts(village_ids: list[int]) -> dict[int, dict[str, int]]:
    """{village id: {"household_count", "resident_count", "<tag>_count" …}}: two grouped queries, cached.

    Kept under a version bumped by every resident or household saved or deleted (:func:`registry_changed`,
    connected by the app) and the highest resident and household ids (bulk inserts, such as the import, send
    no signal); entries also expire after ``OVERVIEW_SECONDS``, the bound on a bulk update's delay."""
    if not village_ids:
        return {}
    highest = Resident.objects.aggregate(n=Max("pk"))["n"], Household.objects.aggregate(n=Max("pk"))["n"]
    where = hashlib.sha1(",".join(map(str, sorted(village_ids))).encode(), usedforsecurity=False).hexdigest()
    key = f"residents:overview:{OVERVIEW_FORMAT}:{_overview_version()}:{highest[0]}:{highest[1]}:{where}"
    found = cache.get(key)
    if found is not None:
        return found
    columns = ["household_count", "resident_count", *(f"{tag}_count" for tag in ResidentTag.values)]
    found = {pk: dict.fromkeys(columns, 0) for pk in village_ids}
    households = (
        Household.objects.filter(village_id__in=village_ids).order_by().values("village_id").annotate(n=Count("pk"))
    )
    for row in households:
        found[row["village_id"]]["household_count"] = row["n"]
    tags = {f"{tag}_count": Count("pk", filter=Q(**{f"is_{tag}": True})) for tag in ResidentTag.values}
    residents = (
        Resident.objects.filter(village_id__in=village_ids)
        .order_by()
        .values("village_id")
        .annotate(resident_count=Count("pk"), **tags)
    )
    for row in residents:
        found[row["village_id"]].update({name: row[name] for name in columns[1:]})
    cache.set(key, found, OVERVIEW_SECONDS)
    return found


def village_overview_for_user(*, user) -> list[Unit]:
    """Villages in scope with ``household_count``, ``resident_count`` and ``<tag>_count`` per tag set on each
    (:func:`village_counts`: from the cache, or two grouped queries)."""
    villages = list(villages_for_user(user=user))
    counts = village_counts([village.pk for village in villages])
    for village in villages:
        for name, value in counts[village.pk].items():
            setattr(village, name, value)
    return villages
