"""Coverage pages: a unit's numbers, its villages or grids (ranked for the town), a chart, and the to-do list.

``?unit=CODE`` picks a town, village or grid in the user's scope (404 outside it); without it the user's own
level: a grid worker's grid, a village head's village, the town for leadership and police. The figures and
their definitions are in ``coverage.py``; the page runs the same number of queries however many households.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import EVERYTHING, can, require, scope_roots, units_visible_to
from organization.models import Unit, UnitKind
from residents.export_views import CONTENT_TYPES, xlsx_bytes

from .coverage import (
    COVERAGE_KINDS,
    NotVisitedByVillage,
    coverage_by_unit,
    households_not_visited,
    weekly_series,
)
from .views import paginate

NOT_VISITED_PER_PAGE = 20
CHILD_KIND = {UnitKind.TOWN: UnitKind.VILLAGE, UnitKind.VILLAGE: UnitKind.GRID}


def format_rate(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def default_unit(user) -> Unit:
    """The user's own level: their grid, village or town, else the first town in their scope."""
    if user.unit_id and user.unit.kind in COVERAGE_KINDS:
        return user.unit
    roots = scope_roots(user)
    if roots is EVERYTHING:
        town = Unit.objects.filter(kind=UnitKind.TOWN).order_by("path").first()
        if town is not None:
            return town
        raise Http404
    for root in roots:
        if root.kind in COVERAGE_KINDS:
            return root
    raise Http404


def unit_for_request(request) -> Unit:
    """``?unit=CODE`` within the user's scope (404 outside it or for another kind of unit), else the default."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return default_unit(request.user)
    units = units_visible_to(request.user).filter(kind__in=COVERAGE_KINDS).select_related("parent__parent")
    return get_object_or_404(units, code=code)


def child_units(user, unit: Unit) -> list[Unit]:
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return []
    return list(units_visible_to(user).filter(parent=unit, kind=kind, is_active=True).order_by("code"))


def breadcrumb_units(user, unit: Unit) -> list[Unit]:
    """The unit's town and village above it, where the user may see them."""
    chain = []
    parent = unit.parent if unit.parent_id else None
    roots = scope_roots(user)
    while parent is not None and parent.kind in COVERAGE_KINDS:
        visible = roots is EVERYTHING or any(parent.path.startswith(root.path) for root in roots)
        if visible:
            chain.insert(0, parent)
        parent = parent.parent if parent.parent_id else None
    return chain


def coverage_rows(user, unit: Unit):
    """(the unit's Coverage, [children's Coverage]) — ranked by coverage rate for a town's villages."""
    children = child_units(user, unit)
    figures = coverage_by_unit([unit, *children])
    rows = [figures[child.pk] for child in children]
    if unit.kind == UnitKind.TOWN:
        rows.sort(key=lambda row: (-row.coverage_rate, -row.households_visited, row.unit.code))
    return figures[unit.pk], rows


def _chart_data(unit: Unit, total, series) -> dict:
    return {
        "unit": unit.name,
        "households": total.households,
        "residents": total.residents,
        "weeks": [week.strftime("%m-%d") for week in series.weeks],
        "households_visited": series.households_visited,
        "residents_pledged": series.residents_pledged,
        "visits": series.visits,
        "labels": {
            "households_visited": _("Households visited (cumulative)"),
            "residents_pledged": _("Residents with signed pledges (cumulative)"),
            "visits": _("Visits in the week"),
            "households": _("Households"),
            "week_of": _("Week of"),
        },
    }


@login_required
@require_GET
def coverage(request):
    require(request.user, "campaigns.view")
    unit = unit_for_request(request)
    total, rows = coverage_rows(request.user, unit)
    series = weekly_series(unit)
    # The unit is in the user's scope, so its counters count exactly the households listed.
    if unit.kind == UnitKind.TOWN:  # village by village, each from its index (see NotVisitedByVillage)
        rows_not_visited = NotVisitedByVillage(unit, not_visited=total.not_visited_by_village, user=request.user)
    else:
        rows_not_visited = households_not_visited(unit, user=request.user)
    page = paginate(request, rows_not_visited, per_page=NOT_VISITED_PER_PAGE, count=total.households_not_visited)
    return render(
        request,
        "campaigns/coverage.html",
        {
            "unit": unit,
            "total": total,
            "rows": rows,
            "ranked": unit.kind == UnitKind.TOWN,
            "child_kind": CHILD_KIND.get(unit.kind),
            "breadcrumbs": breadcrumb_units(request.user, unit),
            "page": page,
            "coverage_data": _chart_data(unit, total, series),
            "can_export": can(request.user, "campaigns.export"),
            "can_visit": can(request.user, "campaigns.visit"),
            "as_of": timezone.localtime(),
        },
    )


def _export_row(row) -> list:
    return [
        row.unit.code,
        row.unit.name,
        row.households,
        row.households_visited,
        format_rate(row.coverage_rate),
        row.residents,
        row.residents_pledged,
        format_rate(row.pledge_rate),
        row.app_installs,
        row.visits_this_week,
    ]


@login_required
@require_GET
def coverage_export(request):
    """The coverage table (the unit's villages or grids, and the unit's total) as an Excel sheet."""
    require(request.user, "campaigns.export")
    unit = unit_for_request(request)
    total, rows = coverage_rows(request.user, unit)
    headers = [
        _("Code"),
        _("Unit"),
        _("Households"),
        _("Households visited"),
        _("Coverage rate"),
        _("Residents"),
        _("Residents with signed pledges"),
        _("Pledge rate"),
        _("App installs"),
        _("Visits this week"),
    ]
    content = xlsx_bytes(headers, [_export_row(row) for row in [*rows, total]])
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("Coverage export: %(unit)s, %(count)d rows") % {"unit": unit.name, "count": len(rows) + 1},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="coverage-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"'
    patch_cache_control(response, private=True, no_store=True)
    return response
