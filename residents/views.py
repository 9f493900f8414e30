"""The registry pages: households and residents, their forms, the reveal of full details, the village overview.

Every view starts with its capability check (404 when missing) and fetches through the user's scope, so
a record outside it answers 404 exactly like one that does not exist. Writes go through the services.

Searching by an exact ID or phone number: the search form posts, so the number stays out of URLs
(server logs, browser history, Referer headers) and out of the page, and each such search is
access-logged (which kind of number, never the number itself).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction
from audit.services import access_log_record
from core.forms import apply_service_errors
from core.pagination import CappedPaginator
from core.privacy import full_number_kind
from core.search import posted_search
from core.validators import mask_id_number, mask_phone, normalize_id_number
from organization.access import can, require, sees_everything_in_town
from organization.selectors import grids_for_user, villages_for_user

from . import selectors, services
from .filters import is_exact_number_search
from .forms import HouseholdForm, ResidentEditForm, ResidentForm
from .models import Household, Resident, ResidentTag

PAGE_SIZE = 25
LIST_PARAMS = {
    "household": ("q", "village", "grid"),
    "resident": ("q", "village", "grid", "tag", "has_household"),
}
REVEALED_FIELDS = ["id_number", "phone"]


# --- lists -------------------------------------------------------------------------------------------


def _number_kind(text: str) -> str:
    """``"id_number"`` or ``"phone"``, for a search text already known to be an exact number."""
    try:
        normalize_id_number(text)
    except ValidationError:
        return "phone"
    return "id_number"


def _masked_number(text: str, kind: str) -> str:
    return mask_id_number(normalize_id_number(text)) if kind == "id_number" else mask_phone(text)


def _search_params(request, kind: str):
    """The list's search and filters, from the query string or from the posted search form (:mod:`core.search`)."""
    return posted_search(request, names=LIST_PARAMS[kind], list_url=reverse(f"residents:{kind}_list"))


