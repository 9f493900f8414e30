"""The case analysis meeting (研判会商, 三(三)) works on registered cases.

The town's comprehensive governance centre leads the meeting "结合正在侦查、侦办的具体案件" and drives
破案打击、追赃挽损、案件诉讼. A case discussed at a meeting (``publicity.MeetingCase``) is linked to the
registry by its case number (:func:`registry_cases_for`); its outcomes live on the case itself
(``FraudCase.solved_on``, ``recovered_amount``, ``prosecution_stage``) and are updated later, audited, through
:func:`fraud_case_outcome_update`. :func:`meeting_outcomes` counts them for the dashboard in one query.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from audit.services import audit_event_record
from core.forms import apply_service_errors
from organization.access import POLICE_ROLES, can, require
from organization.actors import holds
from organization.models import Role

from .models import FraudCase, ProsecutionStage

# Who updates a discussed case's outcomes: the police (who investigate) and the governance centre (who leads
# the meeting); leadership reads them on the dashboard.
OUTCOME_ROLES = POLICE_ROLES | {Role.GOVERNANCE}
OUTCOME_FIELDS = ("solved_on", "recovered_amount", "prosecution_stage")


def can_update_outcome(user) -> bool:
    return holds(user, OUTCOME_ROLES)


# --- reads ------------------------------------------------------------------------------------------------


def registry_cases_for(*, actor, references) -> dict[str, FraudCase]:
    """The registered cases among ``references`` (case numbers) that ``actor`` may see, by number (one query)."""
    numbers = {ref.strip() for ref in references if ref and ref.strip()}
    if not numbers or actor is None:
        return {}
    return {case.case_number: case for case in FraudCase.objects.for_user(actor).filter(case_number__in=numbers)}


def meeting_outcomes(*, user, start: datetime.date, end: datetime.date) -> dict:
    """The registered cases discussed at meetings held in [start, end] in ``user``'s scope, and their outcomes:
    discussed, solved (破案), recovered amount (追赃挽损), prosecuted (诉讼, any stage) — one query."""
    # Through the meetings' reverse relation: the publicity app, above this one, is not imported.
    discussed = FraudCase.objects.filter(
        meeting_cases__activity__held_on__gte=start, meeting_cases__activity__held_on__lte=end
    ).values("pk")
    figures = (
        FraudCase.objects.for_user(user)
        .filter(pk__in=discussed)
        .aggregate(
            discussed=Count("pk"),
            solved=Count("pk", filter=Q(solved_on__isnull=False)),
            recovered=Sum("recovered_amount"),
            prosecuted=Count("pk", filter=~Q(prosecution_stage="")),
        )
    )
    figures["recovered"] = figures["recovered"] or Decimal("0")
    return figures


# --- writes -----------------------------------------------------------------------------------------------


def fraud_case_outcome_update(
    *,
    actor,
    case: FraudCase,
    solved_on: datetime.date | None,
    recovered_amount: Decimal,
    prosecution_stage: str,
    reason: str = "",
) -> FraudCase:
    """Record a case's outcomes (破案, 追赃挽损, 诉讼): locked, checked, saved with ``update_fields``, audited."""
    if not can_update_outcome(actor):
        raise Http404
    errors = {}
    if solved_on is not None and solved_on > timezone.localdate():
        errors["solved_on"] = _("The date cannot be in the future.")
    if recovered_amount is None or recovered_amount < 0:
        errors["recovered_amount"] = _("Enter an amount of zero or more.")
    if prosecution_stage not in ProsecutionStage.values:
        errors["prosecution_stage"] = _("Choose a prosecution stage.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FraudCase.objects.select_for_update().get(pk=case.pk)
        if recovered_amount > locked.loss_amount:
            raise ValidationError({"recovered_amount": _("The recovered amount cannot exceed the loss.")})
        new = {"solved_on": solved_on, "recovered_amount": recovered_amount, "prosecution_stage": prosecution_stage}
        old = {field: getattr(locked, field) for field in OUTCOME_FIELDS}
        changed = [field for field in OUTCOME_FIELDS if old[field] != new[field]]
        if not changed:
            return locked
        for field in changed:
            setattr(locked, field, new[field])
        locked.save(update_fields=[*changed, "updated_at"])
        audit_event_record(
            actor=actor,
            subject=locked,
            event="case_outcome_updated",
            new=",".join(changed)[:40],
            reason=reason,
            before={field: str(old[field] or "") for field in changed},
            after={field: str(new[field] or "") for field in changed},
        )
    return locked


# --- the page ---------------------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    solved_on = forms.DateField(
        label=gettext_lazy("Solved on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recovered_amount = forms.DecimalField(
        label=gettext_lazy("Recovered amount"), min_value=0, max_digits=14, decimal_places=2
    )
    prosecution_stage = forms.ChoiceField(
        label=gettext_lazy("Prosecution"), choices=ProsecutionStage.choices, required=False
    )
    reason = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def case_outcome(request, pk):
    """Update a registered case's outcomes (from the meeting page or the case page)."""
    require(request.user, "fraud_cases.view")
    if not can_update_outcome(request.user):
        raise Http404
    case = get_object_or_404(FraudCase.objects.for_user(request.user), pk=pk)
    initial = {field: getattr(case, field) for field in OUTCOME_FIELDS}
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fraud_case_outcome_update(
                actor=request.user,
                case=case,
                solved_on=data["solved_on"],
                recovered_amount=data["recovered_amount"],
                prosecution_stage=data["prosecution_stage"] or "",
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The case's outcomes were updated."))
            back = request.POST.get("next", "")
            if back.startswith("/") and not back.startswith("//"):
                return redirect(back)
            return redirect("fraud_cases:case_detail", pk=case.pk)
    meetings = case.meeting_cases.none()  # the meetings (publicity) that discussed it, read through the relation
    if can(request.user, "publicity.view"):
        meetings = case.meeting_cases.for_user(request.user).select_related("activity").order_by("-activity__held_on")
    return render(
        request,
        "fraud_cases/case_outcome.html",
        {"case": case, "form": form, "meetings": meetings, "next": request.GET.get("next", "")},
    )
