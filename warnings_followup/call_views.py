""" "拨打": the village's dissuasion team and the police call the warned person (or a relative) from the case page.

The number is masked everywhere; one tap on "拨打" reveals it (POST, written to the access log like every reveal)
and opens the dialler: htmx swaps a ``tel:`` link in place of the button and ``static/js/dial.js`` follows it in
the same tap. Without JavaScript the POST answers a small page with the link. Nobody else sees the button, and a
POST by anyone else answers 404 like a warning out of scope.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import require

from . import selectors
from .case_page import can_call


def tel_href(phone: str) -> str:
    """``tel:`` for a stored number: a mobile's 11 digits, a landline's digits with its extension after a pause."""
    main, _dash, rest = phone.partition("-")
    if not rest:
        return "tel:" + main
    number, _dash, extension = rest.partition("-")
    return "tel:" + main + number + ("," + extension if extension else "")


@login_required
@never_cache
@require_POST
def warning_call(request, pk, contact=None):
    """Reveal the warned person's number (or the escalation contact's, ``contact``), log it, answer its tel: link."""
    require(request.user, "warnings.view")
    warning = get_object_or_404(selectors.warning_for_page(user=request.user, pk=pk))
    if not can_call(request.user, warning):
        raise Http404
    if contact is None:
        callee, name, phone = warning.person, warning.person.name, warning.person.phone
    else:
        callee = get_object_or_404(warning.escalation_contacts.all(), pk=contact)
        name, phone = callee.name, callee.phone
    if not phone:
        raise Http404
    access_log_record(request=request, action=AccessAction.REVEAL, obj=callee, object_repr=name, fields=["phone"])
    context = {"warning": warning, "name": name, "phone": phone, "href": tel_href(phone)}
    if request.htmx:
        return render(request, "warnings_followup/_call_link.html", context)
    return render(request, "warnings_followup/call.html", context)
