"""The public verification page of a card-opening approval form (/verify/<code>/), outside any login.

A bank or carrier counter scans the QR code of the printed form and sees the application's number, the
school, the status and the date of its last step: no personal data at all. An unknown code and a refused
application (by the school or the police) both read "invalid".
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import ApplicationStatus, CardApplication

INVALID = (ApplicationStatus.SCHOOL_REJECTED, ApplicationStatus.POLICE_REFUSED)


def _last_step_at(application: CardApplication):
    return (
        application.opened_at
        or application.police_checked_at
        or application.escort_assigned_at
        or application.reviewed_at
        or application.created_at
    )


@require_GET
@never_cache
def verify(request, code: str):
    application = (
        CardApplication.objects.select_related("student__school").filter(verification_code=code).first()
        if len(code) <= 40
        else None
    )
    if application is None or application.status in INVALID:
        return render(request, "schools/verify.html", {"valid": False}, status=404)
    context = {
        "valid": True,
        "number": application.number,
        "school": application.student.school.name,
        "status": application.status,
        "status_label": application.get_status_display(),
        "date": timezone.localtime(_last_step_at(application)).date(),
        "may_open": application.status == ApplicationStatus.POLICE_CLEARED,
        # A form serves one card: once the card is opened the counter is told not to open another on it.
        "used": application.status == ApplicationStatus.OPENED,
    }
    return render(request, "schools/verify.html", context)
