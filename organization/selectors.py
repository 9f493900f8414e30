"""Reads of the organisation, always through the user's scope."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from .access import units_visible_to
from .models import Unit, UnitKind


def units_for_user(*, user, kind: str | None = None, search: str = ""):
    units = units_visible_to(user).select_related("parent")
    if kind:
        units = units.filter(kind=kind)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return units.annotate(member_count=Count("members", distinct=True)).order_by("path")


def user_names(through, *, owner: str, order_by: tuple[str, ...] = ("pk",)) -> ArraySubquery:
    """The names (``str(user)``: full name, else username) of the users a many-to-many ``through`` table links to
    the outer row (``owner``: the through table's field pointing at it), as an array, in ``order_by`` order:
    a list's "who went" without a query of its own."""
    names = (
        through.objects.filter(**{owner: OuterRef("pk")})
        .order_by(*order_by)
        .values_list(Coalesce(NullIf("user__full_name", Value("")), "user__username"), flat=True)
    )
    return ArraySubquery(names)


def unit_children(*, user, unit: Unit):
    return units_for_user(user=user).filter(parent=unit)


def villages_for_user(*, user):
    """The villages in ``user``'s scope: the choices of every village filter and form."""
    return units_visible_to(user).filter(kind=UnitKind.VILLAGE, is_active=True).order_by("code")


def grids_for_user(*, user, village: Unit | None = None):
    """The grids in ``user``'s scope (below ``village`` when given), with their village."""
    grids = units_visible_to(user).filter(kind=UnitKind.GRID, is_active=True).select_related("parent")
    if village is not None:
        grids = grids.filter(parent=village)
    return grids.order_by("code")


def people_in(unit: Unit, roles) -> QuerySet:
    """The active users holding one of ``roles`` in ``unit`` or any unit below it."""
    from .models import User

    return User.objects.filter(is_active=True, roles__role__in=list(roles), unit__path__startswith=unit.path).distinct()


def town_of(unit: Unit) -> Unit:
    """The unit a village, school or station sits in (itself at the top)."""
    return unit.parent if unit.parent_id else unit


def village_team(*, village: Unit) -> QuerySet:
    """The active members of a village's team (head, dissuasion team, grid workers, police assistants, volunteers)."""
    from .access import VILLAGE_TEAM_ROLES

    return people_in(village, VILLAGE_TEAM_ROLES).order_by("username")


def police_of(unit: Unit) -> QuerySet:
    """The police of the town ``unit`` sits in (their jurisdiction)."""
    from .access import POLICE_ROLES

    return people_in(town_of(unit), POLICE_ROLES)


# The installation's own defaults, used when neither the town nor its county set a value (the plan in force).
TOWN_SETTING_DEFAULTS = {
    "plan_title": "罗村镇防范治理电信网络新型违法犯罪宣防活动实施方案",
    "plan_number": "罗办发〔2023〕12号",
}


def _empty(value) -> bool:
    return value is None or value == ""


def town_setting(unit: Unit | None, name: str, default=None):
    """The value of setting ``name`` for ``unit``'s town: the town's own row, else its county's (and the counties
    above), else :data:`TOWN_SETTING_DEFAULTS` (else ``default``). ``unit`` may be any unit (a village, a grid, a
    station: its town's value) or None (the installation's default). One query for the rows up the tree."""
    from .models import TownSettings

    if name not in TownSettings.NAMES:
        raise KeyError(f"unknown town setting {name!r}")
    if unit is not None:
        codes = [code for code in unit.path.strip("/").split("/") if code]
        related = ["unit", "indicator_weights"] if name == "indicator_weights" else ["unit"]
        rows = {
            row.unit.path: row for row in TownSettings.objects.filter(unit__code__in=codes).select_related(*related)
        }
        # The nearest first: the town (or the unit itself), then up to the county.
        for path in sorted(rows, key=len, reverse=True):
            value = getattr(rows[path], name)
            if not _empty(value):
                return value
    return TOWN_SETTING_DEFAULTS.get(name, default)


def town_for(unit: Unit | None) -> Unit | None:
    """The town ``unit`` belongs to (itself for a town), or None above the towns (a county)."""
    return unit.ancestor(UnitKind.TOWN) if unit is not None else None
