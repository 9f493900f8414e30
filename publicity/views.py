"""Publicity activity pages: the list (filters, search, pages, Excel export), the phone form with
evidence, the activity page (links, meeting, recipients and read confirmations, files), the volunteer
roster and the done-vs-required summary.

Every view checks its capability (404 when missing) and fetches records through the user's scope, so
a record of another department answers 404 exactly like one that does not exist. Writes go through
``services``; writing for a unit other than one's own answers 403.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors
from organization.access import can, require
from organization.models import UnitKind

from . import finance, selectors, services
from .access import can_log_for, has_duty, logging_unit, logging_units
from .exports import activities_xlsx_response
from .filters import ActivityFilter
from .forms import FIELD_CATEGORIES, ActivityEditForm, ActivityForm, EvidenceForm, VolunteerForm
from .models import Category, Duty, MeetingDecision, TargetPeriod, WorkPlan

PAGE_SIZE = 25


def _can_log(user) -> bool:
    return can(user, "publicity.log") and logging_units(user).exists()


@login_required
@require_GET
def activity_list(request):
    require(request.user, "publicity.view")
    filterset = ActivityFilter(request.GET or None, queryset=selectors.activities_for_user(user=request.user))
    activities = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter": filterset,
        "units": selectors.activity_units_for_user(user=request.user),
        "categories": Category.choices,
        "can_log": _can_log(request.user),
        "finance_unit": finance.finance_unit(request.user) if can(request.user, "publicity.log") else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "publicity/activity_list.html", context)


@login_required
@require_GET
def activity_export(request):
    require(request.user, "publicity.view")
    filterset = ActivityFilter(request.GET, queryset=selectors.activities_for_user(user=request.user))
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    return activities_xlsx_response(request, filterset)


def _categories_for_units(units) -> list[str]:
    """One unit: its duties' categories in the plan's order. Several (administrators): all of theirs."""
    units = list(units)
    if len(units) == 1:
        return services.categories_for(units[0])
    found: list[str] = []
    for unit in units:
        for category in services.categories_for(unit):
            if category not in found:
                found.append(category)
    return [value for value in Category.values if value in found]


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    require(request.user, "publicity.log")
    units = logging_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Your unit does not record publicity work."))
    categories = _categories_for_units(units)
    # A school's staff education is recorded once, as an education staff session (三(四)): point there.
    first_two = list(units[:2])
    school = first_two[0] if len(first_two) == 1 and first_two[0].kind == UnitKind.SCHOOL else None
    staff_session_url = (
        f"{reverse('education:session_create', args=[school.pk])}?kind=staff" if school is not None else None
    )
    if staff_session_url and request.GET.get("category") == Category.STAFF_EDUCATION:
        return redirect(staff_session_url)
    initial = {}
    if request.GET.get("category") in categories:
        initial["category"] = request.GET["category"]
    form = ActivityForm(
        request.POST or None, request.FILES or None, units=units, categories=categories, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.activity_record(actor=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("Activity “%(title)s” recorded.") % {"title": result.activity.title})
            else:
                messages.info(request, _("This activity had already been recorded: here it is."))
            return redirect("publicity:activity_detail", pk=result.activity.pk)
    return render(
        request,
        "publicity/activity_form.html",
        {
            "form": form,
            "field_categories": {k: [str(c) for c in v] for k, v in FIELD_CATEGORIES.items()},
            "staff_session_url": staff_session_url,
        },
    )


def _activity_for(request, pk):
    require(request.user, "publicity.view")
    return get_object_or_404(selectors.activity_for_page(user=request.user, pk=pk))


@login_required
@require_GET
def activity_detail(request, pk: int):
    activity = _activity_for(request, pk)
    can_edit = can(request.user, "publicity.log") and can_log_for(request.user, activity.unit)
    recipients = list(activity.recipients.all())
    context = {
        "activity": activity,
        "can_edit": can_edit,
        "evidence_form": EvidenceForm() if can_edit else None,
        **_recipients_context(activity, recipients),
    }
    return render(request, "publicity/activity_detail.html", context)


def _recipients_context(activity, recipients) -> dict:
    """A push's recipients and read confirmations; a push sent from the application (三(七)) also its read rate
    per unit, from the recipients' own confirmations."""
    push = getattr(activity, "finance_push", None) if activity.category == Category.FINANCE_PUSH else None
    return {
        "recipients": recipients,
        "read_count": sum(1 for r in recipients if r.read_confirmed_at),
        "finance_push": push,
        "read_rates": finance.read_rates(recipients) if push else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = _activity_for(request, pk)
    require(request.user, "publicity.log")
    if not can_log_for(request.user, activity.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    form = ActivityEditForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("publicity:activity_detail", pk=activity.pk)
    return render(request, "publicity/activity_edit.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_add_evidence(request, pk: int):
    activity = _activity_for(request, pk)
    require(request.user, "publicity.log")
    if not can_log_for(request.user, activity.unit):
        raise PermissionDenied(_("You may record publicity work for your own unit only."))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.activity_add_evidence(actor=request.user, activity=activity, uploads=form.cleaned_data["evidence"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("publicity:activity_detail", pk=activity.pk)
    recipients = list(activity.recipients.all())
    context = {"activity": activity, "can_edit": True, "evidence_form": form}
    context.update(_recipients_context(activity, recipients))
    return render(request, "publicity/activity_detail.html", context, status=400)


@login_required
@require_POST
def recipients_confirm(request, pk: int):
    activity = _activity_for(request, pk)
    require(request.user, "publicity.log")
    ids = [value for value in request.POST.getlist("recipient") if value.isdigit()]
    count = services.recipients_confirm_read(actor=request.user, activity=activity, recipient_ids=ids)
    messages.success(request, _("%(count)d read confirmations recorded.") % {"count": count})
    return redirect("publicity:activity_detail", pk=activity.pk)


@login_required
@require_POST
def decision_to_task(request, pk: int):
    """Follow a case analysis meeting's decision up in the unit's work plan (its latest plan)."""
    require(request.user, "publicity.view")
    decision = get_object_or_404(
        MeetingDecision.objects.for_user(request.user).select_related("activity__unit", "task"), pk=pk
    )
    require(request.user, "publicity.manage_workplans")
    plan = WorkPlan.objects.filter(unit=decision.activity.unit).order_by("-year", "-pk").first()
    if plan is None:
        messages.error(request, _("Create your unit's work plan first."))
        return redirect("publicity:activity_detail", pk=decision.activity_id)
    task = services.meeting_decision_to_task(actor=request.user, decision=decision, plan=plan)
    messages.success(request, _("Added to the work plan “%(plan)s”.") % {"plan": plan.title})
    return redirect("publicity:plan_detail", pk=task.plan_id)


# --- volunteers ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_list(request):
    require(request.user, "publicity.view")
    unit = logging_unit(request.user)
    can_add = can(request.user, "publicity.log") and unit is not None and has_duty(unit, Duty.PUBLICITY_OFFICE)
    form = VolunteerForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the publicity office keeps the volunteer roster."))
        if form.is_valid():
            try:
                volunteer = services.volunteer_add(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s added to the volunteer team.") % {"name": volunteer.name})
                return redirect("publicity:volunteer_list")
    volunteers = selectors.volunteers_for_user(user=request.user)
    show = request.GET.get("show", "active")
    if show != "all":
        volunteers = volunteers.filter(is_active=True)
    search = request.GET.get("q", "").strip()
    if search:
        volunteers = volunteers.filter(name__icontains=search)
    page = Paginator(volunteers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/volunteer_list.html",
        {"page": page, "form": form, "show": show, "q": search, "can_add": can_add},
    )


@login_required
@require_POST
def volunteer_toggle(request, pk: int):
    """Deactivate or reactivate: the form says which (``active`` = 1 or 0), so a double tap changes it once."""
    require(request.user, "publicity.log")
    volunteer = get_object_or_404(selectors.volunteers_for_user(user=request.user), pk=pk)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the volunteer is active."))
    services.volunteer_set_active(actor=request.user, volunteer=volunteer, active=active == "1")
    return redirect("publicity:volunteer_list")


# --- summary -------------------------------------------------------------------------------------


def _period_range(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return selectors._period_bounds(period, today)


@login_required
@require_GET
def summary(request):
    """Done vs required per unit and category, this month, quarter or year (or a chosen range)."""
    require(request.user, "publicity.view")
    today = timezone.localdate()
    period = request.GET.get("period", TargetPeriod.MONTH)
    if period not in TargetPeriod.values:
        period = TargetPeriod.MONTH
    start, end = _period_range(period, today)
    rows = selectors.department_activity_summary(start, end, selectors.summary_units_for_user(user=request.user))
    return render(
        request,
        "publicity/summary.html",
        {"rows": rows, "period": period, "periods": TargetPeriod.choices, "start": start, "end": end},
    )
