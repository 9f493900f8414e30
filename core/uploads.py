"""Uploaded evidence (photos, documents, video, audio): checked by content, downscaled, stored, served in scope.

Every app that keeps files goes through here:

* :func:`check_upload` reads what a file *is* from its first bytes (Pillow for images, signatures for
  PDF, Office, MP4/MOV, MP3/M4A/WAV), never from its name or the browser's content type, applies the
  size limit of that kind (``settings.UPLOAD_LIMITS_MB``), then walks the whole container
  (:mod:`core.containers`: a fake with the right first bytes is refused, so are Office macros), and
  re-encodes images: EXIF orientation applied, location and other metadata dropped, the long side at
  most ``IMAGE_MAX_SIDE`` pixels.
  A refused file raises a translated ``ValidationError`` naming the file.
* :class:`EvidenceField` / :class:`MultipleEvidenceField` do that in a form's ``clean``, so a bad file
  is an ordinary form error and nothing has been saved yet.
* :func:`attach` stores checked files as :class:`core.models.Attachment` rows of any record; run it
  inside :func:`files_removed_on_error` around the transaction, so that a failure after a file was
  written removes the file too: no half-saved record, no orphan file.
* :func:`signature_png` turns a signature pad's ``data:image/png;base64,...`` into a checked PNG.

Files are written to ``default_storage`` (the media root, or object storage by changing
``STORAGES["default"]``) under ``attachments/<year>/<month>/<random>.<ext>``, and are read only through
``core:attachment``, which answers 404 unless the record they belong to is in the user's scope, and
answers through :func:`core.serving.serve_file` (the web server streams it; only re-encoded images inline).
``/media/`` is never served by Django, in any mode.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from PIL import Image, ImageOps, UnidentifiedImageError

from . import containers

IMAGE = "image"
DOCUMENT = "document"
VIDEO = "video"
AUDIO = "audio"

KIND_LABELS = {IMAGE: _("image"), DOCUMENT: _("document"), VIDEO: _("video"), AUDIO: _("audio")}
EVIDENCE_KINDS = (IMAGE, DOCUMENT, VIDEO, AUDIO)
IMAGE_MAX_SIDE = 1600
MAX_FILES = 10
SIGNATURE_MAX_BYTES = 1024 * 1024

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
OOXML, OLE2 = "ooxml", "ole2"  # formats whose extension comes from the container (docx/xlsx/pptx, doc/xls/ppt)
FORMAT_LABELS = {OOXML: "Office (docx, xlsx, pptx)", OLE2: "Office (doc, xls, ppt)"}
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
}


@dataclass
class CheckedUpload:
    """A file that passed :func:`check_upload`, ready for :func:`attach` (``content`` may be re-encoded)."""

    kind: str
    extension: str
    mime: str
    content: ContentFile
    original_name: str

    @property
    def size(self) -> int:
        return self.content.size


def limit_bytes(kind: str) -> int:
    return int(settings.UPLOAD_LIMITS_MB[kind] * 1024 * 1024)


def _display_name(uploaded) -> str:
    return PurePosixPath(getattr(uploaded, "name", "") or "file").name[:120]


def _sniff(head: bytes) -> tuple[str, str] | None:
    """``(kind, format)`` of a non-image file from its first bytes, or None; :func:`_container` checks the rest."""
    if head.startswith(b"%PDF-"):
        return DOCUMENT, "pdf"
    if head.startswith(b"PK\x03\x04"):
        return DOCUMENT, OOXML
    if head.startswith(containers.OLE2_SIGNATURE):
        return DOCUMENT, OLE2
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return AUDIO, "m4a"
        return VIDEO, "mov" if brand == b"qt  " else "mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return AUDIO, "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return AUDIO, "wav"
    return None


def _container(uploaded, fmt: str, name: str) -> str:
    """The extension of a file whose whole container is sound (see :mod:`core.containers`); ValidationError if not."""
    checks = {
        "pdf": containers.pdf_ok,
        "mp4": containers.iso_bmff_ok,
        "mov": containers.iso_bmff_ok,
        "m4a": containers.iso_bmff_ok,
        "mp3": containers.mp3_ok,
        "wav": containers.wav_ok,
        OOXML: containers.ooxml_kind,
        OLE2: containers.ole2_kind,
    }
    answer = checks[fmt](uploaded)
    uploaded.seek(0)
    if answer == containers.MACROS:
        raise ValidationError(
            _("“%(name)s” contains macros: save it without macros (as .docx, .xlsx or .pptx) and upload it again."),
            code="macros",
            params={"name": name},
        )
    if not answer:
        raise ValidationError(
            _("“%(name)s” is damaged or is not a real %(format)s file."),
            code="damaged",
            params={"name": name, "format": FORMAT_LABELS.get(fmt, fmt.upper())},
        )
    return answer if isinstance(answer, str) else fmt


def _reencode_image(uploaded, name: str) -> tuple[ContentFile, str, str]:
    """Open, check and re-encode an image; ``(content, extension, mime)``. Raises ValidationError."""
    refused = ValidationError(_("“%(name)s” is not a readable image."), code="bad_image", params={"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            uploaded.seek(0)
            with Image.open(uploaded) as probe:
                probe.verify()
            uploaded.seek(0)
            image = Image.open(uploaded)
            image_format = image.format
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        raise refused from None
    if image_format not in IMAGE_FORMATS:
        raise refused
    image = ImageOps.exif_transpose(image)
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    out = io.BytesIO()
    if image_format == "PNG":
        image.save(out, "PNG", optimize=True)
        extension, mime = IMAGE_FORMATS["PNG"]
    else:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
        extension, mime = IMAGE_FORMATS["JPEG"]
    return ContentFile(out.getvalue()), extension, mime


def check_upload(uploaded, kinds=EVIDENCE_KINDS) -> CheckedUpload:
    """Check one uploaded file by its content; raise a translated ``ValidationError`` naming it."""
    name = _display_name(uploaded)
    size = getattr(uploaded, "size", None) or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    sniffed = _sniff(head)
    kind = sniffed[0] if sniffed else IMAGE
    allowed = pgettext("list separator", ", ").join(str(KIND_LABELS[k]) for k in kinds)
    if kind not in kinds:
        raise ValidationError(
            _("“%(name)s” is not an accepted file: only %(kinds)s files are accepted here."),
            code="bad_type",
            params={"name": name, "kinds": allowed},
        )
    if size > limit_bytes(kind):
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB): the limit for a %(kind)s is %(limit)s MB."),
            code="too_large",
            params={
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}",
                "kind": KIND_LABELS[kind],
                "limit": settings.UPLOAD_LIMITS_MB[kind],
            },
        )
    if sniffed is None:
        try:
            content, extension, mime = _reencode_image(uploaded, name)
        except ValidationError:
            raise ValidationError(
                _("“%(name)s” is not an accepted file: only %(kinds)s files are accepted here."),
                code="bad_type",
                params={"name": name, "kinds": allowed},
            ) from None
        return CheckedUpload(IMAGE, extension, mime, content, name)
    extension = _container(uploaded, sniffed[1], name)
    return CheckedUpload(kind, extension, MIME[extension], ContentFile(uploaded.read()), name)


def signature_png(data_url: str) -> CheckedUpload:
    """A signature pad's ``data:image/png;base64,...`` as a checked PNG (ValidationError otherwise)."""
    refused = ValidationError(_("The signature could not be read; please sign again."), code="bad_signature")
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix) or len(data_url) > SIGNATURE_MAX_BYTES * 4 // 3 + 64:
        raise refused
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise refused from None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
            if image.format != "PNG":
                raise refused
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.getbbox() is None or (image.mode in ("RGBA", "LA") and image.getchannel("A").getbbox() is None):
                raise ValidationError(_("The signature is empty; please sign in the box."), code="empty_signature")
            out = io.BytesIO()  # re-encoded, like every image shown in a page: only the pixels are kept
            image.save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise refused from None
    return CheckedUpload(IMAGE, "png", "image/png", ContentFile(out.getvalue()), "signature.png")


