"""Pages of the assessment: the leadership dashboard, a village's page, the monthly bulletin, callbacks,
accountability items, summons suggestions, inspections, indicators and nominations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction
from audit.services import access_log_record
from core.forms import apply_service_errors
from core.periods import BadPeriod, current_month, parse_period
from organization.access import can, narrowed_to, require, units_visible_to
from organization.models import Unit

from . import bulletin, dashboard, indicators, selectors, services, targets
from .forms import (
    AccountabilityForm,
    AccountabilityUpdateForm,
    AssignForm,
    CallbackDecisionForm,
    CallbackRecordForm,
    CloseForm,
    DrawForm,
    InspectionForm,
    RectificationDecisionForm,
    RectificationForm,
    RectifyForm,
)
from .models import (
    ASSESSED_KINDS,
    AccountabilityKind,
    AccountabilitySource,
    AccountabilityStatus,
    CallbackReview,
    CallbackStatus,
    RectificationStatus,
)

PAGE_SIZE = 25


def period_from(request, default=None):
    """``?period=``, or the last complete month (the dashboard, the indicators, the bulletin, a village)."""
    try:
        return parse_period(request.GET["period"])
    except (KeyError, BadPeriod):
        return default or indicators.default_period()


# --- Dashboard, village, bulletin ------------------------------------------------------------------


def _town_from(request):
    """``?town=CODE``: the town (in scope, else 404) a county's leadership drills down to; None without it."""
    code = request.GET.get("town", "").strip()
    if not code:
        return None
    return get_object_or_404(indicators.towns_for(request.user), code=code)


@login_required
def dashboard_view(request):
    """The dashboard of the user's scope; for a county's leadership, the towns compared first, and one town's own
    dashboard with ``?town=CODE`` (a town in scope; else 404)."""
    require(request.user, "assessment.dashboard")
    period = period_from(request)
    town = _town_from(request)
    user = narrowed_to(request.user, town) if town is not None else request.user
    context = dashboard.dashboard_context(user=user, period=period)
    context["target"] = targets.progress(user=user, period=period)
    context["can_report"] = can(request.user, "assessment.reports")
    context["town"] = town
    if town is None and indicators.towns_for(request.user).count() > 1:
        context["towns"] = sorted(
            indicators.town_report(user=request.user, period=period).rows,
            key=lambda r: (r.rank is None, r.rank or 0, r.unit.code),
        )
    return render(request, "assessment/dashboard.html", context)


@login_required
def village_view(request, pk):
    require(request.user, "assessment.dashboard")
    village = get_object_or_404(indicators.villages_for(request.user), pk=pk)
    period = period_from(request)
    context = dashboard.village_context(user=request.user, village=village, period=period)
    context["summons_form"] = AccountabilityForm(
        units=Unit.objects.filter(pk=village.pk),
        initial={"unit": village.pk, "kind": AccountabilityKind.SUMMONS, "held_on": timezone.localdate()},
    )
    context["can_summon"] = can(request.user, "assessment.summon")
    return render(request, "assessment/village.html", context)


@login_required
def bulletin_view(request):
    require(request.user, "assessment.dashboard")
    period = period_from(request)
    town = _town_from(request)  # a county's leadership prints one town's bulletin with ?town=CODE
    user = narrowed_to(request.user, town) if town is not None else request.user
    context = dashboard.dashboard_context(user=user, period=period)
    context["sections"] = bulletin.sections(user=user, period=period, schools=context.get("schools"))
    context["town"] = town
    context["printed_at"] = timezone.now()
    return render(request, "assessment/bulletin_print.html", context)


# --- Callbacks (一案双查) ---------------------------------------------------------------------------


