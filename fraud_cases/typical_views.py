"""The typical-case library (典型案例): list, page, write, edit, publish and retire.

Everyone doing outreach or follow-up reads the published cases; the police and the governance centre write them
(drafts and retired cases are theirs only). A case outside the reader's reach answers 404. Writes go through
``services``; the source case shows only to staff who may see that case.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors
from core.workflow import TransitionNotAllowed
from organization.access import can, require
from warnings_followup.models import FraudType

from . import selectors, services
from .forms import TypicalCaseForm
from .models import TypicalCaseStatus


def _case(request, pk):
    require(request.user, "fraud_cases.view_typical")
    return get_object_or_404(selectors.typical_cases_for_user(user=request.user).select_related("source_case"), pk=pk)


@login_required
@require_GET
def typical_case_list(request):
    require(request.user, "fraud_cases.view_typical")
    cases = selectors.typical_cases_for_user(user=request.user)
    fraud_type = request.GET.get("fraud_type", "")
    if fraud_type in FraudType.values:
        cases = cases.filter(fraud_type=fraud_type)
    status = request.GET.get("status", "")
    if status in TypicalCaseStatus.values:
        cases = cases.filter(status=status)
    context = {
        "cases": list(cases[:500]),
        "fraud_types": FraudType.choices,
        "statuses": TypicalCaseStatus.choices,
        "fraud_type": fraud_type,
        "status": status,
        "can_write": can(request.user, "fraud_cases.write_typical"),
    }
    return render(request, "fraud_cases/typical_case_list.html", context)


@login_required
@require_GET
def typical_case_detail(request, pk):
    case = _case(request, pk)
    context = {
        "case": case,
        "source": selectors.typical_case_source(case=case, user=request.user),
        "can_edit": services.can_edit_typical_case(request.user, case),
        "actions": [
            (action, transition.label)
            for action, transition in services.TYPICAL_CASE_TRANSITIONS.items()
            if services.can_transition_typical_case(request.user, case, action)
        ],
        "may_log_publicity": case.status == TypicalCaseStatus.PUBLISHED and can(request.user, "publicity.log"),
        "may_print_letter": case.status == TypicalCaseStatus.PUBLISHED and can(request.user, "campaigns.view"),
    }
    return render(request, "fraud_cases/typical_case_detail.html", context)


def _save(request, *, case=None):
    if not can(request.user, "fraud_cases.write_typical"):
        raise Http404
    source = selectors.typical_case_source(case=case, user=request.user) if case is not None else None
    initial = TypicalCaseForm.initial_for(case, source=source) if case is not None else {}
    form = TypicalCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.typical_case_save(actor=request.user, case=case, **form.service_arguments())
        except PermissionDenied as exc:
            raise Http404 from exc
        except TransitionNotAllowed as error:
            messages.error(request, error.message)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Typical case saved."))
            return redirect("fraud_cases:typical_case_detail", pk=saved.pk)
    return render(request, "fraud_cases/typical_case_form.html", {"form": form, "case": case})


@login_required
@require_http_methods(["GET", "POST"])
def typical_case_create(request):
    require(request.user, "fraud_cases.view_typical")
    return _save(request)


@login_required
@require_http_methods(["GET", "POST"])
def typical_case_edit(request, pk):
    case = _case(request, pk)
    if not services.can_edit_typical_case(request.user, case):
        raise Http404
    return _save(request, case=case)


@login_required
@require_POST
def typical_case_transition(request, pk, action):
    if action not in services.TYPICAL_CASE_TRANSITIONS:
        raise Http404
    case = _case(request, pk)
    if not can(request.user, "fraud_cases.write_typical"):
        raise Http404
    try:
        services.typical_case_transition(
            actor=request.user, case=case, action=action, reason=request.POST.get("reason", "")[:500]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": services.TYPICAL_CASE_TRANSITIONS[action].label})
    return redirect("fraud_cases:typical_case_detail", pk=case.pk)
