"""Stored files leave through here, after the view has checked the user's scope.

:func:`serve_file` answers with django-sendfile2 when the file lives on disk under ``SENDFILE_ROOT``:
in production the ``nginx`` backend answers an empty response with ``X-Accel-Redirect`` and the web
server streams the file (a 100 MB video does not hold a sync worker); in development and tests the
``simple`` backend reads it. A file on another storage (object storage, the tests' memory storage) is
streamed by Django. Every file is an attachment (downloaded, never shown in the site's origin) unless
the caller says it is an image that :mod:`core.uploads` re-encoded; all carry ``nosniff``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django_sendfile import sendfile

logger = logging.getLogger(__name__)

INLINE_TYPES = {"image/jpeg", "image/png"}  # what core.uploads re-encodes


def _disk_path(field_file) -> Path | None:
    """The file's path when its storage is the disk under SENDFILE_ROOT, else None."""
    if not isinstance(field_file.storage, FileSystemStorage):
        return None
    path = Path(field_file.path).resolve()
    root = Path(settings.SENDFILE_ROOT).resolve()
    return path if path.is_relative_to(root) else None


def serve_file(request, field_file, *, mime: str, filename: str, inline: bool = False) -> HttpResponse:
    """Answer a stored file (404 when it is gone); ``inline`` only for a re-encoded image."""
    inline = inline and mime in INLINE_TYPES
    path = _disk_path(field_file)
    if path is not None:
        if not path.is_file():
            return _missing(field_file)
        response = sendfile(request, str(path), attachment=not inline, attachment_filename=filename, mimetype=mime)
    else:
        try:
            stored = field_file.open("rb")
        except (FileNotFoundError, OSError):
            return _missing(field_file)
        response = FileResponse(stored, content_type=mime, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if not inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _missing(field_file):
    """The row outlived its file (restored database, lost volume): not found."""
    logger.warning("stored file %s is missing", field_file.name)
    raise Http404
