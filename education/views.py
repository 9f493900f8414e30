"""The education pages: compliance across schools (leadership) and per school (its staff), the one-tap
broadcast log, sessions and micro-classes with evidence, parent notices with the return-slip tick list,
and the town's semesters.

Every view checks its capability (404 when missing) and fetches through the user's scope: a school or
record outside it answers 404 like one that does not exist. Writes by a role that may only look answer
403. The supervising school's staff (罗村镇中心学校) open the town's other schools' pages for their figures
only: no records, no buttons, and a write answers 403. All writes go through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from organization.access import can, require

from . import selectors, services
from .forms import BroadcastForm, NoticeForm, SemesterForm, SessionForm, SlipsForm
from .models import SessionKind, town_of


def _forbidden(request, error: PermissionDenied):
    message = str(error) or _("Your role may not do this.")
    return render(request, "education/forbidden.html", {"message": message}, status=403)


def _school_for(user, pk: int):
    require(user, "education.view")
    return get_object_or_404(selectors.schools_for_user(user), pk=pk)


def _require_log(request, school):
    if not services.can_log(request.user, school):
        raise PermissionDenied(_("Only the school's staff may record its education work."))


def may_manage_semesters(user) -> bool:
    """Leadership, and the supervising school's staff (the town's school calendar and named schools)."""
    return can(user, "education.semesters") or selectors.supervising_school_of(user) is not None


def _application_labels() -> dict[str, str]:
    try:
        from schools.models import ApplicationStatus
    except ImportError:
        return {}
    return {code: str(label) for code, label in ApplicationStatus.choices}


def _percent(rate):
    return None if rate is None else round(rate * 100, 1)


def _chart_data(rows: list[selectors.SchoolCompliance]) -> dict:
    return {
        "kind": "schools",
        "schools": [row.school.name for row in rows],
        "staff_done": [row.staff_sessions.done if row.staff_sessions else 0 for row in rows],
        "staff_required": [row.staff_sessions.required if row.staff_sessions else 0 for row in rows],
        "micro_done": [row.micro_classes.done if row.micro_classes else 0 for row in rows],
        "micro_required": [
            row.micro_classes.required if row.micro_classes and row.micro_classes.applies else None for row in rows
        ],
        "broadcast_rate": [
            _percent(row.broadcast.rate) if row.broadcast and row.broadcast.required else None for row in rows
        ],
        "slip_rate": [row.slip_percent for row in rows],
        "labels": {
            "staff_done": _("Staff sessions held"),
            "staff_required": _("Staff sessions required"),
            "micro_done": _("Micro-classes held"),
            "micro_required": _("Micro-classes required"),
            "broadcast_rate": _("Broadcast days logged (%)"),
            "slip_rate": _("Return slips collected (%)"),
        },
    }


def _class_chart_data(row: selectors.SchoolCompliance) -> dict:
    return {
        "kind": "classes",
        "classes": [coverage.label for coverage in row.classes],
        "rates": [coverage.percent for coverage in row.classes],
        "labels": {"rate": _("Return slips collected (%)")},
    }


# --- compliance ---------------------------------------------------------------------------------------


@login_required
def overview(request):
    """Compliance at a glance across the schools in scope; a school's staff go straight to their school."""
    require(request.user, "education.view")
    schools = list(selectors.schools_for_user(request.user))
    if len(schools) == 1 and services.school_of(request.user) is not None:
        return redirect("education:school", pk=schools[0].pk)
    today = timezone.localdate()
    rows = selectors.compliance_for_schools(schools, today=today)
    # Each school is measured in its own town's semester: a county's leadership sees several, named per school.
    semesters = {row.semester.pk: row.semester for row in rows if row.semester is not None}
    semester = rows[0].semester if rows else selectors.current_semester(town_of(request.user.unit), today)
    return render(
        request,
        "education/overview.html",
        {
            "rows": rows,
            "semester": semester,
            "several_semesters": len(semesters) > 1,
            "today": today,
            "supervising": selectors.supervising_school_of(request.user),
            "chart_data": _chart_data(rows),
            "application_labels": _application_labels(),
            "may_manage_semesters": may_manage_semesters(request.user),
        },
    )


@login_required
def school_detail(request, pk):
    from . import staff_services

    school = _school_for(request.user, pk)
    today = timezone.localdate()
    compliance = selectors.compliance_for_school(school, today=today)
    semester = compliance.semester
    labels = _application_labels()
    figures_only = selectors.supervises_only(request.user, school)
    return render(
        request,
        "education/school.html",
        {
            "school": school,
            "c": compliance,
            "semester": semester,
            "today": today,
            "can_log": services.can_log(request.user, school),
            "sessions": selectors.sessions_for_school(user=request.user, school=school, semester=semester),
            "notices": selectors.notices_for_school(user=request.user, school=school, semester=semester)[:50],
            "applications": [(labels.get(code, code), count) for code, count in compliance.applications.items()],
            "chart_data": _class_chart_data(compliance),
            "session_kinds": SessionKind,
            "broadcast_form": BroadcastForm(),
            "figures_only": figures_only,
            # 三(四) 教职员工全覆盖、"零发案": the roster's coverage and the school's marked cases
            "staff_coverage": staff_services.staff_coverage(school=school, semester=semester),
            "school_cases": staff_services.school_case_counts(school=school),
        },
    )


