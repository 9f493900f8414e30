"""A hostile user uploads workbooks built to exhaust the server: each is refused with a message, nothing is kept.

The bombs are made here, small: a sheet of 30 million empty rows (a 260 KB file), 10 million shared strings,
a document type declaration hidden behind a comment, a zip that declares more than it may or less than it
holds, a zip of many parts, a part packed a thousandfold, and, for the worker's reader, cells placed so far
apart that calamine's grid would need hundreds of gigabytes. The upload request refuses what the container
shows (sizes, ratio, parts, DOCTYPE) before any cell is read; what only reading shows is refused by the dry
run in the worker, whose reader runs in a contained child process, so the worker survives.
"""

import io
import struct
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from core import workbooks
from core.models import ImportJob
from core.sheets import read_table
from residents.models import Resident
from tests.residents.test_import import header, person, xlsx_sheet

pytestmark = pytest.mark.django_db

START = reverse("residents:import_start")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml"'
    b' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + MAIN.encode() + b'" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"'
    b' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN.encode() + b'"><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"


def streamed(archive: zipfile.ZipFile, name: str, head: bytes, unit: bytes, count: int, tail: bytes) -> None:
    """Write a part of ``count`` repeats of ``unit`` without holding it: a few hundred KB for hundreds of MB."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as part:
        part.write(head)
        block = unit * 100_000
        for _ in range(count // 100_000):
            part.write(block)
        part.write(unit * (count % 100_000))
        part.write(tail)


def workbook(sheet: bytes | None = None, *, extra: dict | None = None, bomb=None) -> bytes:
    """A minimal .xlsx; ``bomb(archive)`` adds streamed parts, ``extra`` more small ones."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if sheet is not None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        if bomb is not None:
            bomb(archive)
    return buffer.getvalue()


def one_row_sheet(*cells: str) -> bytes:
    row = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells)
    return SHEET_HEAD + f'<row r="1">{row}</row>'.encode() + SHEET_TAIL


@pytest.fixture
def uploader(client, leader, village_a, grid_a1, django_capture_on_commit_callbacks, settings):
    """The registry's import page, as the town's leader; the dry run runs eagerly on commit. A storage of its own:
    what earlier tests stored does not count as stored by this upload."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {**settings.STORAGES}  # a fresh in-memory storage
    client.force_login(leader)

    def upload(data: bytes, name: str = "居民.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(START, {"file": SimpleUploadedFile(name, data)})

    return upload


def refused_at_upload(response) -> list[str]:
    """The upload page answered with the form's errors, and nothing was stored."""
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    try:
        assert default_storage.listdir("imports") == ([], [])
    except FileNotFoundError:
        pass
    return response.context["form"].errors["file"]


def translated(message: str) -> str:
    """The message as the page shows it (the default language is Chinese); it must have a translation."""
    text = gettext(message)
    assert text != message, f"untranslated: {message}"
    return text


# --- refused by the upload request, from the container alone ---------------------------------------------


def test_a_260_kb_sheet_of_30_million_empty_rows_is_refused_by_its_declared_size(uploader):
    bomb = workbook(
        bomb=lambda archive: streamed(
            archive, "xl/worksheets/sheet1.xml", SHEET_HEAD, b"<row/>", 30_000_000, SHEET_TAIL
        )
    )
    assert len(bomb) < 300 * 1024
    errors = refused_at_upload(uploader(bomb))
    assert errors == [
        translated("A sheet of this workbook is larger than %(size)d MB once unpacked. Split it into smaller files.")
        % {"size": 50}
    ]


def test_ten_million_shared_strings_are_refused_by_their_declared_size(uploader):
    bomb = workbook(
        one_row_sheet("x"),
        bomb=lambda archive: streamed(
            archive,
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + MAIN.encode() + b'">',
            b"<si><t/></si>",
            10_000_000,
            b"</sst>",
        ),
    )
    [error] = refused_at_upload(uploader(bomb))
    assert error == translated(
        "The text of this workbook (its shared strings) is larger than %(size)d MB once unpacked. "
        "Split it into smaller files."
    ) % {"size": 20}


@pytest.mark.parametrize(
    "part",
    ["xl/worksheets/sheet1.xml", "docProps/custom.xml", "xl/_rels/workbook.xml.rels"],
)
def test_a_doctype_behind_a_comment_is_refused_in_any_part(uploader, part):
    hidden = b'<?xml version="1.0"?><!-- <a --><!DOCTYPE lol [<!ENTITY lol "LOL">]>'
    parts = {"xl/worksheets/sheet1.xml": one_row_sheet("&lol;")}
    if part == "xl/worksheets/sheet1.xml":
        parts[part] = hidden + parts[part].split(b"?>", 1)[1]
    elif part == "xl/_rels/workbook.xml.rels":
        parts[part] = hidden + WORKBOOK_RELS.split(b"?>", 1)[1]
    else:
        parts[part] = hidden + b"<Properties>&lol;</Properties>"
    data = workbook(extra=parts)
    [error] = refused_at_upload(uploader(data))
    assert error == translated(
        "This workbook contains a document type declaration (DOCTYPE), which a spreadsheet never needs and an "
        "attack uses. It was refused; save the sheet again in Excel and upload it."
    )


def test_a_doctype_deep_in_a_sheet_across_a_chunk_boundary_is_refused():
    """Not only the prolog: anywhere, even split between two of the 64 KB pieces the scan reads."""
    rows = b"".join(b'<row r="%d"><c t="inlineStr"><is><t>x</t></is></c></row>' % n for n in range(1, 5000))
    sheet = SHEET_HEAD + rows[: 65536 - len(SHEET_HEAD) - 4] + SHEET_TAIL
    sheet = sheet[: 65536 - 4] + b"<!DOCTYPE x>" + sheet[65536 - 4 :]
    with pytest.raises(Exception) as refused:
        workbooks.check_upload(workbook(sheet))
    assert refused.value.code == "unreadable"
    assert "DOCTYPE" in refused.value.messages[0]


