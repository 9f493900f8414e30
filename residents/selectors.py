"""Reads of the registry, always through the user's scope (organization.access).

Every function returns a queryset that is already scoped, filtered (with the filters shared by the
pages, exports and API) and annotated, so the pages run a fixed number of queries however many rows
they show.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from organization.models import Unit
from organization.selectors import villages_for_user

from .filters import HouseholdFilter, ResidentFilter
from .models import Household, Resident, ResidentTag


def _count_of(queryset: QuerySet, outer_field: str) -> Coalesce:
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
    # Ordered as the (village, address) unique index is: a page reads 25 index entries, never sorts the scope.
    return households.annotate(member_count=_count_of(Resident.objects.all(), "household")).order_by(
        "village_id", "address", "pk"
    )


def residents_for_user(*, user, params: Mapping | None = None) -> QuerySet[Resident]:
    """Residents in ``user``'s scope, filtered by ``params`` (``q``, ``village``, ``grid``, ``tag``, ``has_household``).

    Rows come with their village, household and the household's grid (one query for a page).
    """
    residents = Resident.objects.for_user(user).select_related("village", "household", "household__grid")
    if params:
        residents = ResidentFilter(params, queryset=residents).qs
    return residents.order_by("village_id", "name", "pk")  # the (village, name) index's order


def household_members(*, user, household: Household) -> QuerySet[Resident]:
    """The members of ``household`` that ``user`` may see (all of them, for a household in scope)."""
    return Resident.objects.for_user(user).filter(household=household).order_by("pk")


def village_overview_for_user(*, user) -> QuerySet[Unit]:
    """Villages in scope with ``household_count``, ``resident_count`` and ``<tag>_count`` per tag: one query."""
    residents = Resident.objects.all()
    counts = {
        "household_count": _count_of(Household.objects.all(), "village"),
        "resident_count": _count_of(residents, "village"),
    }
    for tag in ResidentTag.values:
        counts[f"{tag}_count"] = _count_of(residents.with_tag(tag), "village")
    return villages_for_user(user=user).annotate(**counts)
