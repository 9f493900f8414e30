"""Who sees and who writes publicity records and work plans.

Reading: the shared scope (``organization.access``), except that police see their own station's
records rather than the whole town (``PublicityQuerySet.police_see_station``): a department's publicity
work is the department's business, and leadership and the governance centre see everything.

Writing: a user records work for their *own* unit only (the department, school, police station or village
they belong to — a village's head and team log the village's own publicity, 五(三); for work plans also the
town: ``organization.actors.own_unit``), never for
another unit in their scope. Superusers and system administrators (``is_admin``) may act for any unit.
"""

from __future__ import annotations

from django.db.models import QuerySet

from organization.actors import is_admin, own_unit
from organization.models import Unit, UnitKind

from .models import ACTIVITY_KINDS, KIND_DUTIES, LOGGING_KINDS, Duty, UnitDuty

PLAN_KINDS = (*LOGGING_KINDS, UnitKind.VILLAGE, UnitKind.TOWN)


def logging_unit(user) -> Unit | None:
    """The unit ``user`` records publicity work for (their department, school, police station or village), or
    None."""
    return own_unit(user, ACTIVITY_KINDS)


def logging_units(user) -> QuerySet:
    """The units ``user`` may log publicity activities for."""
    if is_admin(user):
        return Unit.objects.filter(kind__in=ACTIVITY_KINDS, is_active=True)
    unit = logging_unit(user)
    return Unit.objects.filter(pk=unit.pk) if unit else Unit.objects.none()


def can_log_for(user, unit: Unit) -> bool:
    if is_admin(user):
        return unit.kind in ACTIVITY_KINDS
    own = logging_unit(user)
    return own is not None and own.pk == unit.pk


def plan_units(user) -> QuerySet:
    """The units whose work plans ``user`` may manage: their own unit (any unit for administrators)."""
    if is_admin(user):
        return Unit.objects.filter(kind__in=PLAN_KINDS, is_active=True)
    unit = own_unit(user, PLAN_KINDS)
    return Unit.objects.filter(pk=unit.pk) if unit else Unit.objects.none()


def can_manage_plan_of(user, unit: Unit) -> bool:
    if is_admin(user):
        return True
    own = own_unit(user, PLAN_KINDS)
    return own is not None and own.pk == unit.pk


def duties_of(unit: Unit | None) -> list[str]:
    """The plan's parts ``unit`` carries: configured ones, else by the unit's kind."""
    if unit is None:
        return []
    duties = list(UnitDuty.objects.filter(unit=unit).values_list("duty", flat=True))
    by_kind = KIND_DUTIES.get(unit.kind)
    if by_kind and by_kind not in duties:
        duties.append(by_kind)
    return [duty for duty in Duty.values if duty in duties]


def has_duty(unit: Unit | None, duty: str) -> bool:
    return duty in duties_of(unit)
