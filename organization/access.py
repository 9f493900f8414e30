"""What may this user see and do? The one place that answers it.

Every list, detail, export, API view and dashboard query narrows its queryset with
:func:`scope_queryset` (or ``Model.objects.for_user(user)``), and every action checks :func:`can`.
Details are fetched with ``get_object_or_404(Model.objects.for_user(user), ...)`` so that an object
outside the user's scope answers 404, exactly like one that does not exist.

Scope is a set of *root units*: the user sees rows attached to those units or anything below them.
Each model says which unit its rows belong to with a ``scope_field`` attribute (a lookup path such
as ``"village"`` or ``"household__village"``; ``""`` for :class:`Unit` itself).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Role, Unit, UnitKind

# The county's leadership (县反诈中心) holds the town leadership's capabilities over every town of its county.
LEADERSHIP_ROLES = frozenset(
    {Role.LEADERSHIP_LEADER, Role.LEADERSHIP_DEPUTY, Role.LEADERSHIP_MEMBER, Role.COUNTY_LEADERSHIP}
)
VILLAGE_TEAM_ROLES = frozenset(
    {Role.VILLAGE_HEAD, Role.DISSUASION_TEAM, Role.GRID_WORKER, Role.POLICE_ASSISTANT, Role.VOLUNTEER}
)
POLICE_ROLES = frozenset({Role.POLICE})


class _Everything:
    """Sentinel: no restriction (superusers and system administrators)."""

    def __repr__(self):
        return "EVERYTHING"


EVERYTHING = _Everything()


def _town_or_top(unit: Unit) -> Unit:
    return unit.ancestor(UnitKind.TOWN) or unit


def _root_for_role(role: str, unit: Unit) -> Unit | None:
    if role == Role.COUNTY_LEADERSHIP:
        return unit.ancestor(UnitKind.COUNTY)  # placed outside a county: no scope
    if role in LEADERSHIP_ROLES or role == Role.GOVERNANCE:
        return _town_or_top(unit)
    if role in POLICE_ROLES:
        # A police station's jurisdiction is the town (or county) it sits in.
        station = unit.ancestor(UnitKind.POLICE_STATION)
        return station.parent if station and station.parent_id else _town_or_top(unit)
    if role in VILLAGE_TEAM_ROLES:
        return unit.ancestor(UnitKind.VILLAGE)
    if role == Role.SCHOOL_STAFF:
        return unit.ancestor(UnitKind.SCHOOL)
    if role == Role.DEPARTMENT_STAFF:
        return unit.ancestor(UnitKind.DEPARTMENT)
    return None


def scope_roots(user) -> list[Unit] | _Everything:
    """The units whose subtrees ``user`` may see, or :data:`EVERYTHING`. Cached on the user object."""
    cached = getattr(user, "_scope_roots", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        roots: list[Unit] | _Everything = []
    elif is_admin(user):
        roots = EVERYTHING
    elif user.unit_id is None:
        roots = []
    else:
        found = {}
        for role in user.role_codes:
            root = _root_for_role(role, user.unit)
            if root is not None:
                found[root.path] = root
        # Drop roots already covered by a wider one.
        paths = sorted(found)
        kept = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        roots = [found[p] for p in kept]
    user._scope_roots = roots
    return roots


SCOPE_UNITS_CACHE_SECONDS = 3600
_TREE_VERSION_KEY = "organization:unit-tree-version"

# Bumped whenever a unit is saved or deleted (organization.apps connects it): the unit ids cached on a user
# object, and those in the shared cache (stored with the tree's version), are worked out again.
_tree_generation = 0


def unit_tree_changed(**kwargs) -> None:
    """The unit tree changed: forget every cached list of a subtree's unit ids (in this process and shared).

    The shared version changes now (this process's own reads) and again on commit (a reader in another
    process that computed the ids before the commit stored them under the version of now, which is gone).
    """
    global _tree_generation
    _tree_generation += 1
    cache.set(_TREE_VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(_TREE_VERSION_KEY, uuid.uuid4().hex, None))


def _subtree_q(roots: Iterable[Unit]) -> Q:
    return reduce(or_, (Q(path__startswith=root.path) for root in roots))


def _subtree_ids(roots: list[Unit]) -> list[int]:
    """The ids below ``roots``, from the shared cache when the tree has not changed since (no query)."""
    key = "organization:subtree-ids:" + ",".join(str(pk) for pk in sorted(root.pk for root in roots))
    found = cache.get_many([_TREE_VERSION_KEY, key])
    version = found.get(_TREE_VERSION_KEY)
    stored = found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_TREE_VERSION_KEY, version, None)
        version = cache.get(_TREE_VERSION_KEY, version)
    ids = sorted(Unit.objects.filter(_subtree_q(roots)).values_list("pk", flat=True))
    cache.set(key, (version, ids), SCOPE_UNITS_CACHE_SECONDS)
    return ids


def scope_unit_ids(user, roots: list[Unit]) -> list[int]:
    """The ids of every unit at or below ``roots``, worked out once per request (cached on the user object)."""
    cached = getattr(user, "_scope_unit_ids", None)
    if cached is None or cached[0] != _tree_generation:
        cached = (_tree_generation, {})
        user._scope_unit_ids = cached
    key = tuple(sorted(root.pk for root in roots))
    ids = cached[1].get(key)
    if ids is None:
        ids = cached[1][key] = _subtree_ids(roots)
    return ids


def _scope_q(model, user, roots: list[Unit]) -> Q:
    """Rows whose unit is at or below ``roots``.

    Units themselves: their indexed path prefix. Every other model: its unit's id in the list of the
    subtree's ids (``village_id IN (…)``), so the planner reads the foreign-key index with exact figures
    rather than joining the unit table on a path prefix it cannot estimate (at county scale: whole tables).
    """
    field = getattr(model, "scope_field", None)
    if field is None:
        raise TypeError(f"{model.__name__} has no scope_field: it cannot be scoped")
    if not field:
        return _subtree_q(roots)
    return Q(**{f"{field}_id__in": scope_unit_ids(user, roots)})


def _station_instead_of_town(user, roots: list[Unit]) -> list[Unit]:
    """Police roots narrowed to their own station (for records that are each unit's own business)."""
    if not user.role_codes & POLICE_ROLES or user.role_codes & (LEADERSHIP_ROLES | {Role.GOVERNANCE}):
        return roots
    kept = [root for root in roots if root.kind not in (UnitKind.TOWN, UnitKind.COUNTY)]
    station = user.unit.ancestor(UnitKind.POLICE_STATION) if user.unit_id else None
    return [*kept, station] if station is not None else kept


def scope_queryset(
    queryset: QuerySet, user, *, capability: str | None = None, police_see_station: bool = False
) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see.

    ``capability``: rows that only some roles may see at all (minors' data): nothing without it.
    ``police_see_station``: police see their own station's rows rather than their whole jurisdiction
    (a department's publicity work is its own business); leadership and governance keep the town.
    Querysets declare both as class attributes (see :class:`organization.models.ScopedQuerySet`).
    """
    if capability is not None and not can(user, capability):
        return queryset.none()
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return queryset
    if police_see_station and roots:
        roots = _station_instead_of_town(user, roots)
    if not roots:
        return queryset.none()
    return queryset.filter(_scope_q(queryset.model, user, roots))


def units_visible_to(user) -> QuerySet:
    return scope_queryset(Unit.objects.all(), user)


def unit_in_scope(user, unit: Unit) -> bool:
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return True
    return any(unit.path.startswith(root.path) for root in roots)


def unit_id_in_scope(user, unit_id: int | None) -> bool:
    """Whether rows of the unit ``unit_id`` are in ``user``'s scope, as ``Model.objects.for_user`` filters them
    (its ``village_id IN (…)``), without a query once the scope's ids are known: for a row read along with
    another one (a person's pledge, read with the person)."""
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return True
    return bool(roots) and unit_id in scope_unit_ids(user, roots)


def narrowed_to(user, unit: Unit):
    """``user`` seen through ``unit`` only (a county's leadership drilling down to one town): a copy of the user
    whose scope is ``unit``'s subtree, for the reads of one page. 404 unless ``unit`` is in ``user``'s scope."""
    if not unit_in_scope(user, unit):
        raise Http404
    narrowed = copy.copy(user)
    narrowed._scope_roots = [unit]
    narrowed._scope_unit_ids = None
    return narrowed


def sees_everything_in_town(user) -> bool:
    """Leadership-level reach: the whole town (or more)."""
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return True
    return any(root.kind in (UnitKind.TOWN, UnitKind.COUNTY) for root in roots)


# What each role may do. Features add their capabilities here, in one table.
CAPABILITIES: dict[str, frozenset[str]] = {
    "organization.view_units": LEADERSHIP_ROLES
    | POLICE_ROLES
    | VILLAGE_TEAM_ROLES
    | {Role.GOVERNANCE, Role.SCHOOL_STAFF, Role.DEPARTMENT_STAFF},
    # Resident registry
    "residents.view": LEADERSHIP_ROLES | POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE},
    "residents.edit": POLICE_ROLES | (VILLAGE_TEAM_ROLES - {Role.VOLUNTEER}),
    "residents.reveal": LEADERSHIP_ROLES | POLICE_ROLES | (VILLAGE_TEAM_ROLES - {Role.VOLUNTEER}),
    "residents.import": LEADERSHIP_ROLES | POLICE_ROLES | {Role.VILLAGE_HEAD},
    "residents.export": LEADERSHIP_ROLES | POLICE_ROLES | {Role.VILLAGE_HEAD, Role.GOVERNANCE},
    "audit.view_access_log": LEADERSHIP_ROLES,
    # Warnings and dissuasion (the workflow's own per-warning rules live in warnings_followup.services)
    "warnings.view": LEADERSHIP_ROLES | POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE},
    "warnings.push": POLICE_ROLES,
    "warnings.visit": POLICE_ROLES | VILLAGE_TEAM_ROLES,
    # Village heads and teams see their own village's standing (their scope is their village).
    "warnings.kpi": LEADERSHIP_ROLES | POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE},
    # Door-knocking outreach (敲门行动): visits, pledges, coverage
    "campaigns.view": LEADERSHIP_ROLES | POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE},
    "campaigns.visit": VILLAGE_TEAM_ROLES | POLICE_ROLES,
    "campaigns.export": LEADERSHIP_ROLES | POLICE_ROLES | {Role.VILLAGE_HEAD, Role.GOVERNANCE},
    # Departments' and schools' publicity work, and every unit's work plan (任务再分解)
    # ... and the villages' own (五(三)): the village head and team, within their village
    "publicity.view": LEADERSHIP_ROLES
    | POLICE_ROLES
    | VILLAGE_TEAM_ROLES
    | {Role.GOVERNANCE, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF},
    "publicity.log": POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF},
    "publicity.view_workplans": LEADERSHIP_ROLES
    | POLICE_ROLES
    | {Role.GOVERNANCE, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF, Role.VILLAGE_HEAD},
    "publicity.manage_workplans": LEADERSHIP_ROLES
    | POLICE_ROLES
    | {Role.GOVERNANCE, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF, Role.VILLAGE_HEAD},
    # Schools: students and the card-opening approval chain (两卡); minors' data
    "schools.view_students": POLICE_ROLES | {Role.SCHOOL_STAFF},
    "schools.manage_students": {Role.SCHOOL_STAFF},
    "schools.apply": {Role.SCHOOL_STAFF},
    "schools.review": {Role.SCHOOL_STAFF},
    "schools.police_check": POLICE_ROLES,
    "schools.export": POLICE_ROLES | {Role.SCHOOL_STAFF},
    # Schools' education work and compliance
    "education.log": {Role.SCHOOL_STAFF},
    "education.view": LEADERSHIP_ROLES | {Role.SCHOOL_STAFF, Role.GOVERNANCE},
    # The town's school calendar (semesters) and its named schools: leadership, and the supervising school's staff
    # (education.selectors.supervising_school_of)
    "education.semesters": LEADERSHIP_ROLES,
    # The supervising school's staff (罗村镇中心学校, education.SupervisingSchool) read the town's schools'
    # compliance, never their records or students: see education.selectors.schools_for_user
    "education.supervise": {Role.SCHOOL_STAFF},
    # Fraud cases (police register; leadership and the village see them)
    "fraud_cases.view": LEADERSHIP_ROLES | POLICE_ROLES | {Role.GOVERNANCE, Role.VILLAGE_HEAD},
    "fraud_cases.register": POLICE_ROLES,
    # Case analysis (by type, age group, sex, village, month, source; a year earlier): villages see their own
    "fraud_cases.analysis": LEADERSHIP_ROLES | POLICE_ROLES | {Role.GOVERNANCE, Role.VILLAGE_HEAD},
    # Typical cases (典型案例) and dissuasion scripts: the police and the governance centre write them; everyone
    # doing outreach or follow-up reads the published ones
    "fraud_cases.view_typical": LEADERSHIP_ROLES | POLICE_ROLES | VILLAGE_TEAM_ROLES | {Role.GOVERNANCE},
    "fraud_cases.write_typical": POLICE_ROLES | {Role.GOVERNANCE},
    # Assessment and accountability
    "assessment.dashboard": LEADERSHIP_ROLES | {Role.GOVERNANCE},
    "assessment.callback": LEADERSHIP_ROLES | {Role.GOVERNANCE},
    "assessment.supervise": LEADERSHIP_ROLES,
    "assessment.summon": LEADERSHIP_ROLES,
    # Accountability items (约谈、通报批评): leadership, and the unit they are against (read): the village head, the
    # department's or school's staff, the station's police (their station's items only: AccountabilityQuerySet)
    "assessment.accountability": LEADERSHIP_ROLES
    | POLICE_ROLES
    | {Role.GOVERNANCE, Role.VILLAGE_HEAD, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF},
    # The summoned unit answers (整改报告): its village head, its department's or school's staff, its station's
    # police (own unit only: assessment.services.is_unit_head)
    "assessment.rectify": POLICE_ROLES | {Role.VILLAGE_HEAD, Role.DEPARTMENT_STAFF, Role.SCHOOL_STAFF},
    "assessment.indicators": LEADERSHIP_ROLES | POLICE_ROLES | {Role.GOVERNANCE},
    # A village's own standing (its indicators, score, rank in the town, band): the village head and team
    "assessment.standing": VILLAGE_TEAM_ROLES,
    # Reports to the county (报送) and the year's target: the leadership group
    "assessment.reports": LEADERSHIP_ROLES,
    # Year-end nominations (先进集体和个人): the leadership group and the governance centre propose from the
    # figures; the leadership group decides
    "assessment.nominate": LEADERSHIP_ROLES | {Role.GOVERNANCE},
    "assessment.award": LEADERSHIP_ROLES,
}


def is_admin(user) -> bool:
    """A superuser or a system administrator: sees everything, may do everything, acts for every side of every
    workflow and for any unit (see :mod:`organization.actors`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.SYSTEM_ADMIN))


def can(user, capability: str) -> bool:
    """May ``user`` use ``capability`` (within their scope)? Who may act on one record: :mod:`organization.actors`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_admin(user):
        return True
    allowed = CAPABILITIES.get(capability)
    if allowed is None:
        raise KeyError(f"unknown capability {capability!r}")
    return bool(user.role_codes & allowed)


def require(user, capability: str) -> None:
    """Raise 404 unless ``user`` may use ``capability``: "no access" looks like "not found"."""
    if not can(user, capability):
        raise Http404


def scope_description(user) -> str:
    """A human-readable name of what ``user`` sees, for the home page."""
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return _("Everything")
    if not roots:
        return "—"
    return "、".join(root.name for root in roots)
