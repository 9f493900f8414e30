"""Importing residents from a spreadsheet: read it safely, check every row, write all or nothing.

Reading (:func:`read_table`)
    One reader for every import, :mod:`core.workbooks`: the type comes from the content (a zip is an
    .xlsx or .ods workbook, an OLE file an old .xls, anything else must decode as CSV text: UTF-8, or
    GB18030 as saved by Chinese Excel). Uploads are limited to 20 MB. The upload request checks only
    the container (a zip's declared sizes, ratio and parts, and no DOCTYPE in any part) and a CSV
    file's headers (:func:`check_upload_headers`); a workbook's rows are read in the worker by
    python-calamine in a contained child process (capped memory and time), at most
    ``IMPORT_MAX_ROWS`` rows, each keeping its number as the spreadsheet shows it, so problems point
    at the right row.

Checking (:func:`match_headers`, ``ResidentResource.plan``)
    Headers are matched in every configured language (a file downloaded in English imports on a
    Chinese worker); missing, unknown and repeated columns are listed together. Then every cell goes
    through the resource's widgets (the shared validators) and every row is matched: residents by
    the keyed hash of their ID number, households by (village, address), one query each.

Writing (:func:`write_plan`): the fast path
    The goal is a 10,000-row import within 3x the time of a plain ``bulk_create`` of the same rows
    (``bench/import_residents.py`` measures it on PostgreSQL: 2.4x to 2.9x). django-import-export's
    row loop saves row by row, and even with ``use_bulk`` it spends its time on per-row result
    objects and instance look-ups, so the plan is written in bulk instead:

    * new households, then new residents: ``bulk_create`` in batches of 1,000;
    * changed rows: :func:`bulk_update_values`, one ``UPDATE ... FROM (VALUES ...)`` per 500 rows
      (Django's ``bulk_update`` builds a CASE expression per row and field: 40 s for 10,000 rows),
      grouped by the fields that changed, so encrypted fields the sheet leaves alone are neither
      decrypted nor rewritten;
    * history: the same rows simple-history would write, copied by the database from the rows just
      written (:func:`insert_history`, ``INSERT ... SELECT``). simple-history's own
      ``bulk_create_with_history`` builds a historical instance per row in Python and was a third of
      the import. Its signals do not fire for bulk writes, so nothing is written twice.

    Reading and checking pause the cyclic garbage collector (:func:`_gc_paused`): they build a few
    hundred thousand small objects and the collector's passes doubled the time, erratically.
    The one piece of model logic repeated here is deriving the birth date and gender from an
    already-normalised ID number (``resources._set_normalized_id_number``; a test compares it with
    ``Resident.set_id_number``), because normalising four times per row cost seconds.

All or nothing
    A dry run only plans. A commit plans again inside one transaction (the database may have
    changed since the dry run) and writes only if no row has a problem; a unique-constraint clash
    with a concurrent registration rolls everything back and fails the job.

Jobs (:data:`IMPORTER`)
    Uploads run as :class:`core.models.ImportJob` jobs through ``core.imports`` (dry run, confirm,
    commit, progress); this module gives it the capability, the header check and
    :func:`residents_import`, which reports progress every 250 rows.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult
from tablib import Dataset

from core import workbooks
from core.imports import MAX_UPLOAD_BYTES, Importer, ImportOutcome, file_error, header_key

from .models import Household, Resident
from .resources import ResidentImportPlan, ResidentResource, cell_text

logger = logging.getLogger(__name__)

MAX_COLUMNS = workbooks.MAX_COLUMNS
BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500  # rows per UPDATE ... FROM (VALUES ...) statement
PROGRESS_EVERY = 250

UNREADABLE_MESSAGE = workbooks.UNREADABLE_MESSAGE


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet's header texts, its non-empty rows, and each row's number as the spreadsheet shows it."""

    headers: list[str]
    rows: list[list]
    row_numbers: list[int]
    format: str = "csv"
    header_row: int = 1


def read_upload(uploaded) -> bytes:
    """The bytes of an uploaded file, refused above :data:`MAX_UPLOAD_BYTES`."""
    if getattr(uploaded, "size", 0) and uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    return data


