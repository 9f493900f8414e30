import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404
from django.utils.encoding import iri_to_uri
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Attachment
from .serving import serve_file

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # any failure means "down"
        logger.exception("health check: database unreachable")
        return False


def _broker_ok() -> bool:
    from luocun_antifraud.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        return True
    except Exception:
        logger.exception("health check: broker unreachable")
        return False


class PermanentRedirect(HttpResponseRedirectBase):
    """308: like 301, but a POST stays a POST (a form sent to an earlier address still lands)."""

    status_code = 308


def moved(request, rest: str, prefix: str):
    """An app's pages under their earlier prefix: a permanent redirect to the same page under its new one, query
    string kept (301 for reading, 308 for a form sent there). Always within this site: the target starts with
    ``prefix``."""
    target = iri_to_uri(prefix + rest)
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return PermanentRedirect(target)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "error",
        "database": "ok" if checks["database"] else "down",
        "broker": "ok" if checks["broker"] else "down",
    }
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@require_GET
def attachment_file(request, pk: int):
    """Serve an attachment, only if the record it belongs to is in the user's scope (404 otherwise)."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    model = attachment.content_type.model_class()
    if model is None or not model.objects.for_user(request.user).filter(pk=attachment.object_id).exists():
        raise Http404
    # Only a re-encoded photo is shown in the page; every other file is downloaded (core.serving).
    return serve_file(
        request,
        attachment.file,
        mime=attachment.mime,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        inline=attachment.kind == Attachment.Kind.IMAGE,
    )
