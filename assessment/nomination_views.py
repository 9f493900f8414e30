"""Year-end nominations (评选先进集体和个人): the candidates of every kind with their figures, one tap to propose,
the leadership group's decision, the printed list and the Excel export of the decided list.

The leadership group and the governance centre see the page and propose (``assessment.nominate``); the
leadership group decides (``assessment.award``). A county's leadership works on one town at a time
(``?town=CODE``). Anybody else: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exports import export_response
from organization.access import can, narrowed_to, require, units_visible_to
from organization.models import User

from . import indicators, nominations, services
from .exports import NOMINATIONS
from .forms import NominationDecisionForm
from .models import (
    CATEGORY_UNIT_KIND,
    COLLECTIVE_CATEGORIES,
    INDIVIDUAL_CATEGORIES,
    Nomination,
    NominationCategory,
    NominationStatus,
)


def _town(request, data=None):
    """``town=CODE`` (GET or POST): a town in scope (else 404), or None."""
    code = (data if data is not None else request.GET).get("town", "").strip()
    if not code:
        return None
    return get_object_or_404(indicators.towns_for(request.user), code=code)


def _back(year: int, town=None):
    query = {"year": year, **({"town": town.code} if town is not None else {})}
    return redirect(f"{reverse('assessment:nominations')}?{urlencode(query)}")


@login_required
@require_GET
def nomination_list(request):
    require(request.user, "assessment.nominate")
    period = nominations.year_period(request.GET.get("year"))
    town = _town(request)
    towns = list(indicators.towns_for(request.user))
    reader = narrowed_to(request.user, town) if town is not None else request.user
    choose_town = town is None and len(towns) > 1  # a county's leadership: one town at a time
    found = {} if choose_town else nominations.candidates(user=reader, period=period)
    labels = dict(NominationCategory.choices)
    context = {
        "period": period,
        "year": period.first_day.year,
        "years": [timezone.localdate().year - offset for offset in range(3)],
        "town": town,
        "towns": towns if len(towns) > 1 else [],
        "choose_town": choose_town,
        "collectives": [(c, labels[c], found.get(c, [])) for c in COLLECTIVE_CATEGORIES],
        "individuals": [(c, labels[c], found.get(c, [])) for c in INDIVIDUAL_CATEGORIES],
        "nominations": list(nominations.nominations_for(reader, year=period.first_day.year)),
        "can_propose": can(request.user, "assessment.nominate"),
        "can_award": can(request.user, "assessment.award"),
    }
    return render(request, "assessment/nominations.html", context)


def _propose(request, *, category: str, unit=None, person=None):
    year = nominations.year_period(request.POST.get("year")).first_day.year
    town = _town(request, request.POST)
    try:
        nomination, created = services.nomination_propose(
            actor=request.user,
            year=year,
            category=category,
            unit=unit,
            person=person,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, _("%(name)s proposed for %(year)d.") % {"name": nomination.name, "year": year})
        else:
            messages.info(
                request, _("%(name)s is already nominated for %(year)d.") % {"name": nomination.name, "year": year}
            )
    return _back(year, town)


@login_required
@require_POST
def propose_unit(request, pk):
    """One tap: the unit (a village, department, school or police station) proposed as an advanced collective."""
    require(request.user, "assessment.nominate")
    kinds = {kind: category for category, kind in CATEGORY_UNIT_KIND.items()}
    unit = get_object_or_404(units_visible_to(request.user).filter(kind__in=list(kinds), is_active=True), pk=pk)
    return _propose(request, category=kinds[unit.kind], unit=unit)


@login_required
@require_POST
def propose_person(request, pk):
    """One tap: the person proposed as an advanced individual of the category they were listed under."""
    require(request.user, "assessment.nominate")
    people = User.objects.filter(is_active=True, unit__in=units_visible_to(request.user))
    person = get_object_or_404(people.select_related("unit"), pk=pk)
    category = request.POST.get("category", "")
    if category not in INDIVIDUAL_CATEGORIES:
        messages.error(request, _("Unknown category."))
        return _back(nominations.year_period(request.POST.get("year")).first_day.year, _town(request, request.POST))
    return _propose(request, category=category, person=person)


def _nomination(request, pk) -> Nomination:
    return get_object_or_404(
        Nomination.objects.for_user(request.user).select_related("unit", "person", "proposed_by", "decided_by"),
        pk=pk,
    )


def _detail(request, nomination: Nomination, *, form=None, status: int = 200):
    can_decide = services.can_decide_nomination(request.user, nomination)
    context = {
        "nomination": nomination,
        "can_decide": can_decide,
        "form": form or (NominationDecisionForm() if can_decide else None),
    }
    return render(request, "assessment/nomination_detail.html", context, status=status)


@login_required
@require_GET
def nomination_detail(request, pk):
    require(request.user, "assessment.nominate")
    return _detail(request, _nomination(request, pk))


@login_required
@require_POST
def nomination_decide(request, pk, action):
    """The leadership group approves or rejects a proposed nomination, with a note (needed to reject)."""
    if action not in services.NOMINATION_TRANSITIONS:
        raise Http404
    require(request.user, "assessment.award")
    nomination = _nomination(request, pk)
    form = NominationDecisionForm(request.POST)
    form.is_valid()
    try:
        services.nomination_decide(
            nomination=nomination, actor=request.user, action=action, note=form.cleaned_data.get("note", "")
        )
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        form.add_error("note", " ".join(error.messages))
        return _detail(request, nomination, form=form, status=400)
    else:
        if action == "approve":
            messages.success(request, _("%(name)s approved.") % {"name": nomination.name})
        else:
            messages.info(request, _("%(name)s rejected.") % {"name": nomination.name})
    return redirect("assessment:nomination_detail", pk=nomination.pk)


@login_required
@require_GET
def nomination_print(request):
    """The year's approved list (先进集体和个人名单), printable, with the figures of each."""
    require(request.user, "assessment.nominate")
    period = nominations.year_period(request.GET.get("year"))
    town = _town(request)
    reader = narrowed_to(request.user, town) if town is not None else request.user
    approved = [
        n
        for n in nominations.nominations_for(reader, year=period.first_day.year)
        if n.status == NominationStatus.APPROVED
    ]
    context = {
        "year": period.first_day.year,
        "town": town,
        "collectives": [n for n in approved if n.person_id is None],
        "individuals": [n for n in approved if n.person_id is not None],
        "printed_at": timezone.now(),
    }
    return render(request, "assessment/nominations_print.html", context)


@login_required
@require_GET
def nomination_export(request):
    """The decided list of the year (``assessment.exports``): ``?year=``, ``?status=``, ``?town=``."""
    return export_response(request, NOMINATIONS)
