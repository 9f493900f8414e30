"""The warning pages: the police work queue and push form, the village team's "today", the case page
with its actions, the visit and escalation-contact forms.

Every view checks its capability (404 when missing) and fetches the warning through the user's scope,
so a warning outside it answers 404 exactly like one that does not exist. Actions on a warning in
scope by the wrong role answer 403; actions the warning's state does not allow change nothing and say
why. All writes go through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction
from audit.services import access_log_record
from core.forms import apply_service_errors
from core.pagination import RowsThenJoinsPaginator
from organization.access import can, require
from organization.selectors import villages_for_user
from residents.models import id_number_hash

from . import case_page, selectors, services
from .forms import ACTION_FORMS, EscalationForm, PushForm, VisitForm, action_form, new_push_token
from .models import WarningOrder, WarningStatus

PAGE_SIZE = 25
TODAY_PAGE_SIZE = 25
TODAY_LATER_SHOWN = 10  # the other open cases listed under the due ones (the queue has them all)
TRANSITION_SERVICES = {
    "acknowledge": services.warning_acknowledge,
    "first_dissuasion": services.warning_record_first_dissuasion,
    "confirm_dissuaded": services.warning_confirm_dissuaded,
    "confirm_release": services.warning_confirm_release,
    "report_defrauded": services.warning_report_defrauded,
    "close": services.warning_close,
}


def _forbidden(request, error: PermissionDenied, warning: WarningOrder | None = None):
    message = str(error) or _("Your role may not do this.")
    return render(request, "warnings_followup/forbidden.html", {"message": message, "warning": warning}, status=403)


def _warning_for(user, pk: int) -> WarningOrder:
    require(user, "warnings.view")
    return get_object_or_404(selectors.warning_for_page(user=user, pk=pk))


# --- lists ---------------------------------------------------------------------------------------


@login_required
def queue(request):
    """The police work queue: pushed, awaiting first dissuasion, release requests, incidents, overdue."""
    require(request.user, "warnings.view")
    today = timezone.localdate()
    villages = list(villages_for_user(user=request.user))
    tab = request.GET.get("tab", "all")
    if tab not in selectors.QUEUE_TABS:
        tab = "all"
    village = next((v for v in villages if str(v.pk) == request.GET.get("village", "")), None)
    status = request.GET.get("status", "")
    if status not in WarningStatus.values:
        status = ""
    warnings = selectors.queue_for_user(user=request.user, today=today, tab=tab, village=village, status=status)
    counts = selectors.queue_counts(user=request.user, today=today, village=village)
    paginator = Paginator(warnings, PAGE_SIZE)
    if not status:
        paginator.count = counts[tab]  # the tab's own count (cached): no COUNT(*) over every warning in scope
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_day_flags(page.object_list, today)
    tabs = [(code, label, counts[code]) for code, (label, _condition) in selectors.QUEUE_TABS.items()]
    context = {
        "page": page,
        "tabs": tabs,
        "tab": tab,
        "villages": villages,
        "village": village,
        "statuses": WarningStatus.choices,
        "status": status,
        "today": today,
        "can_push": can(request.user, "warnings.push"),
    }
    return render(request, "warnings_followup/queue.html", context)


@login_required
def today(request):
    """The village team's day on a phone: visits due today or overdue first, then the next other open cases.

    Light for police too, whose scope is a town: a page of due visits, the next ``TODAY_LATER_SHOWN`` other open
    cases and their count (the work queue lists them all), three queries whatever the number of open cases.
    """
    require(request.user, "warnings.visit")
    day = timezone.localdate()
    page = RowsThenJoinsPaginator(selectors.due_for_user(user=request.user, today=day), TODAY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_day_flags(page.object_list, day)
    later, later_count = [], 0
    if page.number == 1:
        later, later_count = selectors.not_yet_due_first(user=request.user, today=day, limit=TODAY_LATER_SHOWN)
    context = {
        "page": page,
        "due": page.object_list,
        "due_count": page.paginator.count,
        "later": later,
        "later_count": later_count,
        "today": day,
    }
    return render(request, "warnings_followup/today.html", context)


# --- push ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def push(request):
    """Police push a warning. Submitting the same rendered form twice creates one warning."""
    require(request.user, "warnings.view")
    if not can(request.user, "warnings.push"):
        return _forbidden(request, PermissionDenied(_("Only police staff may push warnings.")))
    form = PushForm(request.POST or None, villages=villages_for_user(user=request.user))
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            result = services.warning_push(actor=request.user, **arguments)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            warning = result.warning
            if result.created:
                messages.success(request, _("Warning %(number)s pushed to %(village)s.") % _names(warning))
                return redirect("warnings_followup:warning_detail", pk=warning.pk)
            if warning.person.id_number_hash == id_number_hash(arguments["id_number"]):
                messages.info(request, _("Warning %(number)s had already been pushed: here it is.") % _names(warning))
                return redirect("warnings_followup:warning_detail", pk=warning.pk)
            # The instruction number (typed, or the token of a form used before) names another person's warning.
            form.add_error(
                "external_id" if form.cleaned_data["external_id"] else None,
                _("Instruction number %(number)s is already used by another warning.") % _names(warning),
            )
            form.data = form.data.copy()
            form.data["token"] = new_push_token()
    return render(request, "warnings_followup/push_form.html", {"form": form})


def _names(warning: WarningOrder) -> dict:
    return {"number": warning.external_id, "village": warning.village.name}


# --- the case page -------------------------------------------------------------------------------


def _detail_context(request, warning: WarningOrder, *, bound_forms=None) -> dict:
    today = timezone.localdate()
    actions = services.available_actions(request.user, warning)
    bound_forms = bound_forms or {}
    case = selectors.case_file(warning=warning)
    may_record = services.can_record_contact(request.user, warning) and warning.is_following_up
    extras = case_page.page_extras(
        request.user, warning, actions=actions, may_record=may_record, visits=case.visits, today=today
    )
    return {
        **extras,
        "warning": warning,
        "person": warning.person,
        "due": warning.current_next_visit_due(today),
        "overdue": warning.is_overdue(today),
        "window_ended": warning.window_has_ended(today),
        "case": case,
        "actions": [
            {
                "code": action,
                "label": services.TRANSITIONS[action].label,
                "form": bound_forms.get(action) or action_form(action),
                "confirm": extras["confirmations"][action],
            }
            for action in sorted(actions, key=lambda code: code != extras["primary_step"])  # the primary first
        ],
        "may_record": may_record,
        "undecided_after_window": warning.is_undecided and warning.window_has_ended(today),
        "accounts_pending": sum(1 for account in case.accounts if account.released_at is None),
        # The fraud cases registered after this warning (预后被骗), for a defrauded warning only.
        "fraud_cases": list(warning.fraud_cases.order_by("reported_at")) if warning.defrauded_on else [],
        "may_open_cases": can(request.user, "fraud_cases.view"),
    }


@login_required
def warning_detail(request, pk):
    warning = _warning_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=warning, object_repr=str(warning))
    return render(request, "warnings_followup/warning_detail.html", _detail_context(request, warning))


@login_required
@require_POST
def transition(request, pk, action):
    """One action on the case (acknowledge, first dissuasion, confirm dissuaded, release, defrauded, close)."""
    if action not in ACTION_FORMS:
        raise Http404
    warning = _warning_for(request.user, pk)
    form = action_form(action, request.POST)
    if not form.is_valid():
        context = _detail_context(request, warning, bound_forms={action: form})
        return render(request, "warnings_followup/warning_detail.html", context, status=400)
    try:
        TRANSITION_SERVICES[action](warning=warning, actor=request.user, **form.cleaned_data)
    except PermissionDenied as error:
        return _forbidden(request, error, warning)
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        apply_service_errors(form, error)
        context = _detail_context(request, warning, bound_forms={action: form})
        return render(request, "warnings_followup/warning_detail.html", context, status=400)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": services.TRANSITIONS[action].label})
    return redirect("warnings_followup:warning_detail", pk=warning.pk)


# --- visits and escalation contacts --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk):
    """The one-tap "record visit" form. Re-submitting the same rendered form records one visit."""
    warning = _warning_for(request.user, pk)
    if not services.can_record_contact(request.user, warning):
        return _forbidden(
            request, PermissionDenied(_("Only the village's team and the police may record visits.")), warning
        )
    form = VisitForm(request.POST or None, team=selectors.village_team_members(warning=warning), actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.warning_record_visit(warning=warning, actor=request.user, **form.service_arguments())
        except PermissionDenied as error:
            return _forbidden(request, error, warning)
        except services.TransitionNotAllowed as error:
            messages.error(request, error.message)
            return redirect("warnings_followup:warning_detail", pk=warning.pk)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not result.created:
                messages.info(request, _("This visit had already been recorded."))
            elif result.visit.at_risk:
                messages.warning(
                    request, _("Visit recorded. The person is still at risk: mobilise relatives and friends.")
                )
            else:
                messages.success(request, _("Visit recorded."))
            return redirect("warnings_followup:warning_detail", pk=warning.pk)
    elif request.method == "GET" and not warning.is_following_up:
        messages.error(
            request,
            _("Visits can only be recorded while the warning is being followed up (now “%(status)s”).")
            % {"status": warning.get_status_display()},
        )
        return redirect("warnings_followup:warning_detail", pk=warning.pk)
    return render(request, "warnings_followup/visit_form.html", {"warning": warning, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def escalation_create(request, pk):
    """Record a relative or friend mobilised to talk the person round."""
    warning = _warning_for(request.user, pk)
    if not services.can_record_contact(request.user, warning):
        return _forbidden(
            request,
            PermissionDenied(_("Only the village's team and the police may record escalation contacts.")),
            warning,
        )
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_record_escalation(warning=warning, actor=request.user, **form.service_arguments())
        except PermissionDenied as error:
            return _forbidden(request, error, warning)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Escalation contact recorded."))
            return redirect("warnings_followup:warning_detail", pk=warning.pk)
    return render(request, "warnings_followup/escalation_form.html", {"warning": warning, "form": form})
