"""Pledges (承诺书) kept on file (备案留存): signing, the register, one pledge, its print, its image, the
lookup by ID number.

Searching by an exact ID number: the search posts, so the number stays out of URLs (server logs,
browser history) and out of the page, and each such search is access-logged (which kind of number,
never the number itself), like the registry's lists. The signature image is served by a scoped view:
404 outside the user's scope.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessAction
from audit.services import access_log_record
from core.forms import apply_service_errors
from core.search import posted_search
from core.serving import serve_file
from core.validators import mask_id_number, normalize_id_number
from organization.access import can, require
from organization.selectors import grids_for_user, villages_for_user
from residents.models import Resident

from . import selectors, services
from .filters import is_id_number
from .forms import PledgeForm, PledgeLookupForm
from .materials import material_for
from .models import DoorVisit, Material, Pledge
from .views import household_for, paginate, pledge_for

LIST_PARAMS = ("q", "village", "grid", "date_from", "date_to")
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request, pk):
    """Sign the pledge for a member of the household, on the phone or by a photo of the signed form."""
    require(request.user, "campaigns.visit")
    household = household_for(request.user, pk)
    if not services.can_record_visit(request.user, household):
        raise Http404
    visit = None
    visit_id = request.GET.get("visit") or request.POST.get("visit")
    if visit_id:
        if not str(visit_id).isdigit():
            raise Http404
        visit = get_object_or_404(DoorVisit.objects.for_user(request.user), pk=visit_id, household=household)
    members = Resident.objects.for_user(request.user).filter(household=household).order_by("pk")
    initial = {}
    if request.GET.get("resident"):
        initial["resident"] = request.GET["resident"]
    if request.method == "POST" and _already_recorded(request.POST.get("client_id"), household):
        # The same rendered form sent twice (a double tap, a retried request): the pledge is on file.
        messages.info(request, _("This pledge had already been recorded."))
        return redirect("campaigns:household", pk=household.pk)
    form = PledgeForm(request.POST or None, request.FILES or None, residents=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.pledge_record(actor=request.user, visit=visit, **form.service_arguments())
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("Pledge of %(name)s kept on file.") % {"name": result.pledge.resident.name})
            else:
                messages.info(request, _("This pledge had already been recorded."))
            return redirect("campaigns:household", pk=household.pk)
    text = material_for(Material.PLEDGE_FORM)
    return render(
        request,
        "campaigns/pledge_form.html",
        {"form": form, "household": household, "visit": visit, "pledge_text": text, "has_members": form.has_choices},
    )


def _already_recorded(client_id, household) -> bool:
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        return False
    return Pledge.objects.filter(client_id=client_id, resident__household=household).exists()


def _search_params(request):
    """GET filters, or the posted search: an ID number is answered directly, never put in a URL (core.search)."""
    return posted_search(request, names=LIST_PARAMS, list_url=reverse("campaigns:pledge_list"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pledge_list(request):
    """The pledge register: search by name, household reference or exact ID number; village, grid, dates."""
    require(request.user, "campaigns.view")
    params, response = _search_params(request)
    if response is not None:
        return response
    pledges = selectors.pledges_for_user(user=request.user, params=params)
    query = params.get("q", "").strip()
    exact = is_id_number(query)
    page = paginate(request, pledges, count=selectors.pledges_count(user=request.user, params=params))
    if exact:
        found = list(page.object_list)
        access_log_record(
            request=request,
            action=AccessAction.SEARCH,
            obj=found[0].resident if len(found) == 1 else None,
            object_repr=_("Pledge register"),
            fields=["id_number"],
        )
    export_params = params.copy()
    if exact:
        export_params.pop("q", None)
    return render(
        request,
        "campaigns/pledge_list.html",
        {
            "page": page,
            "q": "" if exact else query,
            "exact_search": mask_id_number(normalize_id_number(query)) if exact else "",
            "params": params,
            "villages": list(villages_for_user(user=request.user)),
            "grids": list(grids_for_user(user=request.user)),
            "filtered": any(params.get(name) for name in LIST_PARAMS),
            "can_export": can(request.user, "campaigns.export"),
            "export_query": export_params.urlencode(),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pledge_lookup(request):
    """Find a person by ID number: did they sign the pledge, when, and who visited their household?"""
    require(request.user, "campaigns.view")
    form = PledgeLookupForm(request.POST or None)
    result = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        result = selectors.pledge_lookup(user=request.user, id_number=form.cleaned_data["id_number"])
        access_log_record(
            request=request,
            action=AccessAction.SEARCH,
            obj=result.resident if result else None,
            object_repr=_("Pledge lookup by ID number"),
            fields=["id_number"],
        )
        form = PledgeLookupForm()  # the number is never echoed back into the page
    return render(
        request,
        "campaigns/pledge_lookup.html",
        {"form": form, "result": result, "searched": searched},
    )


def _pledge_context(request, pk):
    require(request.user, "campaigns.view")
    pledge = pledge_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=pledge.resident, object_repr=str(pledge))
    visit = None
    if pledge.visit_id:
        visit = selectors.visits_for_user(user=request.user).filter(pk=pledge.visit_id).first()
    return {"pledge": pledge, "resident": pledge.resident, "visit": visit}


@login_required
@never_cache
def pledge_detail(request, pk):
    return render(request, "campaigns/pledge_detail.html", _pledge_context(request, pk))


@login_required
@never_cache
def pledge_print(request, pk):
    context = _pledge_context(request, pk)
    context["printed_at"] = timezone.localtime()
    context["pledge_text"] = material_for(Material.PLEDGE_FORM)
    return render(request, "campaigns/pledge_print.html", context)


@login_required
@require_GET
def pledge_image(request, pk):
    """The signature (or photo of the signed form), only for a pledge in the user's scope (404 otherwise)."""
    require(request.user, "campaigns.view")
    pledge = pledge_for(request.user, pk)
    extension = pledge.image.name.rsplit(".", 1)[-1].lower()
    mime = IMAGE_TYPES.get(extension, "application/octet-stream")
    return serve_file(request, pledge.image, mime=mime, filename=f"pledge-{pledge.pk}.{extension}", inline=True)
