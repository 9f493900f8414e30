"""Ends a session after SESSION_IDLE_TIMEOUT seconds without a request (30 minutes, per the reliability goals)."""

import time

from django.conf import settings
from django.contrib.auth import logout

_LAST_SEEN = "_last_seen"


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen >= getattr(settings, "SESSION_IDLE_STAMP_SECONDS", 60):
                # Written at most once a minute, not on every request: a session write is an UPDATE (issue 13:
                # a field worker's visit POST in eight queries). The session may end up to that step early.
                request.session[_LAST_SEEN] = now
        return self.get_response(request)
