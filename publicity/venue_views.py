"""Venues and joint inspections (经发办, 三(五)): the venue list, a venue's page with its open failures
and inspection history, the inspection form (pass/fail per item, photos, fix-by dates), the "to fix"
list and the form that records an item fixed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_errors
from organization.access import can, require
from organization.actors import is_admin
from organization.models import Unit

from . import selectors, services
from .access import can_log_for, has_duty, logging_unit
from .forms import FixForm, InspectionForm, VenueForm
from .models import Duty, InspectionItem, VenueKind


def _venue_unit(user):
    """The unit whose venues ``user`` records (the economic development office), or None."""
    if not can(user, "publicity.log"):
        return None
    unit = logging_unit(user)
    if unit is not None and has_duty(unit, Duty.ECONOMIC_OFFICE):
        return unit
    if is_admin(user):
        return Unit.objects.filter(publicity_duties__duty=Duty.ECONOMIC_OFFICE).order_by("path").first()
    return None


@login_required
@require_GET
def venue_list(request):
    require(request.user, "publicity.view")
    venues = selectors.venues_for_user(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in VenueKind.values:
        venues = venues.filter(kind=kind)
    search = request.GET.get("q", "").strip()
    if search:
        venues = venues.filter(name__icontains=search)
    if request.GET.get("open") == "1":
        venues = venues.filter(open_failures__gt=0)
    page = Paginator(venues.order_by("-open_failures", "name", "pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/venue_list.html",
        {
            "page": page,
            "kinds": VenueKind.choices,
            "kind": kind,
            "q": search,
            "can_add": _venue_unit(request.user) is not None,
            "open_count": selectors.open_failures_for_user(user=request.user).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_create(request):
    require(request.user, "publicity.log")
    unit = _venue_unit(request.user)
    if unit is None:
        raise PermissionDenied(_("Venues are kept by the economic development office."))
    # The venue's village is a place name, not data of that village: any village of the town.
    town = unit.town
    villages = Unit.objects.villages().filter(is_active=True)
    if town is not None:
        villages = villages.filter(path__startswith=town.path)
    form = VenueForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Venue “%(name)s” added.") % {"name": venue.name})
            return redirect("publicity:venue_detail", pk=venue.pk)
    return render(request, "publicity/venue_form.html", {"form": form})


def _venue_for(request, pk):
    require(request.user, "publicity.view")
    return get_object_or_404(selectors.venues_for_user(user=request.user), pk=pk)


@login_required
@require_GET
def venue_detail(request, pk: int):
    venue = _venue_for(request, pk)
    today = timezone.localdate()
    open_items = list(
        InspectionItem.objects.for_user(request.user)
        .open_failures()
        .filter(inspection__venue=venue)
        .select_related("inspection")
        .order_by("fix_deadline", "pk")
    )
    return render(
        request,
        "publicity/venue_detail.html",
        {
            "venue": venue,
            "open_items": open_items,
            "inspections": selectors.inspections_of(venue)[:20],
            "can_edit": can(request.user, "publicity.log") and can_log_for(request.user, venue.unit),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request, pk: int):
    venue = _venue_for(request, pk)
    require(request.user, "publicity.log")
    if not can_log_for(request.user, venue.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    form = InspectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.inspection_record(
                actor=request.user,
                venue=venue,
                client_id=data["client_id"],
                inspected_on=data["inspected_on"],
                items=form.items(),
                inspectors=data["inspectors"],
                with_police=data["with_police"],
                carriers=data["carriers"],
                notes=data["notes"],
                uploads=data["evidence"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            failed = result.inspection.items.filter(passed=False).count()
            if not result.created:
                messages.info(request, _("This inspection had already been recorded."))
            elif failed:
                messages.warning(request, _("Inspection recorded: %(count)d items to fix.") % {"count": failed})
            else:
                messages.success(request, _("Inspection recorded: everything passed."))
            return redirect("publicity:venue_detail", pk=venue.pk)
    return render(request, "publicity/inspection_form.html", {"form": form, "venue": venue})


@login_required
@require_GET
def to_fix(request):
    require(request.user, "publicity.view")
    today = timezone.localdate()
    items = selectors.open_failures_for_user(user=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "publicity/to_fix.html", {"page": page, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def item_fix(request, pk: int):
    require(request.user, "publicity.view")
    item = get_object_or_404(
        InspectionItem.objects.for_user(request.user).select_related("inspection__venue__unit"), pk=pk
    )
    require(request.user, "publicity.log")
    if not can_log_for(request.user, item.inspection.venue.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    if not item.is_open:
        messages.info(request, _("This item has nothing left to fix."))
        return redirect("publicity:venue_detail", pk=item.inspection.venue_id)
    form = FixForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_item_fix(
                actor=request.user,
                item=item,
                fixed_on=form.cleaned_data["fixed_on"],
                fix_note=form.cleaned_data["fix_note"],
                uploads=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Recorded fixed: %(item)s.") % {"item": item.get_item_display()})
            return redirect("publicity:venue_detail", pk=item.inspection.venue_id)
    return render(request, "publicity/fix_form.html", {"form": form, "item": item})
