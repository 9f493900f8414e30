"""Tasks of the core app: large exports and their purge. ``touch_file`` exists only so a test can prove a real
worker runs tasks."""

from pathlib import Path

from celery import shared_task


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
