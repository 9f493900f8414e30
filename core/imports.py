"""Spreadsheet import jobs, whatever the sheet holds: upload → dry run → confirm → commit.

An upload becomes a dry-run :class:`core.models.ImportJob`, queued on commit; the Celery task
(``core.tasks.run_import``) claims it with a conditional update, so a redelivered task does
nothing. Progress goes to the cache as the sheet reports it. Confirming creates the one commit
job of that dry run (a database-unique link), so a double submit imports once. The stored file is
deleted when the commit ends.

What is imported is up to the :class:`core.sheets.Sheet` registered for the job's kind
(:func:`core.sheets.sheet_for`): who may import it, how an upload is checked before it is stored,
and how the stored file is checked (dry run) or written (commit).
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.faults import on_commit_robust
from core.models import ImportJob
from core.sheets import MAX_UPLOAD_BYTES, ImportOutcome, Sheet, file_error, sheet_for

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 6 * 60 * 60


def permitted_sheet(kind: str, user) -> Sheet:
    """The sheet of ``kind`` for ``user``; 404 for an unknown kind or a user who may not import it."""
    try:
        sheet = sheet_for(kind)(user)
    except KeyError:
        raise Http404 from None
    if not sheet.permitted(user):
        raise Http404
    return sheet


# --- progress --------------------------------------------------------------------------------------------


def progress_key(job_pk: int) -> str:
    return f"residents:import-progress:{job_pk}"  # the key predates other kinds of import


def publish_progress(job_pk: int, done: int, total: int) -> None:
    try:
        cache.set(progress_key(job_pk), {"done": done, "total": total}, timeout=PROGRESS_TIMEOUT)
    except Exception:  # Redis is down: the progress bar waits, the import goes on
        logger.warning("import job %s: progress not published", job_pk, exc_info=True)


def job_progress(job: ImportJob) -> dict:
    """``{"done", "total", "percent"}`` of a job, from the cache while it runs."""
    if job.is_finished:
        done = total = max(job.processed_rows, 1)
    else:
        try:
            state = cache.get(progress_key(job.pk)) or {}
        except Exception:  # Redis is down: the page shows the job waiting
            logger.warning("import job %s: progress unavailable", job.pk, exc_info=True)
            state = {}
        done, total = state.get("done", 0), state.get("total", 0)
    percent = int(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": min(percent, 100)}


# --- jobs ------------------------------------------------------------------------------------------------


def queue_job(job_pk: int) -> None:
    from core.tasks import run_import

    run_import.delay(job_pk)


def create_job(kind: str, *, user, uploaded) -> ImportJob:
    """Store an upload and queue its dry run. Raises ``ValidationError`` for a file we cannot use.

    The sheet checks the size and the container here (a zip's declared sizes, ratio, parts, no DOCTYPE:
    ``core.workbooks``) and a CSV file's headers, so a bomb or a wrong CSV is refused at once; a workbook's
    rows and headers are read by the dry run, in the worker.
    """
    sheet = permitted_sheet(kind, user)
    data, extension = sheet.check_upload(uploaded, user)
    job = ImportJob(
        kind=kind,
        dry_run=True,
        created_by=user,
        original_filename=(getattr(uploaded, "name", "") or "")[:255],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    with transaction.atomic():
        job.file.save(f"upload.{extension}", ContentFile(data), save=False)
        job.save()
        on_commit_robust(queue_job, job.pk)  # the broker down: the upload still succeeds, the sweep queues it
    return job


def confirm_job(*, job: ImportJob, user) -> ImportJob:
    """Queue the commit of a clean dry run; confirming again returns the same commit job."""
    permitted_sheet(job.kind, user)
    with transaction.atomic():
        job = ImportJob.objects.for_user(user).select_for_update().get(pk=job.pk, kind=job.kind)
        existing = ImportJob.objects.filter(source=job).first()
        if existing is not None:
            return existing
        if not job.can_confirm:
            raise ValidationError(_("Only a check that found no problems can be imported."), code="invalid_state")
        try:
            with transaction.atomic():
                commit = ImportJob.objects.create(
                    kind=job.kind,
                    dry_run=False,
                    source=job,
                    file=job.file.name,
                    original_filename=job.original_filename,
                    created_by=user,
                    language=translation.get_language() or job.language,
                    total_rows=job.total_rows,
                )
        except IntegrityError:  # a concurrent confirm won
            return ImportJob.objects.get(source=job)
        on_commit_robust(queue_job, commit.pk)
    return commit


def run_job(*, job_id: int) -> ImportJob | None:
    """Run a pending job once; a job already claimed (a redelivered task) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        outcome = _run(job)
        if job.dry_run:
            status = ImportJob.Status.DRY_RUN_DONE if outcome.checked else ImportJob.Status.FAILED
        else:
            status = ImportJob.Status.SUCCEEDED if outcome.ok else ImportJob.Status.FAILED
    job.status = status
    job.total_rows = outcome.total_rows
    job.processed_rows = outcome.total_rows if outcome.checked else 0
    job.errors = outcome.errors
    job.summary = outcome.summary
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "total_rows", "processed_rows", "errors", "summary", "finished_at"])
    cache.delete(progress_key(job.pk))
    if not job.dry_run:
        delete_job_file(job.file.name)
    return job


# The periodic scan that catches up (the reliability goals): a job still waiting after STALE_PENDING was never
# delivered (the broker was down at upload, or the message was lost) and is queued again; a job running
# longer than STALE_RUNNING lost its worker and is failed with a message, so nobody waits forever.
STALE_PENDING = datetime.timedelta(minutes=5)
STALE_RUNNING = datetime.timedelta(hours=2)


def sweep_stale_jobs(*, now: datetime.datetime | None = None) -> dict:
    """Re-queue undelivered jobs and fail abandoned ones; safe to run any number of times."""
    now = now or timezone.now()
    waiting = list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=now - STALE_PENDING).values_list(
            "pk", flat=True
        )
    )
    requeued = 0
    for pk in waiting:
        try:
            queue_job(pk)  # run_job claims the job: a late original delivery and this one run it once
        except Exception:  # the broker is still down: the next scan tries again
            logger.warning("import job %s could not be queued again", pk, exc_info=True)
        else:
            requeued += 1
    abandoned = list(
        ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING).select_related(
            "created_by"
        )
    )
    for job in abandoned:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            error = file_error(_("The import stopped before it finished. Nothing was imported; please try again."))
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, finished_at=now, errors=[error]
        )
        if claimed and not job.dry_run:
            delete_job_file(job.file.name)
    return {"requeued": requeued, "failed": len(abandoned)}


def _run(job: ImportJob) -> ImportOutcome:
    sheet = sheet_for(job.kind)(job.created_by)
    if job.created_by is None or not sheet.permitted(job.created_by):
        return ImportOutcome(False, False, errors=[file_error(sheet.refused)])
    try:
        with job.file.open("rb") as stored:
            data = stored.read(MAX_UPLOAD_BYTES + 1)
        return sheet.run(data=data, dry_run=job.dry_run, progress=partial(publish_progress, job.pk))
    except Exception:
        logger.exception("%s import job %s failed", job.kind, job.pk)
        message = gettext("The import stopped because of an internal error. Nothing was imported.")
        return ImportOutcome(False, False, errors=[file_error(message)])


def delete_job_file(name: str) -> None:
    """The stored file holds plain ID numbers: delete it and forget its name."""
    if name:
        default_storage.delete(name)
        ImportJob.objects.filter(file=name).update(file="")
