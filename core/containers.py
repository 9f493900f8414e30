"""Is the whole file what its first bytes say? Structural checks of the containers accepted as evidence.

:mod:`core.uploads` tells a file's kind from its first bytes; these checks then walk the container, so
that a few right bytes in front of anything else are refused (the hardening goals of 罗办发〔2023〕12号
keep evidence honest). Each check reads a seekable binary file, moves its position, never loads more
than a bounded part of it, and answers without raising:

* :func:`pdf_ok`: the header, ``%%EOF`` near the end, ``startxref`` pointing at a cross-reference table
  (``xref`` … ``trailer`` with ``/Root``) or stream (``/Type /XRef`` with ``/Root``) whose first entry is an object.
* :func:`iso_bmff_ok` (MP4, MOV, M4A): ``ftyp`` first, box sizes that chain exactly to the end of the file,
  a ``moov`` whose own boxes chain and hold ``mvhd`` and a ``trak``.
* :func:`mp3_ok`: an ID3v2 tag skipped, then :data:`MP3_MIN_FRAMES` MPEG audio frames whose lengths chain.
* :func:`wav_ok`: RIFF chunks that chain, ``fmt `` before ``data``.
* :func:`ooxml_kind` (docx, xlsx, pptx): a zip with bounded declared sizes, every XML part well-formed
  without a DOCTYPE, ``[Content_Types].xml`` and the main part the package relationships name; no macros.
* :func:`ole2_kind` (doc, xls, ppt): an OLE2 header, FAT and directory chains inside the file, a root
  entry and the main stream of Word, Excel or PowerPoint; no macros.
"""

from __future__ import annotations

import re
import struct
import zipfile
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

# --- helpers ----------------------------------------------------------------------------------------------


def _size(f) -> int:
    f.seek(0, 2)
    return f.tell()


def _read_at(f, offset: int, length: int) -> bytes:
    f.seek(offset)
    return f.read(length)


# --- PDF --------------------------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF")
_OBJ = re.compile(rb"\s*(\d{1,10})\s+(\d{1,5})\s+obj\b")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([fn])")
PDF_TAIL = 2048
PDF_MAX_XREF = 8 * 1024 * 1024


def pdf_ok(f) -> bool:
    size = _size(f)
    if not _PDF_HEADER.match(_read_at(f, 0, 9)):
        return False
    tail = _read_at(f, max(0, size - PDF_TAIL), PDF_TAIL)
    found = list(_STARTXREF.finditer(tail))
    if not found:
        return False
    offset = int(found[-1].group(1))
    if not 9 <= offset < size:
        return False
    chunk = _read_at(f, offset, 4096)
    if chunk.lstrip().startswith(b"xref"):  # the table and its trailer run up to startxref, near the end
        table = _read_at(f, offset, min(size - offset, PDF_MAX_XREF)).lstrip()
        return _classic_xref_ok(f, table[4:], size)
    obj = _OBJ.match(chunk)
    return bool(obj) and b"/XRef" in chunk and b"/Root" in chunk


def _classic_xref_ok(f, table: bytes, size: int) -> bool:
    """``table``: what follows the keyword ``xref``: subsections of 20-byte entries, then ``trailer << … >>``."""
    section = re.match(rb"\s*(\d{1,10})\s+(\d{1,10})\s*", table)
    if not section or int(section.group(2)) == 0 or b"trailer" not in table:
        return False
    entries_part, trailer = table[section.end() :].split(b"trailer", 1)
    trailer = trailer.split(b"startxref", 1)[0]
    entries = _XREF_ENTRY.findall(entries_part)
    if not entries or b"/Root" not in trailer:
        return False
    in_use = [int(offset) for offset, _generation, flag in entries if flag == b"n"]
    if not all(0 < offset < size for offset in in_use):
        return False
    if not in_use:  # an update that only deleted objects
        return b"/Prev" in trailer
    return bool(_OBJ.match(_read_at(f, in_use[0], 32)))


# --- ISO base media (MP4, MOV, M4A) -------------------------------------------------------------------------

MAX_BOXES = 100_000
_BOX_TYPE = re.compile(rb"[\x20-\x7e\xa9]{4}")


