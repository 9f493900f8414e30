"""Importing residents from a spreadsheet: read it safely, check every row, write all or nothing.

Reading (:func:`read_table`)
    The type comes from the content, not the name: a zip is an .xlsx workbook, an OLE file is an old
    .xls (refused with a hint), anything else must decode as CSV text (UTF-8, or GB18030 as saved by
    Chinese Excel). Uploads are limited to 20 MB. For a workbook the zip's entry count and total
    unpacked size are checked before any XML is parsed. No DTD (hence no entity, no external
    resource) is accepted: the small parts go through defusedxml, the large ones (sheet, shared
    strings) through the C parser after their prolog is checked (:func:`_xml_end_events`), because
    defusedxml's Python parser doubled the reading time. Workbooks are read by a small streaming
    reader of our own rather than openpyxl, which builds an object per cell and took 4 s for 10,000
    rows, more than the whole budget below; ours reads the active sheet's values (shared and inline
    strings, numbers, booleans) and keeps each row's number as the spreadsheet shows it, so problems
    point at the right row.

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

import codecs
import contextlib
import csv
import gc
import io
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult
from tablib import Dataset

from core.imports import MAX_UPLOAD_BYTES, Importer, ImportOutcome, file_error, header_key

from .models import Household, Resident
from .resources import ResidentImportPlan, ResidentResource, cell_text

logger = logging.getLogger(__name__)

MAX_XLSX_ENTRIES = 200
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 60
BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500  # rows per UPDATE ... FROM (VALUES ...) statement
PROGRESS_EVERY = 250

UNREADABLE_MESSAGE = _("This file cannot be read. Upload an Excel workbook (.xlsx) or a CSV file.")


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


def sniff_format(data: bytes) -> str:
    """``"xlsx"`` or ``"csv"``, judged from the content."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("This is an old Excel 97-2003 (.xls) file. Save it as an Excel workbook (.xlsx) and upload it again."),
            code="xls",
        )
    if b"\x00" in data[:4096]:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    return "csv"


def read_table(data: bytes, *, limit: int | None = None) -> Table:
    """Read the first sheet of an .xlsx, or a CSV file; ``limit`` stops after that many data rows.

    Raises ``ValidationError`` for an unreadable, oversized or empty file.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    kind = sniff_format(data)
    stop = None if limit is None else limit + 1
    rows, numbers = _read_xlsx(data, stop) if kind == "xlsx" else _read_csv(data, stop)
    if not rows:
        raise ValidationError(
            _("The sheet is empty. Its first row must hold the column headers, as in the template."), code="empty"
        )
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(
            gettext("The sheet has more than %(count)d rows. Split it into smaller files.") % {"count": MAX_ROWS},
            code="too_many_rows",
        )
    headers = [cell_text(value) for value in rows[0]]
    table = Table(headers, rows[1:], numbers[1:], kind, numbers[0])
    if not table.rows:
        raise ValidationError(_("The sheet has column headers but no rows to import."), code="no_rows")
    return table


def _read_csv(data: bytes, stop: int | None) -> tuple[list[list], list[int]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.decode(data, encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) > MAX_COLUMNS:
                    raise ValidationError(_too_many_columns_message(), code="too_many_columns")
                rows.append(record)
                numbers.append(line)
                if (stop is not None and len(rows) > stop) or len(rows) > MAX_ROWS + 1:
                    break
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc
    return rows, numbers


def _too_many_columns_message() -> str:
    return gettext("The sheet has more than %(count)d columns.") % {"count": MAX_COLUMNS}


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """``{namespace}row`` -> ``row`` (both transitional and strict OOXML namespaces are accepted)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
    return name


