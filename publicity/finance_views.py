"""Pages of the finance push (三(七)): the finance staff roster (add, edit; mobiles masked), the push form, and the
public page of a recipient's personal link (no login: one tap confirms reading, until the link expires).

The roster and the push are the finance and audit centre's (its staff, and administrators): anyone else gets 404.
What a push reached and who confirmed reading shows on its activity's page (``publicity:activity_detail``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import apply_service_errors
from organization.access import require
from organization.actors import is_admin

from . import finance
from .finance_forms import FinancePushForm, FinanceStaffEditForm, FinanceStaffForm
from .models import FinanceStaff


def _keeper(request):
    require(request.user, "publicity.log")
    keeper = finance.finance_unit(request.user)
    if keeper is None:
        raise Http404
    return keeper


@login_required
@require_http_methods(["GET", "POST"])
def roster(request):
    keeper = _keeper(request)
    units = finance.roster_units(keeper)
    form = FinanceStaffForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            staff = finance.finance_staff_add(actor=request.user, keeper=keeper, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added to the finance staff roster.") % {"name": staff.name})
            return redirect("publicity:finance_roster")
    staff = finance.roster_for(keeper)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        staff = staff.filter(unit_id=int(unit))
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    context = {
        "keeper": keeper,
        "form": form,
        "page": page,
        "units": units,
        "unit": unit,
        "not_confirmed": list(finance.staff_not_confirmed(keeper)[:200]),
    }
    return render(request, "publicity/finance_roster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    require(request.user, "publicity.log")
    staff = get_object_or_404(FinanceStaff.objects.for_user(request.user).select_related("keeper", "unit"), pk=pk)
    if not (is_admin(request.user) or finance.finance_unit(request.user) == staff.keeper):
        raise Http404
    form = FinanceStaffEditForm(request.POST or None, staff=staff, units=finance.roster_units(staff.keeper))
    if request.method == "POST" and form.is_valid():
        try:
            finance.finance_staff_update(actor=request.user, staff=staff, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("publicity:finance_roster")
    return render(request, "publicity/finance_staff_form.html", {"form": form, "staff": staff})


@login_required
@require_http_methods(["GET", "POST"])
def push_create(request):
    keeper = _keeper(request)
    units = finance.roster_units(keeper).filter(finance_staff__keeper=keeper, finance_staff__is_active=True).distinct()
    form = FinancePushForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = finance.finance_push_send(
                actor=request.user,
                keeper=keeper,
                title=data["title"],
                message=data["message"],
                units=data["units"],
                include_not_confirmed=data["include_not_confirmed"],
                client_id=data["client_id"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                count = result.push.activity.recipients.count()
                messages.success(request, _("Push sent to %(count)d finance staff.") % {"count": count})
            else:
                messages.info(request, _("This push had already been sent: here it is."))
            return redirect("publicity:activity_detail", pk=result.push.activity_id)
    context = {"form": form, "keeper": keeper, "not_confirmed": list(finance.staff_not_confirmed(keeper)[:200])}
    return render(request, "publicity/finance_push_form.html", context)


@require_http_methods(["GET", "POST"])
def read(request, token: str):
    """A recipient's personal link: the knowledge pushed and one button; no login. A forged token is 404."""
    recipient = finance.recipient_for_token(token)
    if recipient is None:
        raise Http404
    expired = False
    if request.method == "POST":
        try:
            recipient = finance.push_read_confirm(token=token)
        except finance.LinkExpired:
            expired = True
        else:
            return redirect("publicity:finance_read", token=token)
    elif recipient.read_confirmed_at is None:
        expired = finance.link_expired(recipient)
    context = {"recipient": recipient, "push": recipient.activity.finance_push, "expired": expired}
    return render(request, "publicity/finance_read.html", context, status=410 if expired else 200)