def _boxes(f, start: int, end: int):
    """``(type, offset, size)`` of the boxes between ``start`` and ``end``; None when they do not chain to ``end``."""
    boxes, offset = [], start
    while offset < end:
        if len(boxes) >= MAX_BOXES or end - offset < 8:
            return None
        header = _read_at(f, offset, 16)
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1:
            if len(header) < 16:
                return None
            size = struct.unpack(">Q", header[8:16])[0]
            minimum = 16
        elif size == 0:  # runs to the end
            size = end - offset
            minimum = 8
        else:
            minimum = 8
        if size < minimum or offset + size > end or not _BOX_TYPE.fullmatch(kind):
            return None
        boxes.append((kind, offset, size, minimum))
        offset += size
    return boxes


def iso_bmff_ok(f) -> bool:
    size = _size(f)
    boxes = _boxes(f, 0, size)
    if not boxes or boxes[0][0] != b"ftyp":
        return False
    movies = [box for box in boxes if box[0] == b"moov"]
    if len(movies) != 1:
        return False
    _kind, offset, length, header = movies[0]
    children = _boxes(f, offset + header, offset + length)
    kinds = {child[0] for child in children or ()}
    return b"mvhd" in kinds and b"trak" in kinds


# --- MP3 ----------------------------------------------------------------------------------------------------

MP3_MIN_FRAMES = 4
MP3_SYNC_SEARCH = 64 * 1024
_BITRATES = {  # kbit/s by (MPEG-1?, layer) and index 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_BITRATES[(False, 3)] = _BITRATES[(False, 2)]
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_frame_length(header: bytes) -> int | None:
    """The length in bytes of the MPEG audio frame starting with these 4 bytes, or None."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    layer = 4 - ((header[1] >> 1) & 3)  # 1, 2, 3 (4: reserved)
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    padding = (header[2] >> 1) & 1
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    if layer == 3 and not mpeg1:
        return 72 * bitrate // rate + padding
    return 144 * bitrate // rate + padding


def mp3_ok(f) -> bool:
    size = _size(f)
    start = 0
    head = _read_at(f, 0, 10)
    if head.startswith(b"ID3") and len(head) == 10:
        if any(byte & 0x80 for byte in head[6:10]):
            return False
        start = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        if head[5] & 0x10:
            start += 10  # footer
    window = _read_at(f, start, MP3_SYNC_SEARCH)
    for sync in re.finditer(rb"\xff[\xe0-\xff]", window):
        if _frames_chain(f, start + sync.start(), size):
            return True
    return False


def _frames_chain(f, offset: int, size: int) -> bool:
    for _frame in range(MP3_MIN_FRAMES):
        length = mp3_frame_length(_read_at(f, offset, 4))
        if length is None or length < 21 or offset + length > size:
            return False
        offset += length
    return True


# --- WAV ----------------------------------------------------------------------------------------------------


def wav_ok(f) -> bool:
    size = _size(f)
    head = _read_at(f, 0, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    offset, seen = 12, []
    while offset + 8 <= size and len(seen) < 1000:
        kind, length = struct.unpack("<4sI", _read_at(f, offset, 8))
        if kind == b"fmt " and length < 16:
            return False
        if kind == b"data" and length in (0, 0xFFFFFFFF):  # written while recording: runs to the end
            length = size - offset - 8
        if offset + 8 + length > size:
            return False
        seen.append(kind)
        offset += 8 + length + (length & 1)
    return b"fmt " in seen and b"data" in seen and seen.index(b"fmt ") < seen.index(b"data")


# --- Office Open XML (docx, xlsx, pptx) ---------------------------------------------------------------------

OOXML_MAX_ENTRIES = 5000
OOXML_MAX_UNPACKED = 200 * 1024 * 1024  # the declared size of all parts together
OOXML_MAX_RATIO = 200  # declared/compressed, for a part over a megabyte
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
OFFICE_DOCUMENT_REL = "/officeDocument"
MACROS = "macros"  # the answer of ooxml_kind / ole2_kind for a document carrying macros


class _Refused(Exception):
    pass


def _refuse_doctype(*_args):
    raise _Refused


def xml_part_ok(stream) -> bool:
    """A well-formed XML part with no DOCTYPE (so no entity), read in chunks by expat."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        while chunk := stream.read(1024 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, _Refused, ValueError):
        return False
    return True


def zip_sizes_ok(archive: zipfile.ZipFile) -> bool:
    """The declared sizes of a zip are bounded: entries, total unpacked size, compression ratio."""
    infos = archive.infolist()
    if len(infos) > OOXML_MAX_ENTRIES or sum(info.file_size for info in infos) > OOXML_MAX_UNPACKED:
        return False
    return all(
        info.file_size <= 1024 * 1024 or info.file_size <= OOXML_MAX_RATIO * max(info.compress_size, 1)
        for info in infos
    )


def ooxml_kind(f) -> str | None:
    """``"docx"``, ``"xlsx"`` or ``"pptx"`` for a sound package, :data:`MACROS` with macros, else None."""
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as archive:
            if not zip_sizes_ok(archive):
                return None
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                return None
            if max(archive.getinfo(name).file_size for name in ("[Content_Types].xml", "_rels/.rels")) > 1024 * 1024:
                return None
            for name in names:
                if name.lower().endswith((".xml", ".rels")):
                    with archive.open(name) as part:
                        if not xml_part_ok(part):
                            return None
            types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
            rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        ParseError,
        DefusedXmlException,
    ):
        return None  # RuntimeError: an encrypted part; NotImplementedError (a RuntimeError): an unknown compression
    overrides = {
        element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
        for element in types
        if element.tag.endswith("Override")
    }
    if any("macroenabled" in kind.lower() or "vbaproject" in kind.lower() for kind in overrides.values()) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        return MACROS
    targets = [
        (rel.get("Target") or "").lstrip("/")
        for rel in rels
        if rel.tag.endswith("Relationship") and (rel.get("Type") or "").endswith(OFFICE_DOCUMENT_REL)
    ]
    if len(targets) != 1 or targets[0] not in names:
        return None
    return OOXML_MAIN_TYPES.get(overrides.get(targets[0], ""))


