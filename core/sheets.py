"""The one way to import a spreadsheet: a declarative :class:`Sheet` of :class:`Column` s, checked all or nothing.

A sheet declares its columns (a header, translated in the UI and matched in every configured language, the
spellings other systems export literally, whether the column is required, the :class:`Cell` that cleans it
with the shared validators of ``core.validators``), a row check (:meth:`Sheet.plan`, returning a plan with
``ok``, ``problems`` and ``summary()``) and a writer (:meth:`Sheet.write`). :meth:`Sheet.run` does the rest,
the same for every import:

* reading: :func:`read_table`, one reader for every import (:mod:`core.workbooks`: the type from the content,
  containers checked, calamine in a contained child, at most ``IMPORT_MAX_ROWS`` rows, each keeping its number
  as the spreadsheet shows it, so problems point at the right row);
* headers: :meth:`Sheet.match_headers` lists every missing, unknown and repeated column in one error;
* a dry run checks every row and writes nothing; a commit checks again inside one transaction (the database may
  have changed since the dry run) and writes only if no row has a problem; the writer raises
  :class:`ImportRollback` (or ``PermissionDenied``) to undo everything;
* progress ``(done, total)``: the rows checked, then the rows written.

Every problem is ``{"row", "column", "message"}``: the row as the spreadsheet numbers it, the column as the file
spells it, the message translated. Writers write in bulk with ``core.bulk``. A new import is one module in its
app (``<app>/importing.py``) declaring a sheet, registering it with :func:`register`, and its pages
(``core.import_views.ImportPages``); ``core.imports`` runs it as a job. Nothing here knows the apps: the
registry is filled by the apps' ``importing`` modules.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import workbooks
from core.cells import Cell, IdNumberCell, PhoneCell, cell_text

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 250
LOOKUP_BATCH = 1000
CSV_PREVIEW_BYTES = 64 * 1024


# --- cells as text -------------------------------------------------------------------------------------------


def header_key(text) -> str:
    """A header as matched: no spaces, no trailing "required" asterisk, case-folded."""
    return "".join(cell_text(text).split()).rstrip("*").casefold()


def file_error(message) -> dict:
    """A problem of the whole file rather than of one row."""
    return {"row": None, "column": "", "message": str(message)}


# --- reading -------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet's header texts, its non-empty rows, and each row's number as the spreadsheet shows it."""

    headers: list[str]
    rows: list[list]
    row_numbers: list[int]
    format: str = "csv"
    header_row: int = 1


