"""A large export's page (waiting, progress, then the download button) and its download: the owner's only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .exports import export_download, export_kind, export_progress
from .models import ExportJob


def _job_for(user, pk: int) -> ExportJob:
    """The user's own job; another user's (or none) is 404."""
    return get_object_or_404(ExportJob.objects.for_user(user), pk=pk)


@login_required
@never_cache
@require_GET
def export_job(request, pk):
    job = _job_for(request.user, pk)
    context = {"job": job, "label": export_kind(job.kind).label(), "progress": export_progress(job)}
    template = "core/export_progress.html" if request.htmx else "core/export_job.html"
    return render(request, template, context)


@login_required
@never_cache
@require_GET
def export_job_download(request, pk):
    job = _job_for(request.user, pk)
    if not job.is_ready:
        return HttpResponse(_("This export is not ready."), status=409, content_type="text/plain; charset=utf-8")
    return export_download(request, job)
