"""Who may act on one record: the words every app's workflow rules are written in.

:mod:`organization.access` says who sees what (scope) and what each role may do (:func:`~organization.access.can`).
A workflow also asks on whose behalf a user acts on *this* record: the police whose jurisdiction holds it, the
people of the unit it belongs to (the village's team, the school's staff, the department's staff), or the unit a
user records work for. Each app keeps its per-record rules in its ``services.py`` (which side takes which step)
and builds them from these helpers. Superusers and system administrators (:func:`is_admin`) act for every side and
every unit.
"""

from __future__ import annotations

from collections.abc import Collection

from .access import POLICE_ROLES, is_admin, unit_in_scope
from .models import Unit

__all__ = ["holds", "is_admin", "is_police", "is_police_for", "own_unit", "works_in"]


def _has_role(user, roles: Collection[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*roles))


def holds(user, roles: Collection[str]) -> bool:
    """Does ``user`` hold one of ``roles`` (or is an administrator)? A step any holder takes, wherever the record."""
    return is_admin(user) or _has_role(user, roles)


def own_unit(user, kinds: Collection[str], *, roles: Collection[str] | None = None) -> Unit | None:
    """The unit ``user`` works for: the nearest unit of one of ``kinds`` at or above their own unit.

    ``roles``: only for a user holding one of them (None otherwise).
    """
    if not getattr(user, "unit_id", None):
        return None
    if roles is not None and not _has_role(user, roles):
        return None
    unit = user.unit
    while unit is not None:
        if unit.kind in kinds:
            return unit
        unit = unit.parent
    return None


def works_in(user, unit: Unit, *, roles: Collection[str]) -> bool:
    """Does ``user`` hold one of ``roles`` in ``unit`` itself or a unit below it (the unit's own people)?"""
    return bool(
        unit is not None
        and getattr(user, "unit_id", None)
        and _has_role(user, roles)
        and user.unit.path.startswith(unit.path)
    )


def is_police(user) -> bool:
    """Police staff (or an administrator)."""
    return holds(user, POLICE_ROLES)


def is_police_for(user, unit: Unit) -> bool:
    """Police staff whose jurisdiction holds ``unit`` (or an administrator)."""
    return is_admin(user) or (_has_role(user, POLICE_ROLES) and unit_in_scope(user, unit))
