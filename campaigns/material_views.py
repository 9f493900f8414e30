"""Print-ready A4 pages of the outreach materials: the letter, the police contact cards and the pledge forms.

Wording from :func:`campaigns.materials.material_for` (edited in the admin), numbers from ``PoliceContact``.
Each pledge form carries the household's reference, address and members' names, so that a signed paper
form can be matched to the household when it is photographed. Pledge forms name people: they are printed
only for households in the user's scope, and each print is written to the access log.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import require, units_visible_to
from organization.models import UnitKind
from residents.models import Household, Resident

from .materials import closing_lines, material_for, police_contacts
from .models import Material

CARDS_PER_PAGE = 6  # two columns, three rows: each card about 95 × 85 mm
PRINTABLE = {"letter": Material.LETTER, "contact_card": Material.CONTACT_CARD}


def _households(user):
    members = Resident.objects.order_by("pk").only("pk", "name", "relation", "household_id")
    return (
        Household.objects.for_user(user)
        .select_related("village__parent", "grid")
        .defer("contact_phone")
        .prefetch_related(Prefetch("members", queryset=members))
    )


def _material_context(material) -> dict:
    return {"material": material, "closing": closing_lines(material), "printed_at": timezone.localtime()}


@login_required
@require_GET
def print_material(request, kind):
    """The letter (one A4 page) or a sheet of police contact cards (six to an A4 page, to cut)."""
    require(request.user, "campaigns.view")
    if kind not in PRINTABLE:
        raise Http404
    unit = request.user.unit  # the user's town's wording and numbers (its county's, the installation's)
    material = material_for(PRINTABLE[kind], unit)
    context = _material_context(material) | {"contacts": police_contacts(unit)}
    if kind == "contact_card":
        context["cards"] = range(CARDS_PER_PAGE)
        return render(request, "campaigns/print_contact_cards.html", context)
    return render(request, "campaigns/print_letter.html", context)


def _render_forms(request, households, *, title: str, log_obj=None):
    material = material_for(Material.PLEDGE_FORM, request.user.unit)
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=log_obj,
        object_repr=_("Pledge forms printed: %(what)s (%(count)d households)")
        % {"what": title, "count": len(households)},
        fields=["name", "address"],
    )
    return render(
        request,
        "campaigns/print_pledge_forms.html",
        _material_context(material) | {"households": households, "sheet_title": title},
    )


@login_required
@require_GET
@never_cache
def print_pledge_form(request, pk):
    """One household's pledge form."""
    require(request.user, "campaigns.view")
    household = get_object_or_404(_households(request.user), pk=pk)
    return _render_forms(request, [household], title=household.address, log_obj=household)


@login_required
@require_GET
@never_cache
def print_pledge_forms(request):
    """The pledge forms of every household of a grid (``?unit=GRID_CODE``), one per A4 page."""
    require(request.user, "campaigns.view")
    code = request.GET.get("unit", "").strip()
    grid = get_object_or_404(units_visible_to(request.user).filter(kind=UnitKind.GRID), code=code)
    households = list(_households(request.user).filter(grid=grid).order_by("sort_key", "pk"))
    return _render_forms(request, households, title=grid.name, log_obj=grid)
