"""Reading an uploaded spreadsheet without letting it take a process down: the one reader of every import.

A spreadsheet is a hostile file until proven otherwise. A 264 KB .xlsx can unpack to 30 million empty rows,
hold 10 million shared strings, declare an entity, or (read by calamine) place two cells so far apart that
the dense grid it builds needs 500 GB. So reading has two stages:

:func:`check_upload`, in the upload request (bounded work, nothing parsed)
    The type comes from the content: a zip is an .xlsx (or an .ods), an OLE file an old .xls, anything else
    must be CSV text. For a zip, the central directory is checked first (number of parts, each part's
    declared unpacked size: a worksheet at most ``IMPORT_MAX_SHEET_MB``, the shared strings
    ``IMPORT_MAX_SHARED_STRINGS_MB``, all parts ``IMPORT_MAX_UNPACKED_MB``, and the packing ratio of any
    part over 1 MB at most ``IMPORT_MAX_ZIP_RATIO``), then every part is inflated as a stream (64 KB at a
    time, never held whole) to check that it unpacks to exactly the size it declares, with its CRC, and
    that no document type declaration (``<!DOCTYPE``, ``<!ENTITY``) appears anywhere in it. The scan is of
    bytes, not of a parse, so a comment in front of the declaration hides nothing; XML parts must be
    UTF-8 so the bytes are what a parser would see. Cost: a few hundred milliseconds at the limits.

:func:`read_rows`, in the worker (the dry run and the commit)
    The same checks again (a stored file is no safer than an upload), then the rows: CSV with the csv
    module, a workbook with python-calamine (Rust; .xlsx, .xls and .ods; 10,000 rows in 0.1 s) in a
    forked child process whose address space is capped at ``IMPORT_READER_MEMORY_MB`` above its start
    and whose time is capped at ``IMPORT_READER_SECONDS``: whatever a file makes calamine allocate, only
    the child dies, and the job fails with a message. At most ``IMPORT_MAX_ROWS`` data rows are read.

Rows come back as lists of cell values (text, int, float, bool; dates as ISO text; empty cells ``None``),
without the empty rows, each with its row number as the spreadsheet shows it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import os
import pickle
import re
import select
import signal
import struct
import time
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_COLUMNS = 60
CHUNK = 64 * 1024
RATIO_FLOOR = 1024 * 1024  # the ratio limit applies to parts larger than this once unpacked
MB = 1024 * 1024

UNREADABLE_MESSAGE = _("This file cannot be read. Upload an Excel workbook (.xlsx or .xls) or a CSV file.")

_DTD_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING_RE = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_ACTIVE_TAB_RE = re.compile(rb"""<(?:\w+:)?workbookView\b[^>]*\bactiveTab\s*=\s*["'](\d+)["']""")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_rows() -> int:
    return limit("IMPORT_MAX_ROWS", 200_000)


# --- what the file is --------------------------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """``"xlsx"``, ``"ods"``, ``"xls"`` or ``"csv"``, judged from the content."""
    if data.startswith(b"PK\x03\x04"):
        # An OpenDocument file starts with its uncompressed "mimetype" entry.
        return "ods" if data[30:38] == b"mimetype" and data[38 : 38 + len(_ODS_MIMETYPE)] == _ODS_MIMETYPE else "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if b"\x00" in data[:4096]:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    return "csv"


def check_upload(data: bytes) -> str:
    """The format of an upload whose container is safe to store and read later; raises ``ValidationError``.

    No cell is read here: for a workbook, only its zip structure and its parts' bytes are checked.
    """
    kind = sniff(data)
    if kind in ("xlsx", "ods"):
        check_zip(data)
    return kind


# --- the zip -----------------------------------------------------------------------------------------------


def _bomb(message) -> ValidationError:
    return ValidationError(message, code="bomb")


def _part_limit(name: str, kind: str) -> tuple[int, str]:
    """The largest unpacked size a part may declare, and what it is (for the message)."""
    lowered = name.lower()
    if lowered.startswith("xl/worksheets/") or (kind == "ods" and lowered == "content.xml"):
        return limit("IMPORT_MAX_SHEET_MB", 50) * MB, "sheet"
    if lowered == "xl/sharedstrings.xml":
        return limit("IMPORT_MAX_SHARED_STRINGS_MB", 20) * MB, "strings"
    return limit("IMPORT_MAX_UNPACKED_MB", 100) * MB, "part"


def check_zip(data: bytes) -> None:
    """Refuse a zip by its declared sizes (before anything is unpacked), then by what its parts really hold."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc
    kind = sniff(data)
    max_entries = limit("IMPORT_MAX_ZIP_ENTRIES", 200)
    if len(infos) > max_entries:
        raise _bomb(
            gettext("This workbook has more than %(count)d parts; a spreadsheet needs far fewer. It was refused.")
            % {"count": max_entries}
        )
    total = 0
    ratio = limit("IMPORT_MAX_ZIP_RATIO", 100)
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")  # encrypted, or packed unusually
        most, what = _part_limit(info.filename, kind)
        if info.file_size > most:
            raise _bomb(_too_large_part_message(what, most))
        total += info.file_size
        if total > limit("IMPORT_MAX_UNPACKED_MB", 100) * MB:
            raise _bomb(_too_large_part_message("part", limit("IMPORT_MAX_UNPACKED_MB", 100) * MB))
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise _bomb(
                gettext(
                    "This workbook unpacks to more than %(ratio)d times its size, as only a zip bomb does. "
                    "It was refused; save the sheet again in Excel and upload it."
                )
                % {"ratio": ratio}
            )
    for info in infos:
        _check_part(data, info)


def _too_large_part_message(what: str, size: int) -> str:
    if what == "sheet":
        text = gettext(
            "A sheet of this workbook is larger than %(size)d MB once unpacked. Split it into smaller files."
        )
    elif what == "strings":
        text = gettext(
            "The text of this workbook (its shared strings) is larger than %(size)d MB once unpacked. "
            "Split it into smaller files."
        )
    else:
        text = gettext("This workbook is larger than %(size)d MB once unpacked. Split it into smaller files.")
    return text % {"size": size // MB}


def _part_chunks(data: bytes, info: zipfile.ZipInfo):
    """The unpacked bytes of one part, 64 KB at a time, read from its own local header (not trusted sizes)."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    if info.compress_type == zipfile.ZIP_STORED:
        for position in range(0, len(raw), CHUNK):
            yield bytes(raw[position : position + CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for position in range(0, len(raw), CHUNK):
        piece = raw[position : position + CHUNK]
        while piece:
            yield inflater.decompress(piece, CHUNK)
            piece = inflater.unconsumed_tail
            if inflater.eof:
                return
    yield inflater.flush()


def _check_part(data: bytes, info: zipfile.ZipInfo) -> None:
    """A part unpacks to exactly its declared size and CRC, and holds no document type declaration."""
    size = crc = 0
    tail = b""
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    try:
        for chunk in _part_chunks(data, info):
            if not chunk:
                continue
            if size == 0 and is_xml:
                _check_encoding(chunk)
            size += len(chunk)
            if size > info.file_size:
                raise _bomb(
                    gettext("This workbook holds more than it declares, as only a zip bomb does. It was refused.")
                )
            crc = zlib.crc32(chunk, crc)
            if _DTD_RE.search(tail + chunk):
                raise ValidationError(
                    gettext(
                        "This workbook contains a document type declaration (DOCTYPE), which a spreadsheet never "
                        "needs and an attack uses. It was refused; save the sheet again in Excel and upload it."
                    ),
                    code="unreadable",
                )
            tail = chunk[-32:]
    except zlib.error as exc:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc
    if size != info.file_size or crc != info.CRC:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")


def _check_encoding(head: bytes) -> None:
    """XML parts must be UTF-8 (or ASCII), so that the byte scan sees what a parser sees."""
    declared = _ENCODING_RE.match(head.removeprefix(b"\xef\xbb\xbf"))
    if (
        head.startswith((b"\xff\xfe", b"\xfe\xff"))
        or b"\x00" in head[:1024]
        or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"))
    ):
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")


# --- reading the rows --------------------------------------------------------------------------------------


def read_rows(data: bytes, *, stop: int | None = None) -> tuple[str, list[list], list[int]]:
    """The format, the non-empty rows (header row included) and their row numbers, of a CSV file or a workbook.

    ``stop``: stop after that many non-empty rows. More than ``IMPORT_MAX_ROWS`` data rows are refused.
    """
    kind = check_upload(data)
    cap = max_rows() + 1  # the header row and the data rows
    wanted = cap + 1 if stop is None else min(stop, cap + 1)
    if kind == "csv":
        rows, numbers = _read_csv(data, wanted)
    else:
        rows, numbers = _read_workbook(data, kind, wanted)
    if len(rows) > cap:
        raise too_many_rows_error()
    return kind, rows, numbers


def too_many_rows_error() -> ValidationError:
    return ValidationError(
        gettext("The sheet has more than %(count)d rows. Split it into smaller files.") % {"count": max_rows()},
        code="too_many_rows",
    )


def too_many_columns_error() -> ValidationError:
    return ValidationError(
        gettext("The sheet has more than %(count)d columns.") % {"count": MAX_COLUMNS}, code="too_many_columns"
    )


def _read_csv(data: bytes, wanted: int) -> tuple[list[list], list[int]]:
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
                    raise too_many_columns_error()
                rows.append(record)
                numbers.append(line)
                if len(rows) >= wanted:
                    break
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable") from exc
    return rows, numbers


def _active_sheet(data: bytes, kind: str) -> int:
    """The index of the sheet an .xlsx opens on (its active tab); the first sheet of other workbooks."""
    if kind != "xlsx":
        return 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next((n for n in archive.namelist() if n.lower() == "xl/workbook.xml"), None)
            found = _ACTIVE_TAB_RE.search(archive.read(name)) if name else None  # size checked by check_zip
    except (zipfile.BadZipFile, ValueError, OSError):
        return 0
    return int(found.group(1)) if found else 0


def _read_workbook(data: bytes, kind: str, wanted: int) -> tuple[list[list], list[int]]:
    import python_calamine  # noqa: F401 - imported before forking, so the child imports nothing

    status, payload = run_contained(_calamine_rows, data, _active_sheet(data, kind), wanted)
    if status == "ok":
        return payload
    if status == "refused":
        code = payload
        if code == "too_many_rows":
            raise too_many_rows_error()
        if code == "too_many_columns":
            raise too_many_columns_error()
    if status == "error" and kind == "xls":
        raise ValidationError(
            _(
                "This old Excel 97-2003 (.xls) file cannot be read. "
                "Save it as an Excel workbook (.xlsx) and upload it again."
            ),
            code="xls",
        )
    if status == "error":
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    raise ValidationError(
        gettext(
            "This workbook needs more memory or time to read than any sheet of %(count)d rows. "
            "Save it again in Excel, or split it into smaller files."
        )
        % {"count": max_rows()},
        code="bomb",
    )


class _Refused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _cell(value):
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return value


def _calamine_rows(data: bytes, index: int, wanted: int) -> tuple[list[list], list[int]]:
    """Runs in the contained child: calamine reads the sheet, the rows become plain values."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    kinds = [meta.typ for meta in workbook.sheets_metadata]
    if not kinds:
        raise ValueError("no sheet")
    if index >= len(kinds) or kinds[index] != SheetTypeEnum.WorkSheet:
        index = next((i for i, typ in enumerate(kinds) if typ == SheetTypeEnum.WorkSheet), 0)
    sheet = workbook.get_sheet_by_index(index)
    end = sheet.end
    if end is None:
        return [], []
    if end[1] >= MAX_COLUMNS:
        raise _Refused("too_many_columns")
    # Rows from A1, so that each row keeps the number the spreadsheet shows; at most the rows needed.
    grid = sheet.to_python(skip_empty_area=False, nrows=min(end[0] + 1, max_rows() + 2))
    rows, numbers = [], []
    for number, values in enumerate(grid, start=1):
        cells = [_cell(value) for value in values]
        while cells and cells[-1] is None:
            cells.pop()
        if any(cell is not None and str(cell).strip() for cell in cells):
            rows.append(cells)
            numbers.append(number)
            if len(rows) >= wanted:
                return rows, numbers
    if end[0] + 1 > len(grid):  # the sheet goes on below the last row read
        raise _Refused("too_many_rows")
    return rows, numbers


# --- containment -------------------------------------------------------------------------------------------


def run_contained(function, *args, memory_mb: int | None = None, seconds: int | None = None):
    """``function(*args)`` in a forked child with capped memory and time: ``(status, payload)``.

    ``("ok", result)``; ``("refused", code)`` for a :class:`_Refused`; ``("error", name)`` for any other
    exception; ``("killed", detail)`` when the child died (out of memory: a Rust allocation failure
    aborts) or ran out of time. Where ``fork`` is missing, the function runs here, uncontained.
    """
    memory_mb = memory_mb or limit("IMPORT_READER_MEMORY_MB", 1024)
    seconds = seconds or limit("IMPORT_READER_SECONDS", 120)
    if not hasattr(os, "fork"):
        return _outcome(function, args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_end)
            _confine(memory_mb, seconds)
            payload = pickle.dumps(_outcome(function, args), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks, deadline, outcome = [], time.monotonic() + seconds + 5, None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                os.kill(pid, signal.SIGKILL)
                outcome = ("killed", "timeout")
                break
            chunk = os.read(read_end, 1024 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _pid, wait_status = os.waitpid(pid, 0)
    if outcome is None and chunks and os.waitstatus_to_exitcode(wait_status) == 0:
        try:
            outcome = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's bytes
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):  # a truncated payload
            outcome = None
    if outcome is None:
        outcome = ("killed", f"exit {os.waitstatus_to_exitcode(wait_status)}")
    if outcome[0] == "killed":
        logger.warning("contained reading stopped: %s", outcome[1])
    return outcome


def _outcome(function, args):
    try:
        return ("ok", function(*args))
    except _Refused as refused:
        return ("refused", refused.code)
    except MemoryError:
        return ("killed", "memory")
    except Exception as exc:  # noqa: BLE001 - whatever a file makes the reader raise is "unreadable"
        return ("error", type(exc).__name__)


def _confine(memory_mb: int, seconds: int) -> None:
    """Cap the child's address space (above what it already maps) and its processor time; silence it."""
    import resource

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # a failed allocation's report is the parent's to log
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = mapped + memory_mb * MB
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
