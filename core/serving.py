"""Stored files leave through here, after the view has checked the user's scope.

:func:`serve_file` answers according to where the file lives:

* on disk under ``SENDFILE_ROOT``: django-sendfile2. In production the ``nginx`` backend answers an empty
  response with ``X-Accel-Redirect`` and the web server streams the file (a 100 MB video does not hold a sync
  worker); in development and tests the ``simple`` backend reads it.
* in an S3-compatible bucket (``FILE_STORAGE=s3``, django-storages): with ``FILE_SERVING=redirect`` (the default)
  a download is a 302 to a presigned URL that lives ``FILE_URL_SECONDS`` (60 s) and names the file's type and
  name (``response-content-type``, ``response-content-disposition``), so the bucket streams it; an image shown
  in a page, or every file with ``FILE_SERVING=stream``, is streamed through Django from the bucket (the
  pages' CSP allows images from this origin only). The object's HEAD comes first: a missing object is a 404.
* anywhere else (the tests' memory storage): streamed by Django.

Every file is an attachment (downloaded, never shown in the site's origin) unless the caller says it is an
image that :mod:`core.uploads` re-encoded; all carry ``nosniff``. The presigned URL is the only way into the
bucket: its objects are private and the URL is made only after the view has checked the scope.
"""

from __future__ import annotations

import logging
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from django_sendfile import sendfile
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

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
    if isinstance(field_file.storage, S3Storage):
        return _from_bucket(field_file, mime=mime, filename=filename, inline=inline)
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
    return _protected(response, inline=inline)


def _protected(response, *, inline: bool) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if not inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _from_bucket(field_file, *, mime: str, filename: str, inline: bool) -> HttpResponse:
    storage = field_file.storage
    key = storage._normalize_name(clean_name(field_file.name))
    client = storage.connection.meta.client
    try:
        head = client.head_object(Bucket=storage.bucket_name, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return _missing(field_file)
        raise
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    if settings.FILE_SERVING == "redirect" and not inline:
        url = _signing_client(storage).generate_presigned_url(
            "get_object",
            Params={
                "Bucket": storage.bucket_name,
                "Key": key,
                "ResponseContentType": mime,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=settings.FILE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the URL dies soon: never reuse the redirect
        response["Referrer-Policy"] = "no-referrer"
        return response
    body = client.get_object(Bucket=storage.bucket_name, Key=key)["Body"]
    response = FileResponse(body, content_type=mime)
    response["Content-Disposition"] = disposition
    response["Content-Length"] = str(head["ContentLength"])
    return _protected(response, inline=inline)


_signing_clients: dict[tuple, object] = {}


def _signing_client(storage):
    """The client that signs URLs: the storage's own, or one for the host browsers reach (a proxy before MinIO)."""
    public = settings.AWS_S3_PUBLIC_ENDPOINT_URL
    if not public:
        return storage.connection.meta.client
    key = (public, storage.access_key, storage.region_name, storage.addressing_style)
    if key not in _signing_clients:  # signing needs no network: the client only builds the URL
        _signing_clients[key] = boto3.session.Session().client(
            "s3",
            endpoint_url=public,
            aws_access_key_id=storage.access_key,
            aws_secret_access_key=storage.secret_key,
            region_name=storage.region_name,
            config=Config(signature_version="s3v4", s3={"addressing_style": storage.addressing_style or "auto"}),
        )
    return _signing_clients[key]


def _missing(field_file):
    """The row outlived its file (restored database, lost volume): not found."""
    logger.warning("stored file %s is missing", field_file.name)
    raise Http404
