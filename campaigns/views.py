"""Shared helpers of the outreach pages: scoped fetches (404 outside scope) and paging."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from residents.models import Household

from .models import DoorVisit, Pledge
from .selectors import pledge_queryset, visit_queryset

PAGE_SIZE = 25


def paginate(request, rows, *, per_page: int = PAGE_SIZE, count: int | None = None):
    """A page of ``rows``; ``count`` (from the counters) spares the ``COUNT(*)`` over the whole scope."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never queried
    return paginator.get_page(request.GET.get("page"))


def household_for(user, pk: int) -> Household:
    """A household in ``user``'s scope (404 otherwise, exactly like one that does not exist)."""
    return get_object_or_404(
        Household.objects.for_user(user).select_related("village", "grid").defer("contact_phone"), pk=pk
    )


def visit_for(user, pk: int) -> DoorVisit:
    return get_object_or_404(
        visit_queryset()
        .for_user(user)
        .prefetch_related("attachments", Prefetch("pledges", queryset=Pledge.objects.select_related("resident"))),
        pk=pk,
    )


def pledge_for(user, pk: int) -> Pledge:
    return get_object_or_404(pledge_queryset().for_user(user), pk=pk)


def visitor_names(visit: DoorVisit) -> str:
    return "、".join(str(user) for user in visit.visitors.all())
