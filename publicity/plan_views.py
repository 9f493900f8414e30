"""Work plans (任务再分解): each unit's plans and tasks, with a responsible person and a deadline;
leadership's overview of every unit's progress and overdue tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors
from organization.access import can, require

from . import selectors, services
from .access import can_manage_plan_of, plan_units
from .forms import WorkPlanForm, WorkTaskForm
from .models import WorkPlan, WorkTask


def _members(unit):
    return get_user_model().objects.filter(unit=unit, is_active=True).order_by("full_name", "username")


@login_required
@require_GET
def plan_list(request):
    require(request.user, "publicity.view_workplans")
    today = timezone.localdate()
    plans = selectors.plans_for_user(user=request.user)
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    overdue = selectors.overdue_tasks(request.user, today)
    return render(
        request,
        "publicity/plan_list.html",
        {
            "page": page,
            "overdue": overdue[:20],
            "overdue_count": overdue.count(),
            "can_create": can(request.user, "publicity.manage_workplans") and plan_units(request.user).exists(),
            "today": today,
        },
    )


@login_required
@require_GET
def plan_overview(request):
    require(request.user, "publicity.view_workplans")
    today = timezone.localdate()
    return render(
        request,
        "publicity/plan_overview.html",
        {
            "rows": selectors.plan_overview(user=request.user, today=today),
            "overdue": selectors.overdue_tasks(request.user, today)[:100],
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    require(request.user, "publicity.manage_workplans")
    units = plan_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    form = WorkPlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.work_plan_create(actor=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Work plan created: now add its tasks."))
            return redirect("publicity:plan_detail", pk=plan.pk)
    return render(request, "publicity/plan_form.html", {"form": form})


def _plan_for(request, pk) -> WorkPlan:
    require(request.user, "publicity.view_workplans")
    return get_object_or_404(WorkPlan.objects.for_user(request.user).select_related("unit"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk: int):
    plan = _plan_for(request, pk)
    can_manage = can(request.user, "publicity.manage_workplans") and can_manage_plan_of(request.user, plan.unit)
    form = WorkTaskForm(request.POST or None, members=_members(plan.unit)) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may manage your own unit's work plan only."))
        if form.is_valid():
            try:
                services.work_task_create(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Task added."))
                return redirect("publicity:plan_detail", pk=plan.pk)
    today = timezone.localdate()
    tasks = [
        (task, services.available_actions(request.user, task) if can_manage else [])
        for task in selectors.tasks_of(plan)
    ]
    return render(
        request,
        "publicity/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "form": form,
            "can_manage": can_manage,
            "today": today,
            "transitions": services.TASK_TRANSITIONS,
        },
    )


def _task_for(request, pk) -> WorkTask:
    require(request.user, "publicity.view_workplans")
    return get_object_or_404(WorkTask.objects.for_user(request.user).select_related("plan__unit"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = _task_for(request, pk)
    require(request.user, "publicity.manage_workplans")
    if not can_manage_plan_of(request.user, task.plan.unit):
        raise PermissionDenied(_("You may manage your own unit's work plan only."))
    form = WorkTaskForm(request.POST or None, members=_members(task.plan.unit), task=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.work_task_update(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect("publicity:plan_detail", pk=task.plan_id)
    return render(request, "publicity/task_form.html", {"form": form, "task": task})


@login_required
@require_POST
def task_transition(request, pk: int, action: str):
    task = _task_for(request, pk)
    require(request.user, "publicity.manage_workplans")
    if action not in services.TASK_TRANSITIONS:
        return HttpResponse(status=404)
    try:
        task = services.work_task_transition(actor=request.user, task=task, action=action)
    except services.TransitionNotAllowed as error:
        return render(request, "publicity/conflict.html", {"message": error.message, "task": task}, status=409)
    messages.success(request, _("“%(task)s”: %(status)s.") % {"task": task.title, "status": task.get_status_display()})
    return redirect("publicity:plan_detail", pk=task.plan_id)
