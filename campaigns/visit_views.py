"""Door-knocking pages (敲门行动), phones first: the households to visit, a household, recording a visit.

Every view starts with its capability check (404 when missing) and fetches through the user's scope,
so a household outside it answers 404 exactly like one that does not exist. Writes go through the
services; a re-submitted form (same hidden ``client_id``) records one visit.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import apply_service_errors
from core.models import Attachment
from core.pagination import CappedPaginator
from organization.access import can, require
from organization.selectors import grids_for_user, village_team, villages_for_user
from warnings_followup.models import FraudType

from . import selectors, services
from .forms import DoorVisitForm
from .views import PAGE_SIZE, household_for, paginate, visit_for


@login_required
def household_list(request):
    """The door-knocking to-do list: the worker's grid by default, households still to visit first."""
    require(request.user, "campaigns.view")
    params = selectors.outreach_params(request.user, request.GET)
    households = selectors.households_to_visit(user=request.user, params=params)
    # Unsearched, the total comes from the coverage counters; a search is counted up to a cap.
    total = selectors.households_to_visit_count(user=request.user, params=params)
    page = CappedPaginator(households, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/household_list.html",
        {
            "page": page,
            "params": params,
            "villages": list(villages_for_user(user=request.user)),
            "grids": list(grids_for_user(user=request.user).values("code", "name")),  # a town's 200: no models
            "all_grids": selectors.ALL_GRIDS,
            "can_visit": can(request.user, "campaigns.visit"),
        },
    )


@login_required
def household_detail(request, pk):
    """A household's outreach: its members and their pledges, its visits, the buttons to visit and sign."""
    require(request.user, "campaigns.view")
    household = household_for(request.user, pk)
    visits = list(
        selectors.visits_for_user(user=request.user)
        .filter(household=household)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )
    members = selectors.household_members_with_pledges(user=request.user, household=household)
    reached = next((visit for visit in visits if visit.someone_home), None)
    can_visit = services.can_record_visit(request.user, household)
    return render(
        request,
        "campaigns/household_detail.html",
        {
            "household": household,
            "visits": visits,
            "members": members,
            "visited": reached is not None,
            "pledge_visit": reached,
            "can_visit": can_visit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk):
    selectors.load_caller(request.user)
    require(request.user, "campaigns.visit")
    household = household_for(request.user, pk)
    if not services.can_record_visit(request.user, household):
        raise Http404
    form = DoorVisitForm(
        request.POST or None,
        request.FILES or None,
        workers=village_team(village=household.village),
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.door_visit_record(
                actor=request.user, household=household, visitors_checked=True, **form.service_arguments()
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not result.created:
                messages.info(request, _("This door visit had already been recorded."))
            elif result.visit.someone_home:
                messages.success(request, _("Visit recorded. Residents can now sign the pledge."))
            else:
                messages.success(request, _("Visit recorded: nobody at home. The household stays on the list."))
            return redirect("campaigns:household", pk=household.pk)
    return render(request, "campaigns/visit_form.html", {"form": form, "household": household})


@login_required
def visit_list(request):
    """The register of door visits (all villages in scope), filterable and exportable."""
    require(request.user, "campaigns.view")
    visits = selectors.visits_for_user(user=request.user, params=request.GET)
    return render(
        request,
        "campaigns/visit_list.html",
        {
            "page": paginate(request, visits, count=selectors.visits_count(user=request.user, params=request.GET)),
            "params": request.GET,
            "villages": list(villages_for_user(user=request.user)),
            "grids": list(grids_for_user(user=request.user).values("code", "name")),  # a town's 200: no models
            "can_export": can(request.user, "campaigns.export"),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def visit_detail(request, pk):
    require(request.user, "campaigns.view")
    visit = visit_for(request.user, pk)
    return render(
        request,
        "campaigns/visit_detail.html",
        {
            "visit": visit,
            "fraud_types": [FraudType(code).label for code in visit.fraud_types_explained if code in FraudType.values],
            "can_visit": services.can_record_visit(request.user, visit.household),
        },
    )