def _too_large_message() -> str:
    return gettext("The file is larger than %(size)d MB. Split it into smaller files.") % {
        "size": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def read_upload(uploaded) -> bytes:
    """The bytes of an uploaded file, refused above :data:`MAX_UPLOAD_BYTES`."""
    if getattr(uploaded, "size", 0) and uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    return data


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


def check_upload_headers(uploaded, match: Callable[[Table], dict]) -> tuple[bytes, str]:
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


@contextlib.contextmanager
def gc_paused():
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


# --- the sheet -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its header (translated), its cell, whether a file must have it, other systems' spellings of its
    header, and how the template shows it (``text``: formatted as Text so Excel keeps every digit; ``wide``)."""

    header: object
    cell: Cell = field(default_factory=Cell)
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = False
    wide: bool = False


#: The columns every police or school export spells the same way.
ID_NUMBER = Column(
    _("ID number"), IdNumberCell(), True, ("身份证号", "身份证号码", "公民身份号码"), text=True, wide=True
)
PHONE = Column(_("Phone"), PhoneCell(), False, ("手机号", "手机号码", "联系电话"), text=True)


@dataclass
class Plan:
    """What a sheet's row check found: the problems (``{"row", "column", "message"}``) and the rows read."""

    problems: list[dict] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def existing_values(queryset, field_name: str, values: Iterable) -> set:
    """Which of ``values`` the ``field_name`` of ``queryset`` already holds: one query per thousand values."""
    found = set()
    for batch in iter_batches(values):
        found.update(queryset.filter(**{f"{field_name}__in": batch}).values_list(field_name, flat=True))
    return found


class ImportRollback(Exception):
    """Raised while writing to undo the whole import; ``errors`` are row errors to show."""

    def __init__(self, errors: list[dict]):
        super().__init__("rolled back")
        self.errors = errors


@dataclass
class ImportOutcome:
    """``checked``: the rows were read and checked (false when the file or its headers are wrong)."""

    ok: bool
    checked: bool
    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


@dataclass
class Row:
    """One row of a sheet, its cells cleaned: ``raw`` and ``values`` by column name, ``errors`` the bad cells."""

    number: int
    raw: dict
    values: dict
    errors: dict


class Sheet:
    """One kind of import. Subclasses declare the class attributes and :meth:`plan` and :meth:`write`.

    ``kind``: the ``ImportJob.kind``; ``label``: its name; ``capability``: what a user needs to import it
    (checked by :meth:`permitted`); ``refused``: the message of a job whose creator has lost it; ``columns``:
    the :class:`Column` s in the template's order. ``clash_message``: a unique-constraint clash while writing
    fails the job with this message (``None``: it is an internal error).
    """

    kind: str = ""
    label: object = ""
    capability: str = ""
    refused: object = ""
    columns: dict[str, Column] = {}
    clash_message: object = None

    def __init__(self, user):
        self.user = user
        self.cells = {name: column.cell.bound(user) for name, column in self.columns.items()}

    # -- who ------------------------------------------------------------------------------------------------

    def permitted(self, user) -> bool:
        """May ``user`` import this sheet? Sheets whose rows are scoped say so (``organization.importing``)."""
        raise NotImplementedError

    # -- headers --------------------------------------------------------------------------------------------

    @classmethod
    def required_names(cls) -> list[str]:
        return [name for name, column in cls.columns.items() if column.required]

    @classmethod
    def header(cls, name: str) -> str:
        return str(cls.columns[name].header)

    @classmethod
    def headers(cls) -> list[str]:
        return [str(column.header) for column in cls.columns.values()]

    @classmethod
    def _header_names(cls) -> dict[str, str]:
        """Every spelling of every column -> its name: its name and its header in each language."""
        names = {}
        for name, column in cls.columns.items():
            names[header_key(name)] = name
            for language, _language_name in settings.LANGUAGES:
                with translation.override(language):
                    names[header_key(str(column.header))] = name
        return names

    @classmethod
    def match_headers(cls, table: Table) -> dict[int, str]:
        """Map column positions to column names, or raise one ``ValidationError`` listing every problem.

        Other systems' spellings (``aliases``) are read as the column's header.
        """
        aliases = {header_key(alias): str(column.header) for column in cls.columns.values() for alias in column.aliases}
        if aliases:
            headers = [aliases.get(header_key(header), header) if header else header for header in table.headers]
            table = replace(table, headers=headers)
        names = cls._header_names()
        columns: dict[int, str] = {}
        unknown, repeated = [], []
        for index, header in enumerate(table.headers):
            if not header:
                if any(index < len(row) and cell_text(row[index]) for row in table.rows):
                    unknown.append(gettext("(column %(number)d has no header)") % {"number": index + 1})
                continue
            name = names.get(header_key(header))
            if name is None:
                unknown.append(header)
            elif name in columns.values():
                repeated.append(header)
            else:
                columns[index] = name
        missing = [cls.header(name) for name in cls.required_names() if name not in columns.values()]
        messages = []
        if missing:
            messages.append(gettext("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
        if unknown:
            messages.append(
                gettext("Unknown columns: %(columns)s. The columns are: %(expected)s.")
                % {"columns": "、".join(unknown), "expected": "、".join(cls.headers())}
            )
        if repeated:
            messages.append(gettext("Repeated columns: %(columns)s.") % {"columns": "、".join(repeated)})
        if messages:
            raise ValidationError(messages, code="headers")
        return columns

    @classmethod
    def check_upload(cls, uploaded, user) -> tuple[bytes, str]:
        """Container checked in the request; a CSV file's headers at once, a workbook's in the dry run."""
        return check_upload_headers(uploaded, cls.match_headers)

    # -- rows -----------------------------------------------------------------------------------------------

    def rows(self, table: Table, columns: dict[int, str], progress: Callable | None = None) -> Iterator[Row]:
        """Every row with its cells cleaned, calling ``progress(rows_done)`` every few hundred rows.

        Cells that look things up (``preload(texts)``) get the whole column first: one query, not one per row.
        """
        for index, name in columns.items():
            preload = getattr(self.cells[name], "preload", None)
            if preload is not None:
                preload(cell_text(row[index]) for row in table.rows if index < len(row))
        cleaners = [(index, name, self.cells[name].clean) for index, name in columns.items()]
        for position, (cells, number) in enumerate(zip(table.rows, table.row_numbers, strict=True), start=1):
            raw, values, errors = {}, {}, {}
            for index, name, clean in cleaners:
                value = raw[name] = cells[index] if index < len(cells) else None
                try:
                    values[name] = clean(value)
                except ValueError as exc:
                    errors[name] = str(exc)
            yield Row(number, raw, values, errors)
            if progress is not None and position % PROGRESS_EVERY == 0:
                progress(position)

    @staticmethod
    def problem(table: Table, columns: dict[int, str], number: int | None, name: str, message) -> dict:
        """A problem of a row, its column named as the file spells it (or by its header when absent)."""
        index = next((i for i, n in columns.items() if n == name), None)
        column = str(table.headers[index]) if index is not None else ""
        return {"row": number, "column": column, "message": str(message)}

    def plan(self, table: Table, columns: dict[int, str], *, progress: Callable):
        """Check every row; return a plan with ``ok``, ``problems`` and ``summary(**counts)``. Writes nothing."""
        raise NotImplementedError

    def write(self, plan, table: Table, columns: dict[int, str], *, progress: Callable) -> dict | None:
        """Write a checked plan (inside the import's transaction); return counts for ``plan.summary``."""
        raise NotImplementedError

    # -- all or nothing -------------------------------------------------------------------------------------

    def run(self, *, data: bytes | Table, dry_run: bool, progress: Callable | None = None) -> ImportOutcome:
        """Check (and unless ``dry_run``, write) the sheet, all or nothing. ``progress(done, total)``."""
        try:
            with gc_paused():
                table = data if isinstance(data, Table) else read_table(data)
            columns = self.match_headers(table)
        except ValidationError as exc:
            return ImportOutcome(False, False, errors=[file_error(message) for message in exc.messages])
        total = len(table.rows)
        steps = total if dry_run else 2 * total

        def advanced(done):
            if progress is not None:
                progress(done, steps)

        def planned():
            with gc_paused():
                return self.plan(table, columns, progress=advanced)

        if dry_run:
            checked = planned()
            return ImportOutcome(checked.ok, True, total, checked.problems, checked.summary())
        try:
            with transaction.atomic():
                checked = planned()
                if not checked.ok:
                    raise ImportRollback(checked.problems)
                counts = self.write(checked, table, columns, progress=lambda done: advanced(total + done)) or {}
        except ImportRollback as rollback:
            return ImportOutcome(False, True, total, rollback.errors)
        except PermissionDenied as exc:
            return ImportOutcome(False, True, total, [file_error(str(exc))])
        except IntegrityError:
            if self.clash_message is None:
                raise
            logger.warning("%s import rolled back: a row clashed with a concurrent write", self.kind, exc_info=True)
            return ImportOutcome(False, True, total, [file_error(self.clash_message)])
        return ImportOutcome(True, True, total, [], checked.summary(**counts))

    @staticmethod
    def service_errors(exc: ValidationError, *, row: int, headers: dict[str, str], fields: dict | None = None):
        """A service's ``ValidationError`` as row problems, each field named by its column (``fields``: renames)."""
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
        return [
            {
                "row": row,
                "column": headers.get((fields or {}).get(key, key), ""),
                "message": " ".join(str(message) for message in messages),
            }
            for key, messages in pairs
        ]


# --- the registry --------------------------------------------------------------------------------------------

_SHEETS: dict[str, type[Sheet]] = {}
_discovered = False


def register(sheet: type[Sheet]) -> type[Sheet]:
    """Class decorator of an app's ``importing`` module: ``sheet.kind`` becomes an ``ImportJob.kind``."""
    if not sheet.kind:
        raise ValueError(f"{sheet.__name__} has no kind")
    if _SHEETS.get(sheet.kind, sheet) is not sheet:
        raise ValueError(f"import kind {sheet.kind!r} is registered twice")
    _SHEETS[sheet.kind] = sheet
    return sheet


def sheets() -> dict[str, type[Sheet]]:
    """Every registered sheet by kind (each installed app's ``importing`` module is imported once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("importing")
        _discovered = True
    return _SHEETS


def sheet_for(kind: str) -> type[Sheet]:
    """The sheet of ``kind``; ``KeyError`` for a kind nobody registered."""
    return sheets()[kind]


def validate_import_kind(value: str) -> None:
    """``ImportJob.kind`` must name a registered sheet (no choices in the model: a new kind needs no migration)."""
    if value not in sheets():
        raise ValidationError(_("Unknown kind of import “%(value)s”."), code="invalid_choice", params={"value": value})


def iter_batches(values: Iterable, size: int = LOOKUP_BATCH) -> Iterator[list]:
    """``values`` sorted, in lists of ``size``: for ``__in`` look-ups of a whole sheet."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
