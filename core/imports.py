"""Spreadsheet import jobs, whatever the sheet holds: upload → dry run → confirm → commit.

An upload becomes a dry-run :class:`core.models.ImportJob`, queued on commit; the Celery task
(``residents.tasks.run_import``) claims it with a conditional update, so a redelivered task does
nothing. Progress goes to the cache as the importer reports it. Confirming creates the one commit
job of that dry run (a database-unique link), so a double submit imports once. The stored file is
deleted when the commit ends.

What is imported is up to an :class:`Importer`, one per ``ImportJob.Kind`` (:data:`IMPORTERS`):
the capability it needs, how an upload is checked before it is stored, and the function that
checks (dry run) or writes (commit) the stored file.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.faults import on_commit_robust
from core.models import ImportJob
from organization.access import can, require

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PROGRESS_TIMEOUT = 6 * 60 * 60

# The importer of each kind of job, as "module.NAME" (the apps import this module).
IMPORTERS = {
    ImportJob.Kind.RESIDENTS: "residents.importing.IMPORTER",
    ImportJob.Kind.WARNINGS: "warnings_followup.importing.IMPORTER",
    ImportJob.Kind.STUDENTS: "schools.importing.IMPORTER",
    ImportJob.Kind.FRAUD_CASES: "fraud_cases.importing.IMPORTER",
}


@dataclass
class ImportOutcome:
    """``checked``: the rows were read and checked (false when the file or its headers are wrong)."""

    ok: bool
    checked: bool
    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Importer:
    """What one kind of import plugs into the job machinery.

    ``check(uploaded, user)`` checks an upload without reading a workbook's rows (size, container, a CSV
    file's headers; raising ``ValidationError``),
    returning its bytes and file extension; ``run(data=, user=, dry_run=, progress=)`` checks or
    writes the stored file and returns an :class:`ImportOutcome`, calling ``progress(done, total)``.
    ``refused`` is the message of a job whose creator has lost ``capability``.
    """

    capability: str
    check: Callable[..., tuple[bytes, str]]
    run: Callable[..., ImportOutcome]
    refused: str


class ImportRollback(Exception):
    """Raised while writing to undo the whole import; ``errors`` are row errors to show."""

    def __init__(self, errors: list[dict]):
        super().__init__("rolled back")
        self.errors = errors


def all_or_nothing_import(
    *,
    data,
    user,
    dry_run: bool,
    progress: Callable | None,
    match_headers: Callable,
    plan: Callable,
    write: Callable,
) -> ImportOutcome:
    """The shape every sheet import shares: read the sheet, match its headers, check every row, and write.

    ``plan(table, columns, user=, progress=)`` checks the rows and returns a plan with ``ok``, ``problems``
    and ``summary(**counts)``; a dry run stops there. Otherwise the rows are checked again inside one
    transaction (the database may have changed since the dry run) and ``write(plan, table, columns,
    user=, progress=)`` writes them, returning the counts for the summary; it raises
    :class:`ImportRollback` (or ``PermissionDenied``) to undo everything. ``progress(done, total)`` counts
    the rows checked, then the rows written.
    """
    from django.core.exceptions import PermissionDenied

    from residents.importing import Table, read_table

    try:
        table = data if isinstance(data, Table) else read_table(data)
        columns = match_headers(table)
    except ValidationError as exc:
        return ImportOutcome(False, False, errors=[file_error(message) for message in exc.messages])
    total = len(table.rows)
    steps = total if dry_run else 2 * total

    def advanced(done):
        if progress is not None:
            progress(done, steps)

    if dry_run:
        checked = plan(table, columns, user=user, progress=advanced)
        return ImportOutcome(checked.ok, True, total, checked.problems, checked.summary())
    try:
        with transaction.atomic():
            checked = plan(table, columns, user=user, progress=advanced)
            if not checked.ok:
                raise ImportRollback(checked.problems)
            counts = write(checked, table, columns, user=user, progress=lambda done: advanced(total + done)) or {}
    except ImportRollback as rollback:
        return ImportOutcome(False, True, total, rollback.errors)
    except PermissionDenied as exc:
        return ImportOutcome(False, True, total, [file_error(str(exc))])
    return ImportOutcome(True, True, total, [], checked.summary(**counts))


def importer_for(kind: str) -> Importer:
    return import_string(IMPORTERS[kind])


def cell_text(value) -> str:
    """A cell as stripped text; whole numbers lose the ``.0`` a spreadsheet may add (codes, counts)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_key(text) -> str:
    """A header as matched: no spaces, no trailing "required" asterisk, case-folded."""
    return "".join(cell_text(text).split()).rstrip("*").casefold()


def file_error(message) -> dict:
    """A problem of the whole file rather than of one row."""
    return {"row": None, "column": "", "message": str(message)}


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
    from residents.tasks import run_import

    run_import.delay(job_pk)


def create_job(kind: str, *, user, uploaded) -> ImportJob:
    """Store an upload and queue its dry run. Raises ``ValidationError`` for a file we cannot use.

    The importer checks the size and the container here (a zip's declared sizes, ratio, parts, no DOCTYPE:
    ``core.workbooks``) and a CSV file's headers, so a bomb or a wrong CSV is refused at once; a workbook's
    rows and headers are read by the dry run, in the worker.
    """
    importer = importer_for(kind)
    require(user, importer.capability)
    data, extension = importer.check(uploaded, user)
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
    require(user, importer_for(job.kind).capability)
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
    importer = importer_for(job.kind)
    user = job.created_by
    if user is None or not can(user, importer.capability):
        return ImportOutcome(False, False, errors=[file_error(importer.refused)])
    try:
        with job.file.open("rb") as stored:
            data = stored.read(MAX_UPLOAD_BYTES + 1)
        return importer.run(data=data, user=user, dry_run=job.dry_run, progress=partial(publish_progress, job.pk))
    except Exception:
        logger.exception("%s import job %s failed", job.kind, job.pk)
        message = gettext("The import stopped because of an internal error. Nothing was imported.")
        return ImportOutcome(False, False, errors=[file_error(message)])


def delete_job_file(name: str) -> None:
    """The stored file holds plain ID numbers: delete it and forget its name."""
    if name:
        default_storage.delete(name)
        ImportJob.objects.filter(file=name).update(file="")
