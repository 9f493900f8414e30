"""Who sees and who writes publicity records and work plans.

Reading: the shared scope (``organization.access``), except that police see their own station's
records rather than the whole town (``PublicityQuerySet.police_see_station``): a department's publicity
work is the department's business, and leadership and the governance centre see everything.

Writing: a user records work for their *own* unit only (the department, school or police station
they belong to; for work plans also the village or the town), never for another unit in their scope.
Superusers and system administrators may act for any unit.
"""

from __future__ import annotations

from django.db.models import QuerySet

from organization.models import Role, Unit, UnitKind

from .models import KIND_DUTIES, LOGGING_KINDS, Duty, UnitDuty

PLAN_KINDS = (*LOGGING_KINDS, UnitKind.VILLAGE, UnitKind.TOWN)


def is_admin(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.SYSTEM_ADMIN))


def own_unit(user, kinds=LOGGING_KINDS) -> Unit | None:
    """The unit ``user`` records work for: the nearest unit of one of ``kinds`` at or above theirs."""
    unit = user.unit if user.unit_id else None
    while unit is not None:
        if unit.kind in kinds:
            return unit
        unit = unit.parent
    return None


def logging_units(user) -> QuerySet:
    """The units ``user`` may log publicity activities for."""
    if is_admin(user):
        return Unit.objects.filter(kind__in=LOGGING_KINDS, is_active=True)
    unit = own_unit(user)
    return Unit.objects.filter(pk=unit.pk) if unit else Unit.objects.none()


def can_log_for(user, unit: Unit) -> bool:
    if is_admin(user):
        return unit.kind in LOGGING_KINDS
    own = own_unit(user)
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
