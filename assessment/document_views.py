"""Units' documents: each unit's written work plan (工作方案) and summaries (总结) kept per period, and the files of
the work plan's tasks (任务再分解). Leadership sees every unit's, a unit its own (``publicity.view_workplans``,
scoped)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_errors
from core.models import Attachment
from organization.access import can, require

from . import report_services
from .models import DocumentKind, UnitDocument
from .report_forms import AttachForm, UnitDocumentForm


def _upload_units(user):
    from publicity.access import plan_units

    return plan_units(user) if can(user, "publicity.manage_workplans") else plan_units(user).none()


@login_required
@require_http_methods(["GET", "POST"])
def document_list(request):
    require(request.user, "publicity.view_workplans")
    units = _upload_units(request.user)
    form = UnitDocumentForm(request.POST or None, request.FILES or None, units=units) if units.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may upload your own unit's documents only."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = report_services.unit_document_upload(
                    actor=request.user,
                    unit=data["unit"],
                    kind=data["kind"],
                    period=data["period"],
                    title=data["title"],
                    files=data["files"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Document kept."))
                return redirect("assessment:document_detail", pk=document.pk)
    documents = UnitDocument.objects.for_user(request.user).select_related("unit", "uploaded_by")
    kind = request.GET.get("kind", "")
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    period = request.GET.get("period", "").strip()
    if period:
        documents = documents.filter(period_key__startswith=period[:7])
    page = Paginator(documents.prefetch_related("attachments"), 25).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "kinds": DocumentKind.choices, "kind": kind, "period": period}
    return render(request, "assessment/reports_documents.html", context)


@login_required
@require_GET
def document_detail(request, pk: int):
    require(request.user, "publicity.view_workplans")
    document = get_object_or_404(
        UnitDocument.objects.for_user(request.user).select_related("unit", "uploaded_by"), pk=pk
    )
    return render(
        request,
        "assessment/reports_document_detail.html",
        {"document": document, "files": document.attachments.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_files(request, pk: int):
    from publicity.access import can_manage_plan_of
    from publicity.models import WorkTask

    require(request.user, "publicity.view_workplans")
    task = get_object_or_404(WorkTask.objects.for_user(request.user).select_related("plan", "plan__unit"), pk=pk)
    can_manage = can(request.user, "publicity.manage_workplans") and can_manage_plan_of(request.user, task.plan.unit)
    form = AttachForm(request.POST or None, request.FILES or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may manage your own unit's work plan only."))
        if form.is_valid():
            try:
                report_services.work_task_attach(actor=request.user, task=task, files=form.cleaned_data["files"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Files attached."))
                return redirect("assessment:task_files", pk=task.pk)
    files = Attachment.objects.filter(content_type=ContentType.objects.get_for_model(WorkTask), object_id=task.pk)
    return render(request, "assessment/reports_task_files.html", {"task": task, "files": files, "form": form})
