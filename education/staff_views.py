"""The staff roster and its coverage, a staff session's attendance, and the police's marking of a school's fraud
cases (三(四) 教职员工全覆盖、"零发案")."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from fraud_cases.models import FraudCase

from . import selectors, staff_services
from .models import SessionKind, town_of
from .services import can_log
from .staff import SchoolCase, StaffMember, StaffRole
from .views import _forbidden, _school_for


class StaffMemberForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=StaffRole.choices)


@login_required
@require_http_methods(["GET", "POST"])
def staff_roster(request, pk):
    school = _school_for(request.user, pk)
    if selectors.supervises_only(request.user, school):
        raise Http404
    may_edit = can_log(request.user, school)
    form = StaffMemberForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            return _forbidden(request, PermissionDenied(_("Only the school's staff may keep its staff roster.")))
        if form.is_valid():
            try:
                member = staff_services.staff_member_add(actor=request.user, school=school, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s added to the staff roster.") % {"name": member.name})
                return redirect("education:staff_roster", pk=school.pk)
    semester = selectors.current_semester(town_of(school))
    return render(
        request,
        "education/staff_roster.html",
        {
            "school": school,
            "semester": semester,
            "members": StaffMember.objects.for_user(request.user).filter(school=school, is_active=True),
            "coverage": staff_services.staff_coverage(school=school, semester=semester),
            "form": form if may_edit else None,
        },
    )


@login_required
@require_POST
def staff_deactivate(request, pk, member_pk):
    school = _school_for(request.user, pk)
    member = get_object_or_404(StaffMember.objects.for_user(request.user).filter(school=school), pk=member_pk)
    try:
        staff_services.staff_member_deactivate(actor=request.user, member=member)
    except PermissionDenied as error:
        return _forbidden(request, error)
    messages.info(request, _("%(name)s is off the staff roster.") % {"name": member.name})
    return redirect("education:staff_roster", pk=school.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    """Tick who of the roster attended a staff education session."""
    session = get_object_or_404(selectors.session_for_page(user=request.user, pk=pk))
    if session.kind != SessionKind.STAFF or selectors.supervises_only(request.user, session.school):
        raise Http404
    if not can_log(request.user, session.school):
        return _forbidden(request, PermissionDenied(_("Only the school's staff may record its education work.")))
    if request.method == "POST":
        count = staff_services.session_staff_attendance_set(
            actor=request.user, session=session, staff_ids=[v for v in request.POST.getlist("staff") if v.isdigit()]
        )
        messages.success(request, _("Attendance saved: %(count)d staff.") % {"count": count})
        return redirect("education:session_detail", pk=session.pk)
    present = set(session.staff_attendance.values_list("staff_id", flat=True))
    members = StaffMember.objects.filter(school=session.school, is_active=True)
    return render(
        request,
        "education/session_attendance.html",
        {"session": session, "members": [(m, m.pk in present) for m in members]},
    )


class SchoolCaseForm(forms.Form):
    case_number = forms.CharField(label=gettext_lazy("Case number"), max_length=64)
    staff = forms.ModelChoiceField(
        label=gettext_lazy("Staff member"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for a student's case: the victim's ID number finds the student."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["staff"].queryset = (
            StaffMember.objects.for_user(user).filter(is_active=True).select_related("school")
        )
        self.fields["staff"].label_from_instance = lambda m: f"{m.school.name} · {m.name}"

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        case = FraudCase.objects.for_user(self.user).select_related("victim").filter(case_number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case with this number in your area."))
        self.case = case
        return number


@login_required
@require_http_methods(["GET", "POST"])
def school_cases(request):
    """The police mark a registered case as a student's or a school staff member's (零发案 is counted from these)."""
    if not staff_services.can_mark_cases(request.user):
        raise Http404
    form = SchoolCaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            mark = staff_services.school_case_mark(actor=request.user, case=form.case, staff=form.cleaned_data["staff"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s marked as %(school)s's.")
                % {
                    "number": mark.case.case_number,
                    "school": mark.school.name,
                },
            )
            return redirect("education:school_cases")
    marks = (
        SchoolCase.objects.for_user(request.user)
        .select_related("case", "school", "student", "staff")
        .order_by("-marked_at")[:100]
    )
    return render(request, "education/school_cases.html", {"form": form, "marks": marks})
