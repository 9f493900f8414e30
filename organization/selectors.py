"""Reads of the organisation, always through the user's scope."""

from django.db.models import Count, Q

from .access import units_visible_to
from .models import Unit


def units_for_user(*, user, kind: str | None = None, search: str = ""):
    units = units_visible_to(user).select_related("parent")
    if kind:
        units = units.filter(kind=kind)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return units.annotate(member_count=Count("members", distinct=True)).order_by("path")


def unit_children(*, user, unit: Unit):
    return units_for_user(user=user).filter(parent=unit)