# --- Form fields ----------------------------------------------------------------------------------


class EvidenceField(forms.FileField):
    """One file, checked by :func:`check_upload`; ``cleaned_data`` holds a :class:`CheckedUpload` or None."""

    def __init__(self, *, kinds=EVIDENCE_KINDS, **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accept_attribute(self.kinds)}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded or uploaded is initial:
            return None
        return check_upload(uploaded, self.kinds)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleEvidenceField(forms.FileField):
    """Several files (at most :data:`MAX_FILES`), each checked; ``cleaned_data`` holds a list."""

    def __init__(self, *, kinds=EVIDENCE_KINDS, max_files=MAX_FILES, **kwargs):
        self.kinds = tuple(kinds)
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attribute(self.kinds)}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("At most %(count)s files can be attached at once."), code="too_many", params={"count": self.max_files}
            )
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append(check_upload(super().clean(uploaded, initial), self.kinds))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


def accept_attribute(kinds) -> str:
    accept = {
        IMAGE: "image/jpeg,image/png,image/webp",
        DOCUMENT: ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx",
        VIDEO: "video/mp4,video/quicktime",
        AUDIO: "audio/mpeg,audio/mp4,audio/wav",
    }
    return ",".join(accept[kind] for kind in kinds)


# --- Storing --------------------------------------------------------------------------------------

_saved_names: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("saved_upload_names", default=None)


@contextlib.contextmanager
def files_removed_on_error():
    """Delete every file :func:`store` saved inside the block if an exception leaves it.

    Put it *around* ``transaction.atomic()``: when the transaction rolls back, the files go too.
    """
    names: list[str] = []
    token = _saved_names.set(names)
    try:
        yield
    except BaseException:
        for name in names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise
    finally:
        _saved_names.reset(token)


def upload_path(extension: str, folder: str = "attachments") -> str:
    now = timezone.localtime()
    return f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


def store(checked: CheckedUpload, folder: str = "attachments") -> str:
    """Save a checked file under a random name; return the stored name (tracked for clean-up)."""
    name = default_storage.save(upload_path(checked.extension, folder), checked.content)
    names = _saved_names.get()
    if names is not None:
        names.append(name)
    return name


def attach(parent, uploads, *, user, caption: str = "") -> list:
    """Store ``uploads`` (checked) as attachments of ``parent``; call inside a transaction."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import Attachment

    content_type = ContentType.objects.get_for_model(parent)
    rows = [
        Attachment(
            content_type=content_type,
            object_id=parent.pk,
            file=store(checked),
            kind=checked.kind,
            mime=checked.mime,
            original_name=checked.original_name,
            size=checked.size,
            caption=caption,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        for checked in uploads
    ]
    return Attachment.objects.bulk_create(rows)
