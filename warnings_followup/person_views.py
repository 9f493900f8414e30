"""The one-person-one-file pages (一人一档全息档案): the screen page and its A4 print view.

The person is fetched through the user's scope (404 otherwise, exactly like "does not exist"); every
view, printed or not, is written to the access log. Numbers are shown masked only.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import can, require
from residents.models import Resident

from .timeline import person_file_build, person_related


def _person_for(user, pk: int) -> Resident:
    return get_object_or_404(
        Resident.objects.for_user(user).select_related(*person_related()),
        pk=pk,
    )


def _person_file_context(request, pk: int) -> dict:
    require(request.user, "warnings.view")
    person = _person_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=person)
    today = timezone.localdate()
    file = person_file_build(user=request.user, person=person)
    cases = [
        {
            "warning": warning,
            "next_visit_due": warning.current_next_visit_due(today),
            "overdue": warning.is_overdue(today),
            "window_ended": warning.is_undecided and warning.window_has_ended(today),
            "visit_count": len(warning.visits.all()),
            "accounts": list(warning.stop_payment_accounts.all()),
        }
        for warning in file.warnings
    ]
    return {
        "person": person,
        "file": file,
        "cases": cases,
        "entries": file.entries,
        "today": today,
        "can_see_registry": can(request.user, "residents.view"),
    }


@login_required
@never_cache
def person_file(request, pk):
    return render(request, "warnings_followup/person_file.html", _person_file_context(request, pk))


@login_required
@never_cache
def person_file_print(request, pk):
    context = _person_file_context(request, pk)
    context["printed_at"] = timezone.localtime()
    return render(request, "warnings_followup/person_file_print.html", context)