@login_required
def callback_list(request):
    require(request.user, "assessment.callback")
    callbacks = selectors.callbacks_for(request.user)
    status = request.GET.get("status", CallbackStatus.PENDING)
    if status in CallbackStatus.values:
        callbacks = callbacks.filter(status=status)
    elif status == CallbackReview.DISAGREE:
        callbacks = callbacks.records_disagree()
    else:
        status = ""
    if request.GET.get("mine"):
        callbacks = callbacks.filter(assigned_to=request.user)
    village = request.GET.get("village", "")
    if village.isdigit():
        callbacks = callbacks.filter(village_id=int(village))
    page = Paginator(callbacks.order_by("-draw__month", "village__code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    draws = selectors.draws_with_counts(request.user)
    context = {
        "page": page,
        "status": status,
        "statuses": [*CallbackStatus.choices, (CallbackReview.DISAGREE, CallbackReview.DISAGREE.label)],
        "villages": indicators.villages_for(request.user),
        "village": village,
        "mine": bool(request.GET.get("mine")),
        "draws": draws,
        "draw_form": DrawForm(initial={"month": f"{current_month().previous().first_day:%Y-%m}"}),
    }
    return render(request, "assessment/callback_list.html", context)


@login_required
@require_POST
def callback_draw(request):
    require(request.user, "assessment.callback")
    form = DrawForm(request.POST)
    if form.is_valid():
        draw, created = services.callback_draw_month(
            month=form.cleaned_data["month"],
            actor=request.user,
            seed=form.cleaned_data["seed"],
            per_village=form.cleaned_data["per_village"],
            share=form.cleaned_data["share"],
        )
        if created:
            messages.success(
                request,
                _("%(month)s drawn: %(count)d cases (seed %(seed)d).")
                % {"month": draw, "count": draw.callbacks.count(), "seed": draw.seed},
            )
        else:
            messages.info(
                request, _("%(month)s was already drawn (seed %(seed)d).") % {"month": draw, "seed": draw.seed}
            )
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("assessment:callback_list")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def callback_detail(request, pk):
    require(request.user, "assessment.callback")
    callback = get_object_or_404(selectors.callbacks_for(request.user), pk=pk)
    return _callback_page(request, callback)


@login_required
@never_cache
@require_POST
def callback_phone(request, pk):
    """The caller asks for the victim's number to call them: shown in full once, and access-logged."""
    require(request.user, "assessment.callback")
    callback = get_object_or_404(selectors.callbacks_for(request.user), pk=pk)
    victim = callback.case.victim
    access_log_record(request=request, action=AccessAction.REVEAL, obj=victim, fields=["phone"])
    return _callback_page(request, callback, phone=victim.phone)


def _callback_page(request, callback, *, phone: str = "", decision_form=None):
    """The callback's page; ``decision_form``: leadership's decision sent back with its errors (the note kept)."""
    recording = request.method == "POST" and not phone and decision_form is None
    form = CallbackRecordForm(request.POST if recording else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.callback_record(callback=callback, actor=request.user, **form.cleaned_data)
        except services.TransitionNotAllowed as error:
            messages.error(request, error.message)
            return redirect("assessment:callback_detail", pk=callback.pk)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            callback.refresh_from_db()
            if callback.records_disagree:
                messages.warning(
                    request,
                    _("Recorded. The records show education before the report: the leadership group decides."),
                )
            elif callback.is_not_educated:
                messages.warning(
                    request,
                    _("Recorded. A summons and a public criticism of %(village)s are open.")
                    % {"village": callback.village},
                )
            else:
                messages.success(request, _("Callback recorded."))
            return redirect("assessment:callback_detail", pk=callback.pk)
    record = selectors.education_records([callback.case.victim], before=callback.case.reported_at)[
        callback.case.victim_id
    ]
    context = {
        "callback": callback,
        "case": callback.case,
        "record": record,
        "form": form,
        "assign_form": AssignForm(initial={"assigned_to": callback.assigned_to_id}),
        "items": callback.accountability_items.all(),
        "phone": phone,
        "decision_form": decision_form
        or (CallbackDecisionForm() if services.can_decide_callback(request.user, callback) else None),
    }
    return render(request, "assessment/callback_detail.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def callback_assign(request, pk):
    require(request.user, "assessment.callback")
    callback = get_object_or_404(selectors.callbacks_for(request.user), pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.callback_assign(callback=callback, caller=form.cleaned_data["assigned_to"], actor=request.user)
        except (services.TransitionNotAllowed, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("Caller assigned."))
    return redirect("assessment:callback_detail", pk=callback.pk)


@login_required
@require_POST
def callback_decide(request, pk):
    """Leadership decides a "records disagree" callback: sanction, or the records stand."""
    require(request.user, "assessment.summon")
    callback = get_object_or_404(selectors.callbacks_for(request.user), pk=pk)
    form = CallbackDecisionForm(request.POST)
    if not form.is_valid():  # the page again, with the error and what was typed
        return _callback_page(request, callback, decision_form=form)
    try:
        services.callback_decide(callback=callback, actor=request.user, **form.cleaned_data)
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _callback_page(request, callback, decision_form=form)
    else:
        callback.refresh_from_db()
        if callback.review == CallbackReview.SANCTIONED:
            messages.warning(
                request,
                _("Confirmed not educated: a summons and a public criticism of %(village)s are open.")
                % {"village": callback.village},
            )
        else:
            messages.success(request, _("The records stand: no sanction."))
    return redirect("assessment:callback_detail", pk=callback.pk)


# --- Accountability items -------------------------------------------------------------------------


def _accountable_units(user):
    return units_visible_to(user).filter(kind__in=ASSESSED_KINDS, is_active=True)


@login_required
def accountability_list(request):
    require(request.user, "assessment.accountability")
    items = selectors.accountability_list_for(request.user)
    status = request.GET.get("status", AccountabilityStatus.OPEN)
    if status in AccountabilityStatus.values:
        items = items.filter(status=status)
    else:
        status = ""
    kind = request.GET.get("kind", "")
    if kind in AccountabilityKind.values:
        items = items.filter(kind=kind)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        items = items.filter(unit_id=int(unit))
    if request.GET.get("overdue"):
        items = items.overdue()
    rectification = request.GET.get("rectification", "")
    if rectification in RectificationStatus.values:
        items = items.filter(rectification_status=rectification)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": AccountabilityStatus.choices,
        "kind": kind,
        "kinds": AccountabilityKind.choices,
        "rectification": rectification,
        "rectifications": RectificationStatus.choices,
        "today": timezone.localdate(),
        "can_summon": can(request.user, "assessment.summon"),
        "leadership_view": can(request.user, "assessment.dashboard"),
    }
    return render(request, "assessment/accountability_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def accountability_create(request):
    require(request.user, "assessment.summon")
    units = _accountable_units(request.user)
    form = AccountabilityForm(request.POST or None, units=units, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.accountability_open(
                unit=data["unit"],
                kind=data["kind"],
                actor=request.user,
                reason=data["reason"],
                source=AccountabilitySource.MANUAL,
                held_on=data["held_on"],
                people=data["people"],
                notes=data["notes"],
                rectification_deadline=data["rectification_deadline"],
                client_id=data["client_id"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(item)s recorded.") % {"item": item})
            return redirect("assessment:accountability_detail", pk=item.pk)
    return render(request, "assessment/accountability_form.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def accountability_detail(request, pk):
    require(request.user, "assessment.accountability")
    item = selectors.accountability_page(user=request.user, pk=pk)
    initial = {f: getattr(item, f) for f in ("held_on", "people", "notes", "rectification_deadline", "follow_up")}
    form = AccountabilityUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, "assessment.summon")
        if form.is_valid():
            try:
                services.accountability_update(item=item, actor=request.user, **form.cleaned_data)
            except services.TransitionNotAllowed as error:
                messages.error(request, error.message)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("assessment:accountability_detail", pk=item.pk)
    context = {
        "item": item,
        "form": form,
        "close_form": CloseForm(initial={"follow_up": item.follow_up}),
        "can_close": services.can_transition_item(request.user, item, "close"),
        "can_reopen": services.can_transition_item(request.user, item, "reopen"),
        "can_edit": can(request.user, "assessment.summon") and item.status == AccountabilityStatus.OPEN,
        "can_see_callback": can(request.user, "assessment.callback"),
        "can_see_case": can(request.user, "fraud_cases.view"),
        "today": timezone.localdate(),
        **_rectification_context(request, item),
    }
    return render(request, "assessment/accountability_detail.html", context, status=400 if form.is_bound else 200)


def _rectification_context(request, item, *, rectification_form=None) -> dict:
    from fraud_cases.selectors import case_visits

    can_submit = services.can_rectify(request.user, item, "submit")
    can_decide = services.can_rectify(request.user, item, "accept")
    return {
        "reports": list(item.reports.all()),
        "visits": case_visits(case=item.case, user=request.user) if item.case_id and item.warning_id else [],
        "can_submit": can_submit,
        "can_decide": can_decide,
        "rectification_form": rectification_form or (RectificationForm() if can_submit else None),
        "decision_form": RectificationDecisionForm() if can_decide else None,
    }


@login_required
@require_http_methods(["POST"])
def accountability_rectify(request, pk):
    """The summoned unit's head submits the rectification report (text and evidence) of their own unit's item."""
    require(request.user, "assessment.rectify")
    item = selectors.accountability_page(user=request.user, pk=pk)
    if not services.is_unit_head(request.user, item.unit):
        raise Http404
    form = RectificationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_submit(
                item=item, actor=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
            )
        except services.TransitionNotAllowed as error:
            messages.error(request, error.message)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rectification submitted: the leadership group will review it."))
            return redirect("assessment:accountability_detail", pk=item.pk)
    if not form.errors:
        return redirect("assessment:accountability_detail", pk=item.pk)
    context = {
        "item": item,
        "form": None,
        "can_see_callback": can(request.user, "assessment.callback"),
        "can_see_case": can(request.user, "fraud_cases.view"),
        "today": timezone.localdate(),
        **_rectification_context(request, item, rectification_form=form),
    }
    return render(request, "assessment/accountability_detail.html", context, status=400)


@login_required
@require_POST
def rectification_decide(request, pk, action):
    """Leadership accepts the unit's rectification report (the item closes) or returns it with a note."""
    if action not in ("accept", "return"):
        raise Http404
    require(request.user, "assessment.summon")
    item = get_object_or_404(selectors.accountability_for(request.user), pk=pk)
    form = RectificationDecisionForm(request.POST)
    form.is_valid()
    try:
        services.rectification_decide(
            item=item, actor=request.user, action=action, note=form.cleaned_data.get("note", "")
        )
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "accept":
            messages.success(request, _("Rectification accepted: the item is closed."))
        else:
            messages.info(request, _("Rectification returned to the unit."))
    return redirect("assessment:accountability_detail", pk=item.pk)


@login_required
@require_POST
def accountability_transition(request, pk, action):
    if action not in services.ACCOUNTABILITY_TRANSITIONS:
        raise Http404
    require(request.user, "assessment.dashboard")
    item = get_object_or_404(selectors.accountability_for(request.user), pk=pk)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        services.accountability_transition(
            item=item, actor=request.user, action=action, follow_up=form.cleaned_data.get("follow_up", "")
        )
    except PermissionDenied:
        raise
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": services.ACCOUNTABILITY_TRANSITIONS[action].label}
        )
    return redirect("assessment:accountability_detail", pk=item.pk)


# --- Summons suggestions ------------------------------------------------------------------------------


@login_required
def suggestion_list(request):
    require(request.user, "assessment.dashboard")
    context = {
        "suggestions": selectors.summons_suggestions(user=request.user),
        "rule": selectors.SummonsRule.current(),
        "can_summon": can(request.user, "assessment.summon"),
    }
    return render(request, "assessment/suggestion_list.html", context)


@login_required
@require_POST
def suggestion_summon(request, pk):
    """One action: the suggestion becomes a summons of the village head (an open accountability item)."""
    require(request.user, "assessment.summon")
    village = get_object_or_404(indicators.villages_for(request.user), pk=pk)
    suggestion = next((s for s in selectors.summons_suggestions(user=request.user) if s.village.pk == village.pk), None)
    if suggestion is None:
        messages.error(request, _("%(village)s is no longer suggested.") % {"village": village})
        return redirect("assessment:suggestion_list")
    item, created = services.accountability_summon_suggested(
        village=village, actor=request.user, reason="；".join(suggestion.reasons)
    )
    if created:
        messages.success(
            request, _("Summons of %(village)s opened: record its date and people.") % {"village": village}
        )
    else:
        messages.info(request, _("A summons of %(village)s is already open: here it is.") % {"village": village})
    return redirect("assessment:accountability_detail", pk=item.pk)


# --- Inspections (督导检查) --------------------------------------------------------------------------


@login_required
def inspection_list(request):
    require(request.user, "assessment.dashboard")
    inspections = selectors.inspections_for(request.user)
    today = timezone.localdate()
    if request.GET.get("overdue"):
        inspections = inspections.overdue_rectifications(today)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        inspections = inspections.filter(unit_id=int(unit))
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.inspections_for(request.user).aggregate(
        overdue=Count("pk", filter=Q(rectified_at__isnull=True, rectification_deadline__lt=today))
    )
    context = {
        "page": page,
        "today": today,
        "overdue_count": counts["overdue"],
        "overdue": bool(request.GET.get("overdue")),
        "can_supervise": can(request.user, "assessment.supervise"),
    }
    return render(request, "assessment/inspection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    require(request.user, "assessment.supervise")
    units = selectors.inspectable_units(request.user)
    chosen = request.POST.get("unit") or request.GET.get("unit")
    unit = units.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else None
    checklist = services.checklist_for(unit) if unit else []
    form = InspectionForm(request.POST or None, units=units, checklist=checklist, initial={"unit": unit})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_record(
                unit=data["unit"],
                actor=request.user,
                inspected_on=data["inspected_on"],
                inspectors=data["inspectors"],
                results=form.results(),
                score=data.get("score"),
                findings=data["findings"],
                rectification_deadline=data["rectification_deadline"],
                client_id=data["client_id"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Inspection recorded: score %(score)s.") % {"score": inspection.score})
            return redirect("assessment:inspection_detail", pk=inspection.pk)
    context = {"form": form, "unit": unit, "units": units}
    return render(request, "assessment/inspection_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_detail(request, pk):
    require(request.user, "assessment.dashboard")
    inspection = get_object_or_404(selectors.inspections_for(request.user), pk=pk)
    form = RectifyForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "assessment.supervise")
        if form.is_valid():
            try:
                services.inspection_mark_rectified(
                    inspection=inspection, actor=request.user, notes=form.cleaned_data["notes"]
                )
            except services.TransitionNotAllowed as error:
                messages.error(request, error.message)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Rectification recorded."))
                return redirect("assessment:inspection_detail", pk=inspection.pk)
    context = {
        "inspection": inspection,
        "form": form,
        "today": timezone.localdate(),
        "can_supervise": can(request.user, "assessment.supervise"),
    }
    return render(request, "assessment/inspection_detail.html", context)


# --- Indicators, departments, nominations -----------------------------------------------------------


@login_required
def indicator_view(request):
    """The town's ranking; for the village head and team, their own village's row with its rank in the town."""
    town_wide = can(request.user, "assessment.indicators")
    if not town_wide:
        require(request.user, "assessment.standing")
    period = period_from(request)
    report = indicators.indicator_report(user=request.user, period=period)
    context = {
        "period": period,
        "period_choices": dashboard.period_choices(include=period),
        "report": report,
        "ranked": sorted(report.rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit.code)),
        "town_wide": town_wide,
        "departments": dashboard.department_rows(user=request.user, period=period) if town_wide else [],
    }
    return render(request, "assessment/indicators.html", context)
