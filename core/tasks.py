"""Tasks of the core app: large exports and spreadsheet imports, and their purges. ``touch_file`` exists only so a
test can prove a real worker runs tasks."""

import datetime
from pathlib import Path

from celery import shared_task
from django.utils import timezone


@shared_task(name="core.touch_file")
def touch_file(path: str, content: str) -> None:
    """Write ``content`` to ``path``: used only by tests/core/test_celery_worker.py; needs no database."""
    Path(path).write_text(content, encoding="utf-8")


@shared_task(name="core.run_export", ignore_result=True)
def run_export(job_pk: int) -> None:
    """Write a large export's file (``core.exports``); a redelivered task finds the job claimed and does nothing."""
    from core.exports import export_job_run

    export_job_run(job_pk=job_pk)


@shared_task(name="core.purge_export_files", ignore_result=True)
def purge_export_files() -> int:
    """Hourly: delete the export files written more than EXPORT_KEEP_HOURS ago; queue again undelivered jobs."""
    from core.exports import purge_export_files as purge

    return purge()


# --- spreadsheet imports (``core.imports``); the task names predate the move from the registry app ---------------

STALE_UPLOAD_AGE = datetime.timedelta(days=1)


@shared_task(name="residents.run_import", ignore_result=True)
def run_import(job_id: int) -> None:
    """Run an import job (dry run or commit) of any kind. A redelivered task finds the job claimed and does nothing."""
    from core.imports import run_job

    run_job(job_id=job_id)


@shared_task(name="core.sweep_import_jobs", ignore_result=True)
def sweep_import_jobs() -> dict:
    """Every few minutes: queue again the import jobs that were never delivered, fail the abandoned ones."""
    from core.imports import sweep_stale_jobs

    return sweep_stale_jobs()


@shared_task(name="residents.purge_import_files", ignore_result=True)
def purge_import_files() -> int:
    """Delete uploads whose dry run ended a day ago and was never confirmed (they hold plain ID numbers).

    Meant for a daily schedule in django-celery-beat; returns how many files were deleted.
    """
    from core.imports import delete_job_file
    from core.models import ImportJob

    cutoff = timezone.now() - STALE_UPLOAD_AGE
    stale = (
        ImportJob.objects.filter(dry_run=True, finished_at__lt=cutoff, commit_job__isnull=True)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    names = set(stale)
    for name in names:
        delete_job_file(name)
    return len(names)
