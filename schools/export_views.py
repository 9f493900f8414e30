"""Excel exports of the students and the card applications: the list's filters, the user's scope,
masked numbers, formula-escaped cells and an access-log entry (minors' data)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import require
from residents.export_views import CONTENT_TYPES, xlsx_bytes
from residents.resources import escape_formula

from . import selectors
from .filters import CardApplicationFilter, StudentFilter


def _clean(row) -> list:
    return [escape_formula(value) for value in row]


def student_rows(queryset):
    for student in queryset.iterator(chunk_size=500):
        yield _clean(
            [
                student.school.name,
                student.grade,
                student.class_name,
                student.name,
                student.masked_id_number,
                student.guardian_name,
                student.masked_guardian_phone,
                student.bank_cards,
                student.sim_cards,
                student.open_applications,
                _("Yes") if student.is_active else _("No"),
            ]
        )


def application_rows(queryset):
    for application in queryset.iterator(chunk_size=500):
        student = application.student
        yield _clean(
            [
                application.number,
                student.school.name,
                student.grade,
                student.class_name,
                student.name,
                student.masked_id_number,
                application.get_card_type_display(),
                application.issuer,
                application.get_status_display(),
                timezone.localtime(application.created_at).strftime("%Y-%m-%d %H:%M"),
                str(application.escort or ""),
                timezone.localtime(application.appointment_at).strftime("%Y-%m-%d %H:%M")
                if application.appointment_at
                else "",
            ]
        )


def _respond(request, *, headers, rows, name: str, label: str, count: int, used: list, fields: list):
    content = xlsx_bytes(headers, rows)
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("%(what)s export (%(format)s): %(count)d rows; filters: %(filters)s")
        % {"what": label, "format": "xlsx", "count": count, "filters": ", ".join(used) or "—"},
        fields=fields,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def _used(filterset) -> list:
    return [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")]


@login_required
@require_GET
def export_students(request):
    require(request.user, "schools.export")
    base = selectors.with_card_counts(selectors.students_for_user(user=request.user))
    filterset = StudentFilter(request.GET, queryset=base)
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    queryset = filterset.qs.order_by("school__code", "grade_key", "class_key", "name", "pk")
    headers = [
        _("School"),
        _("Grade"),
        _("Class"),
        pgettext("person", "Name"),
        _("ID number"),
        _("Guardian"),
        _("Guardian's phone"),
        _("Bank cards in use"),
        _("SIM cards in use"),
        _("Applications in progress"),
        _("At the school"),
    ]
    return _respond(
        request,
        headers=headers,
        rows=list(student_rows(queryset)),
        name="students",
        label=_("Students"),
        count=queryset.count(),
        used=_used(filterset),
        fields=["name", "id_number:masked", "guardian_name", "guardian_phone:masked", "cards"],
    )


@login_required
@require_GET
def export_applications(request):
    require(request.user, "schools.export")
    filterset = CardApplicationFilter(request.GET, queryset=selectors.applications_for_user(user=request.user))
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    queryset = filterset.qs.order_by("-created_at", "-pk")
    headers = [
        _("Application number"),
        _("School"),
        _("Grade"),
        _("Class"),
        pgettext("person", "Name"),
        _("ID number"),
        _("Card type"),
        _("Bank or carrier"),
        _("Status"),
        _("Filed at"),
        _("Escort"),
        _("Police appointment"),
    ]
    return _respond(
        request,
        headers=headers,
        rows=list(application_rows(queryset)),
        name="card-applications",
        label=_("Card applications"),
        count=queryset.count(),
        used=_used(filterset),
        fields=["name", "id_number:masked", "card_type", "issuer", "status"],
    )