_FIRST_ELEMENT_RE = re.compile(rb"<[A-Za-z_]")
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING_RE = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def _xml_end_events(stream):
    """End events of a large part (sheet, shared strings), parsed by the C parser.

    defusedxml's parsers run in Python and doubled the reading time, so the big parts are checked
    first instead: a document type declaration (the only place entities can be declared, and the
    way to reach external resources) can only appear before the first element, so the prolog must
    hold none, and it must be UTF-8 so that this byte check sees what the parser will see.
    """
    head = stream.read(64 * 1024)
    first = _FIRST_ELEMENT_RE.search(head)
    prolog = head[: first.start()] if first else head
    encoding = _ENCODING_RE.match(prolog.lstrip(b"\xef\xbb\xbf"))
    if (
        first is None
        or b"\x00" in head
        or _DTD_RE.search(prolog)
        or (encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii"))
    ):
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    parser = ElementTree.XMLPullParser(events=("end",))
    chunk = head
    while chunk:
        parser.feed(chunk)
        yield from parser.read_events()
        chunk = stream.read(256 * 1024)
    parser.close()
    yield from parser.read_events()


def _xlsx_part(archive: zipfile.ZipFile, name: str):
    try:
        return archive.read(name)
    except KeyError:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from None


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The worksheet the workbook opens on (its active tab), found through the package relationships."""
    workbook_path = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in safe_fromstring(archive.read("_rels/.rels")):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook_path = rel.get("Target", workbook_path).lstrip("/")
    workbook = safe_fromstring(_xlsx_part(archive, workbook_path))
    active = 0
    sheets = []
    for element in workbook.iter():
        tag = _local(element.tag)
        if tag == "workbookView":
            active = int(element.get("activeTab", "0") or 0)
        elif tag == "sheet":
            rel_id = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
            sheets.append(rel_id)
    if not sheets:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    rel_id = sheets[active] if active < len(sheets) else sheets[0]
    folder, _sep, base = workbook_path.rpartition("/")
    rels = safe_fromstring(_xlsx_part(archive, f"{folder}/_rels/{base}.rels"))
    target = next((rel.get("Target", "") for rel in rels if rel.get("Id") == rel_id), "")
    if not target:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    return target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"


def _shared_strings(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    path = next((name for name in names if name.lower() == "xl/sharedstrings.xml"), None)
    if path is None:
        return []
    strings = []
    with archive.open(path) as stream:
        for _event, element in _xml_end_events(stream):
            if _local(element.tag) == "si":
                strings.append(_rich_text(element))
                element.clear()
    return strings


def _rich_text(element) -> str:
    """The text of a string item: its ``t`` or its runs' ``t`` (phonetic hints are left out)."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(grandchild.text or "" for grandchild in child if _local(grandchild.tag) == "t")
    return "".join(parts)


_COLUMN_INDEXES: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """``"B12"`` -> 1 (the letters are cached: a sheet has few columns and many rows)."""
    letters = ref.rstrip("0123456789")
    index = _COLUMN_INDEXES.get(letters)
    if index is None:
        index = -1
        for char in letters.upper():
            index = (index + 1) * 26 + ord(char) - 65
        if len(letters) <= 2:  # only real columns are remembered, whatever a file contains
            _COLUMN_INDEXES[letters] = index
    return index


def _cell_value(cell, shared: list[str]):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(_rich_text(child) for child in cell if _local(child.tag) == "is")
    text = None
    for child in cell:
        if _local(child.tag) == "v":
            text = child.text
            break
    if text is None:
        return None
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return ""
    if kind == "b":
        return text == "1"
    if kind in ("str", "e", "d"):
        return text
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text


def _read_xlsx(data: bytes, stop: int | None) -> tuple[list[list], list[int]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc
    # Checked before any XML is parsed: a zip bomb never gets unpacked.
    if len(infos) > MAX_XLSX_ENTRIES or sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES:
        raise ValidationError(_("This workbook is too large once unpacked. Split it into smaller files."), code="bomb")
    names = {info.filename for info in infos}
    try:
        sheet_path = _first_sheet_path(archive, names)
        shared = _shared_strings(archive, names)
        return _sheet_rows(archive, sheet_path, shared, stop)
    except ValidationError:
        raise
    except Exception as exc:
        logger.info("unreadable workbook: %s", type(exc).__name__)
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc


def _sheet_rows(archive: zipfile.ZipFile, path: str, shared: list[str], stop: int | None):
    rows, numbers = [], []
    previous = 0
    with _open_part(archive, path) as stream:
        for _event, element in _xml_end_events(stream):
            if _local(element.tag) != "row":
                continue
            number = int(element.get("r") or previous + 1)
            previous = number
            values: list = []
            for cell in element:
                ref = cell.get("r")
                column = _column_index(ref) if ref else len(values)
                value = _cell_value(cell, shared)
                if value is None or value == "":
                    continue
                if column >= MAX_COLUMNS:
                    raise ValidationError(_too_many_columns_message(), code="too_many_columns")
                if column < len(values):
                    values[column] = value
                else:
                    values.extend([None] * (column - len(values)))
                    values.append(value)
            element.clear()
            if any(value is not None and str(value).strip() for value in values):
                rows.append(values)
                numbers.append(number)
                if (stop is not None and len(rows) > stop) or len(rows) > MAX_ROWS + 1:
                    break
    return rows, numbers


def _open_part(archive: zipfile.ZipFile, path: str):
    try:
        return archive.open(path)
    except KeyError:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from None


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
    """Write a checked plan in bulk, with history rows. Call inside a transaction."""
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
    """The admin's .xlsx format, read by :func:`read_table` (size and zip checks, defusedxml)."""

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
    """An upload's bytes and format, once its headers (from the first rows only) are known to match."""
    data = read_upload(uploaded)
    table = read_table(data, limit=1)
    match_headers(table, ResidentResource(user=user))
    return data, table.format


IMPORTER = Importer(
    capability="residents.import",
    check=check_upload,
    run=residents_import,
    refused=_("You may no longer import residents."),
)