def _declare_size(data: bytes, name: bytes, size: int) -> bytes:
    """The zip with ``name``'s unpacked size replaced in its central directory entry and its local header."""
    data = bytearray(data)
    central = data.index(b"PK\x01\x02")
    while True:
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[central + 28 : central + 34])
        if bytes(data[central + 46 : central + 46 + name_length]) == name:
            data[central + 24 : central + 28] = struct.pack("<I", size)
            local = struct.unpack("<I", data[central + 42 : central + 46])[0]
            data[local + 22 : local + 26] = struct.pack("<I", size)
            return bytes(data)
        central += 46 + name_length + extra_length + comment_length


def test_a_zip_declaring_a_sheet_over_the_limit_is_refused_before_anything_is_unpacked(uploader, monkeypatch):
    honest = workbook(one_row_sheet(*(str(header(name)) for name in ("name", "id_number", "village"))))
    declared = _declare_size(honest, b"xl/worksheets/sheet1.xml", 60 * 1024 * 1024)

    def unpacking(*args, **kwargs):
        raise AssertionError("unpacked before the declared sizes were checked")

    monkeypatch.setattr(workbooks.zlib, "decompressobj", unpacking)
    [error] = refused_at_upload(uploader(declared))
    assert error == translated(
        "A sheet of this workbook is larger than %(size)d MB once unpacked. Split it into smaller files."
    ) % {"size": 50}


def test_a_zip_that_holds_more_than_it_declares_is_refused(uploader):
    """Declaring 1 KB for a part that unpacks to 5 MB passes the size limits, not the unpacking."""
    data = workbook(
        bomb=lambda archive: streamed(
            archive, "xl/worksheets/sheet1.xml", SHEET_HEAD, b'<row r="1"/>', 400_000, SHEET_TAIL
        )
    )
    lying = _declare_size(data, b"xl/worksheets/sheet1.xml", 1024)
    [error] = refused_at_upload(uploader(lying))
    assert error == translated("This workbook holds more than it declares, as only a zip bomb does. It was refused.")


def test_a_zip_of_too_many_parts_is_refused(uploader, settings):
    data = workbook(one_row_sheet("x"), extra={f"xl/junk{n}.xml": b"<a/>" for n in range(250)})
    [error] = refused_at_upload(uploader(data))
    assert error == translated(
        "This workbook has more than %(count)d parts; a spreadsheet needs far fewer. It was refused."
    ) % {"count": settings.IMPORT_MAX_ZIP_ENTRIES}


def test_a_part_packed_a_thousandfold_is_refused_by_its_ratio(uploader, settings):
    data = workbook(
        one_row_sheet("x"),
        bomb=lambda archive: streamed(archive, "xl/styles.xml", b"<styleSheet>", b" ", 8_000_000, b"</styleSheet>"),
    )
    [error] = refused_at_upload(uploader(data))
    assert error == translated(
        "This workbook unpacks to more than %(ratio)d times its size, as only a zip bomb does. "
        "It was refused; save the sheet again in Excel and upload it."
    ) % {"ratio": settings.IMPORT_MAX_ZIP_RATIO}


# --- refused by the worker's reader -----------------------------------------------------------------------


def test_rows_beyond_the_row_cap_are_refused_by_the_dry_run(uploader, settings):
    settings.IMPORT_MAX_ROWS = 5
    data = xlsx_sheet([person(n) for n in range(1, 8)])
    response = uploader(data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.FAILED
    assert [error["message"] for error in job.errors] == [
        translated("The sheet has more than %(count)d rows. Split it into smaller files.") % {"count": 5}
    ]
    assert not Resident.objects.exists()


def test_two_cells_far_apart_kill_only_the_contained_reader(uploader, settings):
    """calamine would build a dense grid of A1:XFD1048576 (500 GB): the child dies, the worker answers."""
    sheet = (
        SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + SHEET_TAIL
    )
    settings.IMPORT_READER_MEMORY_MB = 256
    uploader(workbook(sheet))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert [error["message"] for error in job.errors] == [
        translated(
            "This workbook needs more memory or time to read than any sheet of %(count)d rows. "
            "Save it again in Excel, or split it into smaller files."
        )
        % {"count": settings.IMPORT_MAX_ROWS}
    ]
    assert not Resident.objects.exists()


def ods_repeating_a_row(times: int = 1_000_000) -> bytes:
    """An .ods of a few KB whose one row says it repeats ``times`` times (calamine expands it: gigabytes)."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="S"><table:table-row table:number-rows-repeated="' + str(times).encode() + b'">'
        b'<table:table-cell table:number-columns-repeated="50" office:value-type="string"><text:p>x</text:p>'
        b"</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        b"</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            b' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry'
            b' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            b"</manifest:manifest>",
        )
    return buffer.getvalue()


def test_an_ods_repeating_a_row_a_million_times_is_contained(settings):
    bomb = ods_repeating_a_row()
    settings.IMPORT_READER_MEMORY_MB = 256
    with pytest.raises(Exception) as refused:
        read_table(bomb)
    assert refused.value.code == "bomb"


def test_an_honest_workbook_still_imports(uploader):
    """The defences cost nothing to a real sheet: upload, dry run in the worker, no problems."""
    response = uploader(xlsx_sheet([person(1), person(2)]))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DRY_RUN_DONE and job.errors == [] and job.total_rows == 2