def _list_page(request, *, kind: str, rows, params, template: str, extra: dict):
    query = params.get("q", "").strip()
    exact_kind = _number_kind(query) if is_exact_number_search(query) else None
    # Unsearched, the total comes from counters kept by the writes (exact); searched, it is counted up to a cap.
    total = None if query else selectors.list_count(kind, user=request.user, params=params)
    page = CappedPaginator(rows, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    if exact_kind:
        found = list(page.object_list)
        access_log_record(
            request=request,
            action=AccessAction.SEARCH,
            obj=found[0] if len(found) == 1 else None,
            object_repr=_("Household list") if kind == "household" else _("Resident list"),
            fields=[exact_kind],
        )
    villages = list(villages_for_user(user=request.user))
    context = {
        "page": page,
        "params": params,
        # An exact number is never echoed back into the page: only its masked form.
        "q": "" if exact_kind or full_number_kind(query) else query,
        "exact_search": _masked_number(query, exact_kind) if exact_kind else "",
        "villages": villages,
        "grids": grids_for_user(user=request.user).values("code", "name"),  # a town's 200 options: no models
        "village": params.get("village", ""),
        "grid": params.get("grid", ""),
        "filtered": any(params.get(name) for name in LIST_PARAMS[kind]),
        "can_edit": can(request.user, "residents.edit"),
        "can_overview": _can_see_overview(request.user),
        **extra,
    }
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def household_list(request):
    require(request.user, "residents.view")
    params, response = _search_params(request, "household")
    if response is not None:
        return response
    households = selectors.households_for_user(user=request.user, params=params)
    return _list_page(
        request, kind="household", rows=households, params=params, template="residents/household_list.html", extra={}
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_list(request):
    require(request.user, "residents.view")
    params, response = _search_params(request, "resident")
    if response is not None:
        return response
    residents = selectors.residents_for_user(user=request.user, params=params)
    return _list_page(
        request,
        kind="resident",
        rows=residents,
        params=params,
        template="residents/resident_list.html",
        extra={"tags": ResidentTag.choices, "tag": params.get("tag", ""), "has_household": params.get("has_household")},
    )


# --- households ----------------------------------------------------------------------------------------


def _household_for(user, pk: int) -> Household:
    return get_object_or_404(Household.objects.for_user(user).select_related("village", "grid"), pk=pk)


@login_required
def household_detail(request, pk):
    require(request.user, "residents.view")
    household = _household_for(request.user, pk)
    members = selectors.household_members(user=request.user, household=household)
    return render(
        request,
        "residents/household_detail.html",
        {"household": household, "members": members, "can_edit": can(request.user, "residents.edit")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    require(request.user, "residents.edit")
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(user=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Household “%(address)s” registered.") % {"address": household.address})
            return redirect("residents:household_detail", pk=household.pk)
    return render(request, "residents/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    require(request.user, "residents.edit")
    household = _household_for(request.user, pk)
    form = HouseholdForm(request.POST or None, user=request.user, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(household=household, user=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Household saved."))
            return redirect("residents:household_detail", pk=household.pk)
    return render(request, "residents/household_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    require(request.user, "residents.edit")
    household = _household_for(request.user, pk)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(household=household, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            # A double tap: the same person already in this very household is shown, not refused.
            if (
                household.members.by_id_number(form.cleaned_data["id_number"])
                .filter(name=form.cleaned_data["name"].strip())
                .exists()
            ):
                messages.info(
                    request, _("%(name)s is already in this household.") % {"name": form.cleaned_data["name"]}
                )
                return redirect("residents:household_detail", pk=household.pk)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added to the household.") % {"name": resident.name})
            return redirect("residents:household_detail", pk=household.pk)
    return render(request, "residents/member_form.html", {"form": form, "household": household})


# --- residents -----------------------------------------------------------------------------------------


def _resident_for(user, pk: int) -> Resident:
    return get_object_or_404(
        Resident.objects.for_user(user).select_related("village", "household", "household__grid"), pk=pk
    )


def _resident_page(request, resident: Resident, *, revealed: bool):
    return render(
        request,
        "residents/resident_detail.html",
        {
            "resident": resident,
            "revealed": revealed,
            "can_reveal": can(request.user, "residents.reveal"),
            "can_edit": can(request.user, "residents.edit"),
        },
    )


@login_required
@never_cache
def resident_detail(request, pk):
    require(request.user, "residents.view")
    resident = _resident_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=resident)
    return _resident_page(request, resident, revealed=False)


@login_required
@never_cache
@require_POST
def resident_reveal(request, pk):
    require(request.user, "residents.reveal")
    resident = _resident_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.REVEAL, obj=resident, fields=REVEALED_FIELDS)
    if request.htmx:
        return render(
            request,
            "residents/_resident_sensitive.html",
            {"resident": resident, "revealed": True, "can_reveal": True},
        )
    return _resident_page(request, resident, revealed=True)


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    require(request.user, "residents.edit")
    resident = _resident_for(request.user, pk)
    form = ResidentEditForm(request.POST or None, user=request.user, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(resident=resident, user=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Resident saved."))
            return redirect("residents:resident_detail", pk=resident.pk)
    return render(request, "residents/resident_form.html", {"form": form, "resident": resident})


# --- leadership ----------------------------------------------------------------------------------------


def _can_see_overview(user) -> bool:
    return can(user, "residents.view") and sees_everything_in_town(user)


@login_required
def village_overview(request):
    if not _can_see_overview(request.user):
        raise Http404
    villages = list(selectors.village_overview_for_user(user=request.user))
    columns = [f"{tag}_count" for tag in ResidentTag.values]
    rows = [{"village": village, "tags": [getattr(village, column) for column in columns]} for village in villages]
    totals = {
        "household_count": sum(village.household_count for village in villages),
        "resident_count": sum(village.resident_count for village in villages),
        "tags": [sum(getattr(village, column) for village in villages) for column in columns],
    }
    return render(
        request,
        "residents/village_overview.html",
        {"rows": rows, "tag_labels": ResidentTag.labels, "totals": totals},
    )
