"""The fraud case pages: the list (filters, search, Excel export), the case page, the registration form
and the accountability list of cases defrauded after a warning (预后被骗) with the warning's visit record.

Every view checks its capability (404 when missing) and fetches through the user's scope, so a case
outside it answers 404 exactly like one that does not exist. Writes go through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessAction
from audit.services import access_log_record
from core.exports import export_response
from core.forms import apply_service_errors
from organization.access import can, require
from organization.selectors import villages_for_user
from residents.models import id_number_hash
from warnings_followup.models import FraudType

from . import selectors, services
from .exports import CASES
from .filters import FraudCaseFilter
from .forms import FraudCaseForm
from .models import CaseSource

PAGE_SIZE = 25


def _filtered(request, queryset):
    """The filter set of the list's query string, and its rows (none when the filters are not valid)."""
    filterset = FraudCaseFilter(request.GET, queryset=queryset)
    valid = filterset.is_valid()
    values = {key: ("" if value is None else value) for key, value in filterset.form.cleaned_data.items()}
    return filterset, (filterset.qs if valid else queryset.none()), values


@login_required
@require_GET
def case_list(request):
    require(request.user, "fraud_cases.view")
    filterset, cases, values = _filtered(request, selectors.cases_for_user(user=request.user))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter": filterset,
        "values": values,
        "filtered": any(value not in ("", None) for value in values.values()) or bool(filterset.errors),
        "villages": villages_for_user(user=request.user),
        "fraud_types": FraudType.choices,
        "sources": CaseSource.choices,
        "can_register": can(request.user, "fraud_cases.register"),
        "query": request.GET.urlencode(),
    }
    return render(request, "fraud_cases/case_list.html", context)


@login_required
@require_GET
def case_detail(request, pk):
    require(request.user, "fraud_cases.view")
    case = get_object_or_404(selectors.case_for_page(user=request.user, pk=pk))
    access_log_record(request=request, action=AccessAction.VIEW, obj=case, object_repr=str(case))
    context = {
        "case": case,
        "victim": case.victim,
        "visits": selectors.case_visits(case=case, user=request.user),
        "may_see_person_file": can(request.user, "warnings.view"),
        "incident": selectors.incident_review(case=case, user=request.user),
    }
    return render(request, "fraud_cases/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_register(request):
    """Police register a case. Submitting the same case number again shows the case registered first."""
    require(request.user, "fraud_cases.view")
    if not can(request.user, "fraud_cases.register"):
        raise Http404
    form = FraudCaseForm(request.POST or None, villages=villages_for_user(user=request.user))
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            case, created = services.fraud_case_register(actor=request.user, **arguments)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            names = {"number": case.case_number}
            if created:
                if case.defrauded_after_warning:
                    messages.warning(
                        request,
                        _("Case %(number)s registered. The victim had been warned before: defrauded after warning.")
                        % names,
                    )
                else:
                    messages.success(request, _("Case %(number)s registered.") % names)
                return redirect("fraud_cases:case_detail", pk=case.pk)
            if case.victim.id_number_hash == id_number_hash(arguments["id_number"]) and _visible(request, case):
                messages.info(request, _("Case %(number)s had already been registered: here it is.") % names)
                return redirect("fraud_cases:case_detail", pk=case.pk)
            form.add_error("case_number", _("Case number %(number)s is already used by another case.") % names)
    return render(request, "fraud_cases/case_form.html", {"form": form})


def _visible(request, case) -> bool:
    return selectors.cases_for_user(user=request.user).filter(pk=case.pk).exists()


@login_required
@require_GET
def accountability(request):
    """预后被骗: every case whose victim had been warned, with the warning's visits (when, how, who)."""
    require(request.user, "fraud_cases.view")
    filterset, cases, values = _filtered(request, selectors.accountability_for_user(user=request.user))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter": filterset,
        "values": values,
        "filtered": any(value not in ("", None) for value in values.values()) or bool(filterset.errors),
        "villages": villages_for_user(user=request.user),
    }
    return render(request, "fraud_cases/accountability.html", context)


# --- export ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def case_export(request):
    """The list's filters as a spreadsheet (``fraud_cases.exports``): masked numbers, formula-escaped cells,
    access-logged; a large export becomes a background job."""
    return export_response(request, CASES)
