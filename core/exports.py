"""Spreadsheet exports of any app: small ones answered at once, large ones written by a background job.

An app describes an export with an :class:`ExportKind` (its capability, label, file name, and ``build``:
the user's scope and the list's filters turned into an :class:`ExportRows`: headers, a queryset and a
function giving one row's cells, already masked and formula-escaped) and registers it with
:func:`register_export` in its ``<app>/exports.py`` (collected when the project starts, so the worker finds a
job's kind by name). Its view is one line: ``return export_response(request, KIND)``.

``core`` is the lowest layer and knows nothing of who may do what or of the access log: the organisation app
connects the capability check and the audit app the access log (:func:`connect_export_hooks`, in their
``AppConfig.ready``). Without them no export is written (fail closed).

* Up to ``settings.EXPORT_ASYNC_ROWS`` rows (20,000): the file is written at once and downloaded.
* More: an :class:`core.models.ExportJob` keeps the kind, format and filters; the Celery task
  ``core.run_export`` builds the rows again with its owner's scope, streams them from the database in
  chunks (``iterator(chunk_size=…)``) into a write-only workbook or a CSV file on disk, publishes its
  progress through the cache, and stores the file. The owner follows the job's page and downloads the
  file when it is ready (``core.serving.serve_file``, as an attachment); anybody else gets 404. Every
  download is access-logged (which export, rows, filters, the masked fields). Files are purged a day after.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import logging
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .faults import on_commit_robust
from .models import ExportJob

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
CHUNK_SIZE = 2000
PROGRESS_TIMEOUT = 6 * 60 * 60


class ExportRefused(Exception):
    """The filters are not valid: the export answers 400 with this message."""


@dataclass
class ExportRows:
    """What an export writes: ``headers``, and ``row(obj)`` for each object of ``queryset`` (masked, escaped)."""

    headers: list[str]
    queryset: QuerySet
    row: Callable[[object], list]
    filters: list[str] = field(default_factory=list)  # the names of the filters used, for the access log
    fields: list[str] = field(default_factory=list)  # the fields written, for the access log ("id_number:masked")
    limit: int | None = None  # at most this many rows (an export with a cap of its own)
    #: ``chunk(objects) -> rows``: the cells of a chunk of objects at once, instead of ``row`` one by one (a
    #: large export that decrypts its numbers in bulk, ``core.crypto.decrypt_many``).
    chunk: Callable[[list], Iterable[list]] | None = None

    def objects(self) -> QuerySet:
        return self.queryset[: self.limit] if self.limit else self.queryset


@dataclass(frozen=True)
class ExportKind:
    kind: str
    capability: str
    label: Callable[[], str]
    filename: str
    build: Callable[..., ExportRows]  # build(*, user, params) -> ExportRows; raises ExportRefused

    def rows_for(self, *, user, params: Mapping) -> ExportRows:
        return self.build(user=user, params=params)


#: Every export kind by name, as the apps registered them (the worker finds a job's kind here).
_KINDS: dict[str, ExportKind] = {}


def register_export(spec: ExportKind) -> ExportKind:
    """Make ``spec`` known by its name (an app's ``exports`` module calls it when it is imported)."""
    known = _KINDS.get(spec.kind)
    if known is not None and known.build.__module__ != spec.build.__module__:
        raise ImproperlyConfigured(f"two exports are named {spec.kind!r}")
    _KINDS[spec.kind] = spec
    return spec


def export_kind(kind: str) -> ExportKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise Http404 from None


# --- who may export, and the access log: connected by the apps above core -------------------------------------


@dataclass
class _Hooks:
    permits: Callable[[object, str], bool] | None = None
    log: Callable[..., object] | None = None


_hooks = _Hooks()


def connect_export_hooks(
    *, permits: Callable[[object, str], bool] | None = None, log: Callable[..., object] | None = None
) -> None:
    """``permits(user, capability) -> bool`` decides who may export (404 otherwise); ``log(request, *, label,
    fmt, count, filters, fields)`` records each file that leaves (the access log)."""
    if permits is not None:
        _hooks.permits = permits
    if log is not None:
        _hooks.log = log


def _require(user, spec: ExportKind) -> None:
    if _hooks.permits is None:
        raise ImproperlyConfigured("no export permission check is connected (organization's AppConfig.ready)")
    if not _hooks.permits(user, spec.capability):
        raise Http404


def _logger() -> Callable[..., object]:
    if _hooks.log is None:
        raise ImproperlyConfigured("no export access log is connected (audit's AppConfig.ready)")
    return _hooks.log


# --- writing ---------------------------------------------------------------------------------------------


def _cells(values: Iterable) -> list:
    return ["" if value is None else value for value in values]


# A one-sheet workbook written as XML straight into the zip: openpyxl's write-only mode spends ~15 µs a cell,
# which is 100 s for 700,000 rows of nine columns; this writer spends ~2. Text cells are inline strings, numbers
# numbers, the header bold; nothing else (no formulas: every text was formula-escaped by the export).
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xlsx_cell(value, style: str = "") -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c{style}><v>{value}</v></c>"
    text = _XML_ILLEGAL_RE.sub("", xml_escape("" if value is None else str(value)))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


_TEXT_CELLS_BETWEEN = '</t></is></c><c t="inlineStr"><is><t xml:space="preserve">'
_SEPARATOR = "\x00"  # illegal in XML: never in a cell once the illegal characters are taken out


def _xlsx_row(cells: list) -> str:
    """One ``<row>``. A row of text only (the usual export) is escaped in one pass: its cells joined by a
    character XML cannot hold, escaped together, the separators then replaced by the cell boundaries."""
    try:
        joined = _SEPARATOR.join(cells)
    except TypeError:  # a number or None: cell by cell
        return "<row>" + "".join(map(_xlsx_cell, cells)) + "</row>"
    if joined.count(_SEPARATOR) != len(cells) - 1:  # a cell held the separator itself
        return "<row>" + "".join(map(_xlsx_cell, cells)) + "</row>"
    text = _XML_ILLEGAL_TEXT_RE.sub("", xml_escape(joined)).replace(_SEPARATOR, _TEXT_CELLS_BETWEEN)
    return f'<row><c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c></row>'


_XML_ILLEGAL_TEXT_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # the separator aside


def _write_xlsx(headers, rows: Iterable[list], target, sheet_title: str) -> None:
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{xml_escape(sheet_title, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in _XLSX_PARTS.items():
            archive.writestr(name, content)
        archive.writestr("xl/workbook.xml", workbook)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            sheet = io.BufferedWriter(raw, buffer_size=1 << 20)
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            bold = ' s="1"'
            sheet.write(("<row>" + "".join(_xlsx_cell(str(header), bold) for header in headers) + "</row>").encode())
            for lines in _batched(map(_xlsx_row, rows), 500):
                sheet.write("".join(lines).encode())
            sheet.write(b"</sheetData></worksheet>")
            sheet.flush()


def _batched(items: Iterable, size: int) -> Iterable[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _chunks(rows: ExportRows, progress: Callable[[int], None] | None) -> Iterable[list]:
    """The cells of every row, read from the database ``CHUNK_SIZE`` rows at a time; progress after each."""
    objects = rows.objects().iterator(chunk_size=CHUNK_SIZE)
    cells_of = rows.chunk or (lambda batch: map(rows.row, batch))
    done = 0
    for batch in _batched(objects, CHUNK_SIZE):
        yield from cells_of(batch)
        done += len(batch)
        if progress is not None:
            progress(done)


def write_rows(rows: ExportRows, fmt: str, target, *, progress: Callable[[int], None] | None = None) -> int:
    """Write the header and every row to ``target`` (a binary file), streaming; returns the number of rows."""
    count = 0

    def counted(cells_of_rows):
        nonlocal count
        for cells in cells_of_rows:
            count += 1
            yield cells

    if fmt == "xlsx":
        _write_xlsx(rows.headers, counted(_chunks(rows, progress)), target, _("Sheet1")[:31])
    else:
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=False)
        writer = csv.writer(text)
        writer.writerow([str(header) for header in rows.headers])
        for batch in _batched(counted(_chunks(rows, progress)), 500):
            writer.writerows(map(_cells, batch))
        text.flush()
        text.detach()
    return count


def _log_export(request, *, spec: ExportKind, rows: ExportRows, fmt: str, count: int) -> None:
    _logger()(request, label=spec.label(), fmt=fmt, count=count, filters=rows.filters, fields=rows.fields)


def _filename(spec: ExportKind, fmt: str, day: datetime.date | None = None) -> str:
    return f"{spec.filename}-{(day or timezone.localdate()):%Y%m%d}.{fmt}"


# --- the view --------------------------------------------------------------------------------------------


def requested_format(request) -> str:
    requested = request.GET.get("format", "xlsx")
    if requested not in CONTENT_TYPES:
        raise Http404
    return requested


def _filters(request) -> QueryDict:
    params = request.GET.copy()
    params.pop("format", None)
    return params


def more_rows_than(queryset: QuerySet, threshold: int, *, limit: int | None = None) -> bool:
    """Are there more than ``threshold`` rows? Reads at most threshold + 1 of them, never counts them all."""
    if limit is not None and limit <= threshold:
        return False
    return queryset.order_by()[threshold : threshold + 1].exists()


def is_large(queryset: QuerySet) -> bool:
    """Is this export above ``settings.EXPORT_ASYNC_ROWS`` (a background job rather than a file at once)?"""
    return more_rows_than(queryset, settings.EXPORT_ASYNC_ROWS)


def export_response(request, spec: ExportKind) -> HttpResponse:
    """The export view of ``spec``: the file itself, or (above the setting) a job and a redirect to its page."""
    _require(request.user, spec)
    _logger()  # no access log: no file
    fmt = requested_format(request)
    params = _filters(request)
    try:
        rows = spec.rows_for(user=request.user, params=params)
    except ExportRefused as refused:
        return HttpResponseBadRequest(str(refused))
    if more_rows_than(rows.queryset, settings.EXPORT_ASYNC_ROWS, limit=rows.limit):
        job = export_job_create(user=request.user, kind=spec.kind, fmt=fmt, params=params)
        return redirect("core:export_job", pk=job.pk)
    buffer = io.BytesIO()
    count = write_rows(rows, fmt, buffer)
    _log_export(request, spec=spec, rows=rows, fmt=fmt, count=count)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{_filename(spec, fmt)}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- jobs ------------------------------------------------------------------------------------------------


def _params_dict(params: QueryDict | Mapping) -> dict[str, list[str]]:
    if isinstance(params, QueryDict):
        return {key: params.getlist(key) for key in params}
    return {key: (list(value) if isinstance(value, list | tuple) else [value]) for key, value in params.items()}


def job_params(job: ExportJob) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in job.params.items():
        params.setlist(key, values)
    return params


def queue_export(job_pk: int) -> None:
    from .tasks import run_export

    run_export.delay(job_pk)


def export_job_create(*, user, kind: str, fmt: str, params) -> ExportJob:
    """Record a large export and queue it after the commit (a broker down: the sweep of stale jobs queues it)."""
    spec = export_kind(kind)
    _require(user, spec)
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind,
            format=fmt,
            params=_params_dict(params),
            created_by=user,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        on_commit_robust(queue_export, job.pk)
    return job


def progress_key(job_pk: int) -> str:
    return f"core:export-progress:{job_pk}"


def _publish_progress(job_pk: int, done: int, total: int) -> None:
    try:
        cache.set(progress_key(job_pk), {"done": done, "total": total}, timeout=PROGRESS_TIMEOUT)
    except Exception:  # Redis is down: the progress bar waits, the export goes on
        logger.warning("export job %s: progress not published", job_pk, exc_info=True)


def export_progress(job: ExportJob) -> dict:
    """``{"done", "total", "percent"}`` of a job, from the cache while it runs."""
    if job.is_finished:
        done = total = max(job.rows, 1)
    else:
        try:
            state = cache.get(progress_key(job.pk)) or {}
        except Exception:  # Redis is down: the page shows the job waiting
            logger.warning("export job %s: progress unavailable", job.pk, exc_info=True)
            state = {}
        done, total = state.get("done", 0), state.get("total", job.total_rows)
    percent = int(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": min(percent, 100)}


def export_job_run(*, job_pk: int) -> ExportJob | None:
    """Run a waiting job once (a redelivered task finds it claimed and does nothing)."""
    claimed = ExportJob.objects.filter(pk=job_pk, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("created_by").get(pk=job_pk)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _write_job_file(job)
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(), error=str(error)[:300]
        )
        job.refresh_from_db()
        return job
    finally:
        cache.delete(progress_key(job.pk))
    return job


def _write_job_file(job: ExportJob) -> None:
    spec = export_kind(job.kind)
    user = job.created_by
    _require(user, spec)  # a role lost since: nothing is written (404 is the job's failure)
    rows = spec.rows_for(user=user, params=job_params(job))
    total = rows.objects().count()
    ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
    _publish_progress(job.pk, 0, total)
    with tempfile.TemporaryFile() as scratch:
        count = write_rows(rows, job.format, scratch, progress=lambda done: _publish_progress(job.pk, done, total))
        scratch.seek(0)
        job.file.save(f"export.{job.format}", File(scratch), save=False)
    job.rows, job.total_rows = count, total
    job.status = ExportJob.Status.READY
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows", "total_rows", "status", "finished_at"])


def export_download(request, job: ExportJob) -> HttpResponse:
    """The finished file of ``job`` (its owner's, checked by the view), access-logged."""
    from .serving import serve_file

    spec = export_kind(job.kind)
    _require(request.user, spec)
    rows = spec.rows_for(user=request.user, params=job_params(job))
    _log_export(request, spec=spec, rows=rows, fmt=job.format, count=job.rows)
    response = serve_file(
        request,
        job.file,
        mime=CONTENT_TYPES[job.format],
        filename=_filename(spec, job.format, timezone.localdate(job.finished_at)),
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- housekeeping ------------------------------------------------------------------------------------------

STALE_PENDING = datetime.timedelta(minutes=5)
STALE_RUNNING = datetime.timedelta(hours=1)


def purge_export_files(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports written more than EXPORT_KEEP_HOURS ago (the job stays, marked expired);
    queue again the jobs never delivered, fail the ones whose worker died. Returns the files deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.READY, finished_at__lt=cutoff):
        if job.file:
            try:
                job.file.delete(save=False)
            except OSError:
                logger.warning("export job %s: file not deleted", job.pk, exc_info=True)
                continue
            purged += 1
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
    for pk in ExportJob.objects.filter(status=ExportJob.Status.PENDING, created_at__lt=now - STALE_PENDING).values_list(
        "pk", flat=True
    ):
        try:
            queue_export(pk)
        except Exception:
            logger.warning("export job %s could not be queued again", pk, exc_info=True)
    ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING).update(
        status=ExportJob.Status.FAILED, finished_at=now, error="the worker stopped"
    )
    return purged