# --- OLE2 compound files (doc, xls, ppt) --------------------------------------------------------------------

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE2_MAIN_STREAMS = {"worddocument": "doc", "workbook": "xls", "book": "xls", "powerpoint document": "ppt"}
OLE2_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba"}
_END_OF_CHAIN, _FREE, _MAX_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFA


def ole2_kind(f) -> str | None:
    """``"doc"``, ``"xls"`` or ``"ppt"`` for a sound compound file, :data:`MACROS` with macros, else None."""
    size = _size(f)
    header = _read_at(f, 0, 512)
    if len(header) < 512 or header[:8] != OLE2_SIGNATURE or header[28:30] != b"\xfe\xff":
        return None
    (major,) = struct.unpack("<H", header[26:28])
    shift, mini_shift = struct.unpack("<HH", header[30:34])
    if (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
        return None
    sector = 1 << shift
    sectors = (size - sector) // sector if size > sector else 0
    fat_count, directory_start = struct.unpack("<II", header[44:52])
    difat_start, difat_count = struct.unpack("<II", header[68:76])
    if not 0 < fat_count <= sectors or directory_start >= sectors:
        return None

    def read_sector(number: int) -> bytes | None:
        if number >= sectors:
            return None
        data = _read_at(f, sector * (number + 1), sector)
        return data if len(data) == sector else None

    fat_sectors = list(struct.unpack("<109I", header[76:512]))
    next_difat, per_sector = difat_start, sector // 4
    for _ in range(difat_count):
        block = read_sector(next_difat)
        if block is None:
            return None
        values = struct.unpack(f"<{per_sector}I", block)
        fat_sectors.extend(values[:-1])
        next_difat = values[-1]
    fat_sectors = fat_sectors[:fat_count]
    fat: list[int] = []
    for number in fat_sectors:
        block = read_sector(number)
        if block is None:
            return None
        fat.extend(struct.unpack(f"<{per_sector}I", block))

    names, current, seen = [], directory_start, set()
    while current != _END_OF_CHAIN:
        if current > _MAX_SECTOR or current in seen or current >= len(fat):
            return None
        seen.add(current)
        block = read_sector(current)
        if block is None:
            return None
        for entry in range(0, sector, 128):
            raw = block[entry : entry + 128]
            name_length, kind = struct.unpack("<HB", raw[64:67])
            if kind == 0:
                continue
            if name_length > 64 or name_length % 2:
                return None
            start, stream_size = struct.unpack("<IQ", raw[116:128])
            name = raw[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
            names.append((name, kind, start, stream_size))
        current = fat[current]
    if not names or names[0][0] != "Root Entry" or names[0][1] != 5:
        return None
    lowered = {name.lower(): (kind, start, stream_size) for name, kind, start, stream_size in names[1:]}
    if OLE2_MACRO_STORAGES & set(lowered):
        return MACROS
    for stream, extension in OLE2_MAIN_STREAMS.items():
        if stream in lowered:
            kind, start, stream_size = lowered[stream]
            if kind == 2 and 0 < stream_size <= size:
                return extension
    return None
