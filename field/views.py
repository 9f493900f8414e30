"""The offline field app (``/field/``), its web app manifest and its service worker.

``/field/`` is an app shell without any personal data: the lists are drawn by ``static/field/app.js`` from
what ``/field/data/`` returned at the last sync (kept in IndexedDB). So the service worker may cache the shell
and its static files, and nothing else: no other page of the site is ever cached on the phone. Records made
offline are posted through the API (``/api/v1/warnings/{id}/visits/``, ``/api/v1/door-visits/`` and its
``{client_id}/photos/``, ``/api/v1/pledges/``) with the session cookie and the CSRF token that ``/field/data/``
hands out.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organization.access import can, require

from . import selectors

# The files of the app shell, cached by the service worker at install (static paths).
SHELL_FILES = (
    "field/field.css",
    "field/app.js",
    "field/queue.js",
    "field/store.js",
    "field/signature.js",
    "field/photos.js",
    "field/icons/icon-192.png",
    "field/icons/icon-512.png",
)
# Days a phone keeps the work data without a sync; after that app.js deletes it.
KEEP_DAYS = 7


def _may_use(user) -> bool:
    return can(user, "campaigns.visit") or can(user, "warnings.visit")


@login_required
@never_cache
@require_GET
def field_app(request):
    """The app shell: the same for every user (the service worker caches it); data comes from IndexedDB."""
    if not _may_use(request.user):
        require(request.user, "campaigns.visit")  # 404, "no access" looks like "not found"
    strings = {
        "online": _("Online"),
        "offline": _("Offline"),
        "syncing": _("Syncing…"),
        "never": _("never"),
        "login_again": _("Your session has ended: log in again to sync. The records on this phone are kept."),
        "saved": _("Saved on this phone; it will be sent when there is a connection."),
        "rejected": _("Not accepted by the server"),
        "discard": _("Discard"),
        "retry": _("Send again"),
        "discard_confirm": _("Discard this record? It will not be sent."),
        "logout_confirm": _("%(count)s records are not synced yet and will be lost. Log out anyway?"),
        "no_due": _("No follow-up visits due."),
        "no_households": _("No households left to visit."),
        "due": _("Due"),
        "overdue": _("Overdue"),
        "record_visit": _("Record visit"),
        "record_door_visit": _("Record door visit"),
        "recorded": _("Recorded, waiting to sync"),
        "members": _("Members"),
        "pledged": _("pledge signed"),
        "nobody": _("— nobody signs now —"),
        "stale": _("The work data is more than 7 days old and was deleted: sync to download it again."),
        "kind_visit": _("Follow-up visit"),
        "kind_door_visit": _("Door visit"),
        "kind_pledge": _("Pledge"),
        "kind_photo": _("Photo of a door visit"),
        "sign_first": _("Draw the signature in the box, or choose nobody."),
    }
    return render(
        request,
        "field/app.html",
        {
            "strings": strings,
            "urls": {
                "data": reverse("field:data"),
                "login": f"{reverse('login')}?next={reverse('field:app')}",
                "logout": reverse("logout"),
                "home": reverse("home"),
                "sw": reverse("field_sw"),
            },
            "keep_days": KEEP_DAYS,
        },
    )


@never_cache
@require_GET
def field_data(request):
    """The work data of the signed-in user, as JSON, with a fresh CSRF token for the posts that follow.

    401 (JSON) without a session, so that the app asks for the password again and keeps its queue.
    """
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": _("Log in again.")}, status=401)
    if not _may_use(user):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    today = timezone.localdate()
    warnings = selectors.field_warnings(user=user, today=today)
    return JsonResponse(
        {
            "user": {"username": user.username, "name": user.get_full_name() or user.username},
            "csrf_token": get_token(request),
            "synced_at": timezone.now().isoformat(),
            "today": today.isoformat(),
            "warnings": warnings,
            "households": selectors.field_households(user=user),
            "choices": selectors.field_choices(),
            "pledge_text": selectors.field_pledge_text() if can(user, "campaigns.visit") else None,
            "scripts": selectors.field_scripts(user=user, warnings=warnings),
            "keep_days": KEEP_DAYS,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def manifest(request):
    """The web app manifest: installable, opens on /field/ full screen."""
    data = {
        "name": _("Luocun Anti-Fraud"),
        "short_name": _("Luocun Anti-Fraud"),
        "description": _("Field mode: follow-up visits, door visits and pledges, also without signal."),
        "start_url": reverse("field:app"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "lang": "zh-CN",
        "icons": [
            {"src": static("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@cache
def _shell_version() -> str:
    """Changes whenever a file of the shell changes, so that the service worker installs again."""
    digest = hashlib.sha256()
    for path in SHELL_FILES:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
        digest.update(static(path).encode())
    with open(finders.find("field/sw.js") or "", "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()[:12]


def service_worker(request):
    """``/sw.js``: the service worker, at the root so that its scope may be ``/``; never cached by HTTP."""
    found = finders.find("field/sw.js")
    with open(found, encoding="utf-8") as handle:
        source = handle.read()
    config = {
        "version": _shell_version(),
        "shell": reverse("field:app"),
        "files": [static(path) for path in SHELL_FILES],
        "manifest": reverse("field_manifest"),
    }
    body = f"const CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