def _too_large_message() -> str:
    return gettext("The file is larger than %(size)d MB. Split it into smaller files.") % {
        "size": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def read_table(data: bytes, *, limit: int | None = None) -> Table:
    """Read the first sheet of a workbook (.xlsx, .xls, .ods), or a CSV file; ``limit`` stops after that many
    data rows. The reading is :func:`core.workbooks.read_rows` (containers checked, calamine contained).

    Raises ``ValidationError`` for an unreadable, oversized or empty file.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    kind, rows, numbers = workbooks.read_rows(data, stop=None if limit is None else limit + 1)
    if not rows:
        raise ValidationError(
            _("The sheet is empty. Its first row must hold the column headers, as in the template."), code="empty"
        )
    headers = [cell_text(value) for value in rows[0]]
    table = Table(headers, rows[1:], numbers[1:], kind, numbers[0])
    if not table.rows:
        raise ValidationError(_("The sheet has column headers but no rows to import."), code="no_rows")
    return table


CSV_PREVIEW_BYTES = 64 * 1024


def check_upload_headers(uploaded, match) -> tuple[bytes, str]:
    """An upload's bytes and format, checked without reading a workbook's rows in the web request.

    The size and the container are checked (:func:`core.workbooks.check_upload`: a zip's declared sizes,
    ratio, parts and DOCTYPE, nothing parsed). A CSV file's headers are checked at once with
    ``match(table)``, from its first 64 KB; a workbook's headers are checked by the dry run, in the worker.
    """
    data = read_upload(uploaded)
    kind = workbooks.check_upload(data)
    if kind == "csv":
        preview = data if len(data) <= CSV_PREVIEW_BYTES else data[: data.rfind(b"\n", 0, CSV_PREVIEW_BYTES) + 1]
        try:
            table = read_table(preview, limit=1)
        except ValidationError as exc:
            if preview is data or exc.code not in ("empty", "no_rows", "unreadable"):
                raise
        else:
            match(table)
    return data, kind


def _header_aliases(resource) -> dict[str, str]:
    """Every spelling of every importable column -> field name: its name and its header in each language."""
    aliases = {}
    for name, resource_field in resource.fields.items():
        if resource_field.readonly:
            continue
        aliases[header_key(name)] = name
        for language, _language_name in settings.LANGUAGES:
            with translation.override(language):
                aliases[header_key(str(resource_field.column_name))] = name
    return aliases


def match_headers(table: Table, resource) -> dict[int, str]:
    """Map column positions to the resource's field names, or raise one error listing every problem."""
    aliases = _header_aliases(resource)
    columns: dict[int, str] = {}
    unknown, repeated = [], []
    for index, header in enumerate(table.headers):
        if not header:
            if any(index < len(row) and cell_text(row[index]) for row in table.rows):
                unknown.append(gettext("(column %(number)d has no header)") % {"number": index + 1})
            continue
        name = aliases.get(header_key(header))
        if name is None:
            unknown.append(header)
        elif name in columns.values():
            repeated.append(header)
        else:
            columns[index] = name
    order = resource.get_export_order()
    expected = [str(resource.fields[name].column_name) for name in order if not resource.fields[name].readonly]
    missing = [
        str(resource.fields[name].column_name) for name in resource.required_fields if name not in columns.values()
    ]
    messages = []
    if missing:
        messages.append(gettext("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    if unknown:
        messages.append(
            gettext("Unknown columns: %(columns)s. The columns are: %(expected)s.")
            % {"columns": "、".join(unknown), "expected": "、".join(expected)}
        )
    if repeated:
        messages.append(gettext("Repeated columns: %(columns)s.") % {"columns": "、".join(repeated)})
    if messages:
        raise ValidationError(messages, code="headers")
    return columns


# --- writing ---------------------------------------------------------------------------------------------


def bulk_update_values(model, instances, fields: list[str]) -> None:
    """``UPDATE ... FROM (VALUES ...)``: what ``QuerySet.bulk_update`` does, in one statement per batch.

    Django's ``bulk_update`` builds a ``CASE WHEN pk = ...`` expression per row and field, which took
    4 s per 1,000 rows here (and its SQL grows quadratically). Values go through each field's
    ``get_db_prep_save`` (so encrypted fields are encrypted); ``auto_now`` is not applied: set it.
    Needs PostgreSQL or SQLite 3.33+.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    targets = [model._meta.get_field(name) for name in fields]
    columns = [pk.column, *(target.column for target in targets)]
    postgres = connection.vendor == "postgresql"

    def value_of(column_field, alias):
        # PostgreSQL types a VALUES list from its literals; say what each column is.
        return f"CAST(v.{alias} AS {column_field.db_type(connection)})" if postgres else f"v.{alias}"

    aliases = [f"c{position}" for position in range(len(columns))]
    assignments = ", ".join(
        f"{quote(target.column)} = {value_of(target, alias)}"
        for target, alias in zip(targets, aliases[1:], strict=True)
    )
    table = quote(model._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(instances), UPDATE_BATCH_SIZE):
            batch = instances[start : start + UPDATE_BATCH_SIZE]
            params = []
            for instance in batch:
                instance._prepare_related_fields_for_save(operation_name="bulk_update", fields=targets)
                params.append(pk.get_db_prep_save(instance.pk, connection))
                params.extend(
                    target.get_db_prep_save(getattr(instance, target.attname), connection) for target in targets
                )
            # Table and column names come from the model; the values are parameters.
            source = f"WITH v ({', '.join(aliases)}) AS (VALUES {', '.join([placeholders] * len(batch))})"
            where = f"{table}.{quote(pk.column)} = {value_of(pk, aliases[0])}"
            sql = f"{source} UPDATE {table} SET {assignments} FROM v WHERE {where}"  # noqa: S608
            cursor.execute(sql, params)


_HISTORY_COLUMNS = frozenset({"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"})


def insert_history(model, pks: list, *, history_type: str, user, reason: str) -> None:
    """History rows for rows just written, copied by the database: ``INSERT ... SELECT``.

    simple-history's ``bulk_history_create`` builds a historical model instance per row in Python,
    which was a third of the whole import; the database copies the tracked columns of the rows it
    has just written in a fraction of that. Same rows either way (one ``history_date`` per call).
    """
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    tracked = [model._meta.get_field(f.name) for f in history_model.tracked_fields]
    columns = [f.column for f in tracked]
    history_columns = {f.column for f in history_model._meta.concrete_fields}
    if history_columns - set(columns) - _HISTORY_COLUMNS:  # a customised history model: take the slow road
        instances = list(model._default_manager.filter(pk__in=pks))
        model.history.bulk_history_create(
            instances, update=history_type == "~", default_user=user, default_change_reason=reason
        )
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    date = history_model._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    target = ", ".join(
        quote(c) for c in [*columns, "history_date", "history_change_reason", "history_type", "history_user_id"]
    )
    source = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH_SIZE):
            batch = pks[start : start + BATCH_SIZE]
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} ({target}) "  # noqa: S608 - names from the models
                f"SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})",
                [date, reason, history_type, user.pk if user is not None else None, *batch],
            )


def _bulk_update_grouped(instances, model, changed_fields, *, user, reason, progress=None) -> None:
    """Update instances in bulk, grouped by the fields that changed, and write their history rows.

    Grouping keeps encrypted fields that the sheet leaves alone out of the statement: they are
    neither decrypted nor re-encrypted.
    """
    groups = defaultdict(list)
    now = timezone.now()
    for instance in instances:
        instance.updated_at = now
        groups[frozenset(changed_fields.get(id(instance), ())) | {"updated_at"}].append(instance)
    for fields, members in groups.items():
        for start in range(0, len(members), BATCH_SIZE):
            batch = members[start : start + BATCH_SIZE]
            bulk_update_values(model, batch, sorted(fields))
            insert_history(model, [member.pk for member in batch], history_type="~", user=user, reason=reason)
            if progress is not None:
                progress(len(batch))


def write_plan(plan: ResidentImportPlan, *, user, progress=None) -> None:
    """Write a checked plan in bulk, with history rows, then recount the coverage counters of the villages it
    touched (the bulk writes bypass the services that keep them). Call inside a transaction."""
    from campaigns.counters import coverage_recount

    touched = {row.village_id for row in [*plan.new_households, *plan.updated_households, *plan.new_residents]}
    moved = [resident.pk for resident in plan.updated_residents]
    touched |= {resident.village_id for resident in plan.updated_residents}
    if moved:  # the villages they leave (a resident's village is their household's)
        touched |= set(Resident.objects.filter(pk__in=moved).values_list("village_id", flat=True).distinct())
    reason = gettext("Spreadsheet import")
    for start in range(0, len(plan.new_households), BATCH_SIZE):
        batch = Household.objects.bulk_create(plan.new_households[start : start + BATCH_SIZE])
        insert_history(Household, [household.pk for household in batch], history_type="+", user=user, reason=reason)
    _bulk_update_grouped(plan.updated_households, Household, plan.changed_fields, user=user, reason=reason)
    for start in range(0, len(plan.new_residents), BATCH_SIZE):
        batch = Resident.objects.bulk_create(plan.new_residents[start : start + BATCH_SIZE])
        insert_history(Resident, [resident.pk for resident in batch], history_type="+", user=user, reason=reason)
        if progress is not None:
            progress(len(batch))
    _bulk_update_grouped(
        plan.updated_residents, Resident, plan.changed_fields, user=user, reason=reason, progress=progress
    )
    coverage_recount(village_ids=touched)


# --- importing -------------------------------------------------------------------------------------------


def _file_errors(exc: ValidationError) -> list[dict]:
    return [file_error(message) for message in exc.messages]


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while reading and checking a sheet.

    Both build hundreds of thousands of small objects, and the collector's repeated passes over
    them made reading a 10,000-row workbook take twice as long, erratically. Nothing built here
    holds reference cycles, so nothing is lost; the collector resumes at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def residents_import(*, data: bytes | Table, user, dry_run: bool, progress=None) -> ImportOutcome:
    """Check (and unless ``dry_run``, write) a residents sheet, all or nothing.

    ``user`` scopes the villages a row may name (``None``: a system import, unscoped).
    ``progress(done, total)`` is called every few hundred rows.
    """
    resource = ResidentResource(user=user)
    try:
        with _gc_paused():
            table = data if isinstance(data, Table) else read_table(data)
        columns = match_headers(table, resource)
    except ValidationError as exc:
        return ImportOutcome(ok=False, checked=False, errors=_file_errors(exc))
    total = len(table.rows)
    steps = total if dry_run else 2 * total
    done = [0]

    def checked(count):
        if progress is not None:
            progress(count, steps)

    def written(count):
        done[0] += count
        if progress is not None:
            progress(total + done[0], steps)

    def planned():
        with _gc_paused():
            return resource.plan(table.rows, columns, table.headers, table.row_numbers, progress=checked)

    if dry_run:
        plan = planned()
        return ImportOutcome(plan.ok, True, total, [problem.as_dict() for problem in plan.problems], plan.summary())
    try:
        with transaction.atomic():
            plan = planned()
            if not plan.ok:
                transaction.set_rollback(True)
                return ImportOutcome(False, True, total, [problem.as_dict() for problem in plan.problems])
            write_plan(plan, user=user, progress=written)
    except IntegrityError:
        logger.warning("import rolled back: a row clashed with a concurrent registration", exc_info=True)
        message = gettext(
            "Someone registered some of these people while the import ran. Nothing was imported; try again."
        )
        return ImportOutcome(False, True, total, [{"row": None, "column": "", "message": message}])
    return ImportOutcome(True, True, total, [], plan.summary())


def table_from_dataset(dataset: Dataset) -> Table:
    rows = [list(row) for row in dataset]
    numbers = getattr(dataset, "row_numbers", None) or list(range(2, len(rows) + 2))
    return Table([cell_text(header) for header in dataset.headers or []], rows, list(numbers))


def import_resource_dataset(resource: ResidentResource, dataset: Dataset, *, dry_run: bool) -> Result:
    """``ResidentResource.import_data`` for django-import-export's admin: same planner, same writer."""
    table = table_from_dataset(dataset)
    result = Result()
    result.diff_headers = list(table.headers)
    result.total_rows = len(table.rows)
    try:
        if not table.rows:
            raise ValidationError(_("The sheet has column headers but no rows to import."))
        columns = match_headers(table, resource)
    except ValidationError as exc:
        result.append_invalid_row(table.header_row, {}, ValidationError({NON_FIELD_ERRORS: exc.messages}))
        return result
    cells_of = dict(zip(table.row_numbers, table.rows, strict=True))
    try:
        with transaction.atomic():
            plan = resource.plan(table.rows, columns, table.headers, table.row_numbers)
            if plan.ok and not dry_run:
                write_plan(plan, user=resource.user)
    except IntegrityError as exc:
        result.append_base_error(Error(exc))
        return result
    problems = defaultdict(lambda: defaultdict(list))
    for problem in plan.problems:
        problems[problem.row][problem.column].append(problem.message)
    for number, by_column in problems.items():
        row = dict(zip(table.headers, cells_of.get(number, ()), strict=False))
        result.append_invalid_row(number, row, ValidationError({k: v for k, v in by_column.items()}))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
    if plan.ok:
        for _number, resident, is_new in plan.rows:
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if is_new else RowResult.IMPORT_TYPE_UPDATE
            row_result.add_instance_info(resident)
            row_result.instance = resident
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
    return result


class SafeXLSX(base_formats.XLSX):
    """The admin's .xlsx format, read by :func:`read_table` (container checks, calamine in a contained child)."""

    def create_dataset(self, in_stream):
        return dataset_from_bytes(in_stream)


class SafeCSV(base_formats.CSV):
    """The admin's CSV format: bytes in (UTF-8 or GB18030), read by :func:`read_table`."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return dataset_from_bytes(in_stream)


def dataset_from_bytes(data) -> Dataset:
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        table = read_table(data)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    dataset = Dataset(headers=table.headers)
    width = len(table.headers)
    for row in table.rows:
        dataset.append((list(row) + [None] * width)[:width])
    dataset.row_numbers = table.row_numbers
    return dataset


# --- jobs ------------------------------------------------------------------------------------------------


def check_upload(uploaded, user) -> tuple[bytes, str]:
    """An upload's bytes and format: container checked, a CSV file's headers matched (a workbook's: in the dry run)."""
    return check_upload_headers(uploaded, lambda table: match_headers(table, ResidentResource(user=user)))


IMPORTER = Importer(
    capability="residents.import",
    check=check_upload,
    run=residents_import,
    refused=_("You may no longer import residents."),
)
