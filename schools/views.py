"""The schools pages: students (list, page, forms, reveal), their cards, the card-opening applications
(queues, filing, the chain's steps, the printable approval form) and the school's seal.

Minors' data: every view needs ``schools.view_students`` (school staff and police; 404 otherwise) and
fetches through the user's scope, so a student of another school answers 404 exactly like one that
does not exist. Numbers are masked; the full view is a POST that is access-logged. A step by the wrong
side answers 403; a step out of order changes nothing and says why. All writes go through ``services``.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction, AuditEvent
from audit.services import access_log_record
from core.forms import apply_service_errors
from core.search import posted_search
from core.validators import mask_id_number, mask_phone, normalize_id_number, normalize_phone
from organization.access import can, require

from . import selectors, services
from .filters import StudentFilter, exact_number_kind
from .forms import ACTION_FORMS, ApplicationForm, CardForm, SealForm, StudentForm, action_form
from .models import ApplicationStatus, CardApplication, SchoolProfile, Student, StudentCard

PAGE_SIZE = 25
REVEALED_FIELDS = ("id_number", "guardian_phone")


def _forbidden(request, error: PermissionDenied, back: str = ""):
    message = str(error) or _("Your role may not do this.")
    return render(request, "schools/forbidden.html", {"message": message, "back": back}, status=403)


def _student_for(user, pk: int) -> Student:
    require(user, "schools.view_students")
    return get_object_or_404(selectors.students_for_user(user=user), pk=pk)


def _application_for(user, pk: int) -> CardApplication:
    require(user, "schools.view_students")
    return get_object_or_404(selectors.application_for_page(user=user, pk=pk))


def verify_url(request, application: CardApplication) -> str:
    return request.build_absolute_uri(reverse("verify:verify", args=[application.verification_code]))


# --- students ------------------------------------------------------------------------------------


LIST_PARAMS = ("q", "school", "grade", "class_name")


def _masked(text: str, kind: str) -> str:
    return mask_id_number(normalize_id_number(text)) if kind == "id_number" else mask_phone(normalize_phone(text))


def _search_params(request):
    """The list's search and filters: an exact ID or guardian's phone number posts and is answered here, only
    echoed masked; any other search is redirected to the GET URL (:mod:`core.search`)."""
    return posted_search(request, names=LIST_PARAMS, list_url=reverse("schools:student_list"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def student_list(request):
    require(request.user, "schools.view_students")
    params, response = _search_params(request)
    if response is not None:
        return response
    schools = list(selectors.schools_for_user(user=request.user))
    base = selectors.with_card_counts(selectors.students_for_user(user=request.user))
    filterset = StudentFilter(params or None, queryset=base)
    if not filterset.is_bound:
        students = base
    elif filterset.is_valid():
        students = filterset.qs
    else:
        students = base.none()
    page = Paginator(students.order_by("school__code", "grade_key", "class_key", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = params.get("q", "").strip()
    exact = exact_number_kind(query)
    if exact:
        found = list(page.object_list)
        access_log_record(
            request=request,
            action=AccessAction.SEARCH,
            obj=found[0] if len(found) == 1 else None,
            object_repr=_("Student list"),
            fields=[exact],
        )
    export_params = params.copy()
    if exact:
        export_params.pop("q", None)
    school = next((s for s in schools if s.code == params.get("school", "")), None)
    context = {
        "page": page,
        "schools": schools,
        "school": school,
        "classes": selectors.class_options(user=request.user, school=school),
        "grade": params.get("grade", ""),
        "class_name": params.get("class_name", ""),
        # An exact number is never echoed back into the page: only its masked form.
        "q": "" if exact else query,
        "exact_search": _masked(query, exact) if exact else "",
        "can_manage": can(request.user, "schools.manage_students"),
        "can_export": can(request.user, "schools.export"),
        "export_query": export_params.urlencode(),
    }
    return render(request, "schools/student_list.html", context)


def _student_page(request, student: Student, *, revealed: bool):
    student = get_object_or_404(selectors.student_for_page(user=request.user, pk=student.pk))
    sides = services.actor_sides(request.user, student)
    applications = list(student.card_applications.all())
    for application in applications:
        application.student = student
    return render(
        request,
        "schools/student_detail.html",
        {
            "student": student,
            "revealed": revealed,
            "cards": list(student.cards.all()),
            "applications": applications,
            "is_school_side": services.SCHOOL in sides,
        },
    )


@login_required
@never_cache
def student_detail(request, pk):
    student = _student_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=student)
    return _student_page(request, student, revealed=False)


@login_required
@never_cache
@require_POST
def student_reveal(request, pk):
    student = _student_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.REVEAL, obj=student, fields=REVEALED_FIELDS)
    return _student_page(request, student, revealed=True)


@login_required
@require_http_methods(["GET", "POST"])
def student_create(request):
    require(request.user, "schools.manage_students")
    school = services.school_of(request.user)
    if school is None:
        raise Http404
    form = StudentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_create(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            # A double tap, or the same student entered again: open the one already registered here.
            existing = (
                selectors.students_for_user(user=request.user)
                .by_id_number(form.cleaned_data["id_number"])
                .filter(school=school, name=form.cleaned_data["name"].strip())
                .first()
            )
            if existing is not None:
                messages.info(request, _("This student is already registered."))
                return redirect("schools:student_detail", pk=existing.pk)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Student %(name)s added.") % {"name": student.name})
            return redirect("schools:student_detail", pk=student.pk)
    return render(request, "schools/student_form.html", {"form": form, "school": school})


@login_required
@require_http_methods(["GET", "POST"])
def student_edit(request, pk):
    require(request.user, "schools.manage_students")
    student = _student_for(request.user, pk)
    if services.SCHOOL not in services.actor_sides(request.user, student):
        raise Http404
    initial = {
        "grade": student.grade,
        "class_name": student.class_name,
        "name": student.name,
        "guardian_name": student.guardian_name,
        "is_active": student.is_active,
    }
    form = StudentForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            # The phone is never shown in full on the form: empty keeps it, unless removal is ticked.
            if data.pop("remove_guardian_phone", False):
                data["guardian_phone"] = ""
            elif not data.get("guardian_phone"):
                data["guardian_phone"] = None
            services.student_update(actor=request.user, student=student, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            return _forbidden(request, error)
        else:
            messages.success(request, _("Student updated."))
            return redirect("schools:student_detail", pk=student.pk)
    return render(request, "schools/student_form.html", {"form": form, "student": student, "school": student.school})


# --- cards ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request, pk):
    student = _student_for(request.user, pk)
    back = reverse("schools:student_detail", args=[student.pk])
    if services.SCHOOL not in services.actor_sides(request.user, student):
        return _forbidden(request, PermissionDenied(_("Only the staff of the student's school may do this.")), back)
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.student_card_add(actor=request.user, student=student, **form.cleaned_data)
        except ValidationError as error:
            data = form.cleaned_data
            same = StudentCard.objects.filter(
                student=student, card_type=data["card_type"], last4=data["last4"], is_active=True
            )
            if same.exists():  # a double tap: the card is recorded
                messages.info(request, _("This card is already recorded."))
                return redirect(back)
            apply_service_errors(form, error)
        except PermissionDenied as error:
            return _forbidden(request, error, back)
        else:
            messages.success(request, _("Card recorded."))
            return redirect(back)
    return render(request, "schools/card_form.html", {"form": form, "student": student})


@login_required
@require_POST
def card_close(request, pk, card_pk):
    student = _student_for(request.user, pk)
    card = get_object_or_404(StudentCard.objects.filter(student=student), pk=card_pk)
    try:
        services.student_card_close(actor=request.user, card=card, reason=request.POST.get("reason", ""))
    except PermissionDenied as error:
        return _forbidden(request, error, reverse("schools:student_detail", args=[student.pk]))
    messages.success(request, _("The card is marked as no longer in use."))
    return redirect("schools:student_detail", pk=student.pk)


# --- applications --------------------------------------------------------------------------------


TAB_LABELS = {
    "review": gettext_lazy("Waiting for review"),
    "escort": gettext_lazy("Waiting for an escort"),
    "police": gettext_lazy("At the police check"),
    "open": gettext_lazy("To open"),
    "done": gettext_lazy("Finished"),
    "cleared": gettext_lazy("Cleared"),
    "refused": gettext_lazy("Refused"),
}


@login_required
@never_cache
def queue(request):
    """The school's queue (review, escort, police, to open) or the police's queue of students to check."""
    require(request.user, "schools.view_students")
    police_side = can(request.user, "schools.police_check") and not can(request.user, "schools.review")
    tabs = selectors.POLICE_TABS if police_side else selectors.SCHOOL_TABS
    tab = request.GET.get("tab") or next(iter(tabs))
    if tab not in tabs:
        tab = next(iter(tabs))
    schools = list(selectors.schools_for_user(user=request.user))
    school = next((s for s in schools if s.code == request.GET.get("school", "")), None)
    applications = selectors.queue_for_user(user=request.user, tabs=tabs, tab=tab, school=school)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.queue_counts(user=request.user, tabs=tabs, school=school)
    context = {
        "page": page,
        "tabs": [(code, TAB_LABELS[code], counts[code]) for code in tabs],
        "tab": tab,
        "schools": schools,
        "school": school,
        "police_side": police_side,
        "can_export": can(request.user, "schools.export"),
        "can_seal": can(request.user, "schools.review") and services.school_of(request.user) is not None,
    }
    return render(request, "schools/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, pk):
    """School staff file an application for the student. Re-submitting the same rendered form files it once."""
    student = _student_for(request.user, pk)
    back = reverse("schools:student_detail", args=[student.pk])
    if services.SCHOOL not in services.actor_sides(request.user, student):
        return _forbidden(
            request, PermissionDenied(_("Only the staff of the student's school may file an application.")), back
        )
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.card_application_file(actor=request.user, student=student, **form.service_arguments())
        except PermissionDenied as error:
            return _forbidden(request, error, back)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("Application %(number)s filed.") % {"number": result.application.number})
            else:
                messages.info(request, _("This application had already been filed."))
            return redirect("schools:application_detail", pk=result.application.pk)
    return render(request, "schools/application_form.html", {"form": form, "student": student})


def _timeline(application: CardApplication) -> list:
    from django.contrib.contenttypes.models import ContentType

    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(CardApplication), object_id=str(application.pk)
    ).select_related("actor")
    labels = dict(ApplicationStatus.choices)
    result = []
    for event in events:
        transition = services.TRANSITIONS.get(event.event)
        event.label = transition.label if transition else _("Filed")
        event.new_label = labels.get(event.new, "")
        result.append(event)
    return result


def _detail_context(request, application: CardApplication, *, bound_forms=None) -> dict:
    bound_forms = bound_forms or {}
    escorts = services.escort_choices(application.student.school)
    return {
        "application": application,
        "student": application.student,
        "actions": [
            {
                "code": action,
                "label": services.TRANSITIONS[action].label,
                "form": bound_forms.get(action) or action_form(action, escorts=escorts),
            }
            for action in services.available_actions(request.user, application)
        ],
        "timeline": _timeline(application),
        "verify_url": verify_url(request, application),
        "printable": application.status not in (ApplicationStatus.SCHOOL_REJECTED, ApplicationStatus.SUBMITTED),
        "check_facts": (
            selectors.police_check_facts(user=request.user, student=application.student)
            if can(request.user, "schools.police_check") and can(request.user, "warnings.view")
            else None
        ),
    }


@login_required
@never_cache
def application_detail(request, pk):
    application = _application_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=application.student, object_repr=str(application))
    return render(request, "schools/application_detail.html", _detail_context(request, application))


@login_required
@require_POST
def application_transition(request, pk, action):
    if action not in ACTION_FORMS:
        raise Http404
    application = _application_for(request.user, pk)
    back = reverse("schools:application_detail", args=[application.pk])
    form = action_form(action, request.POST, escorts=services.escort_choices(application.student.school))
    if not form.is_valid():
        context = _detail_context(request, application, bound_forms={action: form})
        return render(request, "schools/application_detail.html", context, status=400)
    try:
        services.TRANSITION_SERVICES[action](application=application, actor=request.user, **form.cleaned_data)
    except PermissionDenied as error:
        return _forbidden(request, error, back)
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    except ValidationError as error:
        apply_service_errors(form, error)
        context = _detail_context(request, application, bound_forms={action: form})
        return render(request, "schools/application_detail.html", context, status=400)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": services.TRANSITIONS[action].label})
    return redirect(back)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (no style attribute: fine under the strict CSP)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, border=2))  # noqa: S308 - segno's own markup


@login_required
@never_cache
def application_print(request, pk):
    """The A4 approval form: the school's seal, the chain's signatures and times, the verification QR code."""
    application = _application_for(request.user, pk)
    access_log_record(request=request, action=AccessAction.VIEW, obj=application.student, object_repr=str(application))
    url = verify_url(request, application)
    context = {
        "application": application,
        "student": application.student,
        "school": application.student.school,
        "verify_url": url,
        "qr": qr_svg(url),
        "printed_at": timezone.localtime(),
    }
    return render(request, "schools/application_print.html", context)


# --- the school's seal ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def seal(request):
    require(request.user, "schools.review")
    school = services.school_of(request.user)
    if school is None:
        raise Http404
    profile = SchoolProfile.objects.filter(school=school).select_related("seal").first()
    form = SealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_seal_set(actor=request.user, school=school, image=form.cleaned_data["image"])
        except PermissionDenied as error:
            return _forbidden(request, error)
        messages.success(request, _("The school's seal image is set."))
        return redirect("schools:seal")
    return render(request, "schools/seal_form.html", {"form": form, "school": school, "profile": profile})