# --- the campus broadcast -------------------------------------------------------------------------------


@login_required
@require_POST
def broadcast_log(request, pk):
    """The one-tap "broadcast done today" (or a past school day, with ``day``): idempotent per school and day."""
    school = _school_for(request.user, pk)
    form = BroadcastForm(request.POST)
    try:
        _require_log(request, school)
        if not form.is_valid():
            raise ValidationError(_("Enter a valid date."))
        result = services.broadcast_log(actor=request.user, school=school, day=form.cleaned_data.get("day"))
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        day = result.record.day
        if result.created:
            messages.success(request, _("Broadcast logged for %(day)s.") % {"day": day})
        else:
            messages.info(request, _("The broadcast of %(day)s was already logged.") % {"day": day})
    return redirect("education:school", pk=school.pk)


# --- sessions and micro-classes --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    school = _school_for(request.user, pk)
    try:
        _require_log(request, school)
    except PermissionDenied as error:
        return _forbidden(request, error)
    form = SessionForm(request.POST or None, request.FILES or None, kind=request.GET.get("kind"))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.session_record(actor=request.user, school=school, **form.service_arguments())
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("Recorded: %(record)s.") % {"record": result.record})
            else:
                messages.info(request, _("This had already been recorded."))
            return redirect("education:session_detail", pk=result.record.pk)
    return render(request, "education/session_form.html", {"school": school, "form": form})


@login_required
def session_detail(request, pk):
    require(request.user, "education.view")
    session = get_object_or_404(selectors.session_for_page(user=request.user, pk=pk))
    return render(request, "education/session_detail.html", {"session": session})


# --- parent notices and return slips ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request, pk):
    school = _school_for(request.user, pk)
    try:
        _require_log(request, school)
    except PermissionDenied as error:
        return _forbidden(request, error)
    form = NoticeForm(request.POST or None, request.FILES or None, classes=selectors.classes_of_school(school))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.notice_send(actor=request.user, school=school, **form.service_arguments())
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("Notice recorded: now tick the return slips as they come back."))
            else:
                messages.info(request, _("This had already been recorded."))
            return redirect("education:notice_detail", pk=result.record.pk)
    return render(request, "education/notice_form.html", {"school": school, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request, pk):
    """The class's tick list of return slips, and the students whose slip is missing."""
    require(request.user, "education.view")
    notice = get_object_or_404(selectors.notice_for_page(user=request.user, pk=pk))
    can_log = services.can_log(request.user, notice.school)
    rows = selectors.notice_slips(notice)
    if request.method == "POST":
        if not can_log:
            return _forbidden(request, PermissionDenied(_("Only the school's staff may record its education work.")))
        class_ids = {row.student_id for row in rows}
        form = SlipsForm(request.POST, student_ids=sorted(class_ids))
        if form.is_valid():
            collected, shown = set(form.cleaned_data["collected"]), set(form.cleaned_data["shown"])
        else:
            # A student left the class while the list was open: keep the other ticks rather than lose them all.
            def posted(name):
                return {int(value) for value in request.POST.getlist(name) if value.isdigit()} & class_ids

            collected, shown = posted("collected"), posted("shown")
        try:
            change = services.return_slips_record(actor=request.user, notice=notice, collected=collected, shown=shown)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Return slips saved: %(added)d ticked, %(removed)d unticked.")
                % {"added": change.added, "removed": change.removed},
            )
        return redirect("education:notice_detail", pk=notice.pk)
    collected = sum(1 for row in rows if row.collected_on)
    return render(
        request,
        "education/notice_detail.html",
        {
            "notice": notice,
            "rows": rows,
            "missing": [row for row in rows if not row.collected_on],
            "collected": collected,
            "total": len(rows),
            "percent": round(collected * 100 / len(rows), 1) if rows else 0,
            "can_log": can_log,
            # Students' names are minors' data: their school's staff see them; leadership sees the counts.
            "show_names": can_log or can(request.user, "schools.view_students"),
        },
    )


# --- semesters (the town sets them) ---------------------------------------------------------------------


def _require_semesters(user):
    require(user, "education.view")
    if not may_manage_semesters(user):
        raise Http404


@login_required
def semester_list(request):
    _require_semesters(request.user)
    towns = selectors.semester_towns_for_user(request.user)
    semesters = selectors.semesters_for_user(request.user).prefetch_related(
        "student_education_schools", "calendar_changes"
    )
    return render(
        request,
        "education/semester_list.html",
        {"semesters": semesters, "show_town": len(towns) > 1, "may_create": bool(towns)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def semester_edit(request, pk=None):
    """A town's semester: only the towns the user sets semesters for (another town's semester answers 404)."""
    _require_semesters(request.user)
    towns = selectors.semester_towns_for_user(request.user)
    if not towns:
        raise Http404
    semester = get_object_or_404(selectors.semesters_for_user(request.user), pk=pk) if pk else None
    form = SemesterForm(request.POST or None, instance=semester, towns=towns)
    if request.method == "POST" and form.is_valid():
        semester = form.save()
        messages.success(request, _("Semester %(name)s saved.") % {"name": semester.name})
        return redirect("education:semester_list")
    return render(request, "education/semester_form.html", {"form": form, "semester": semester})
