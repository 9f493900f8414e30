"""Read-only pages read from a PostgreSQL replica when one is configured; every write goes to the primary.

* :func:`reading_from_replica` (a context manager, also a decorator) routes the reads made inside it to the
  ``replica`` alias (``DATABASE_REPLICA_URL``), when that alias exists and ``REPLICA_READS`` is on.
* :class:`ReplicaReadsMiddleware` does that around the GET and HEAD requests of the views named in
  ``settings.REPLICA_READ_VIEWS`` (the dashboards, indicators, reports and case analysis), after the user has
  been read from the primary (a login just made is never looked for on a lagging replica).
* :class:`ReplicaRouter` sends writes, migrations, sessions and login lockouts to ``default``.

A replica lags the primary by a moment: only pages that show figures may read from it, never a form or a page
that a write redirects to.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_from_replica", default=False)

#: Apps always read from the primary: sessions, login lockouts and API tokens (checked before any view runs).
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "authtoken"})


def replica_available() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in connections.databases


class reading_from_replica(contextlib.ContextDecorator):  # a lower-case name: used like a function
    """Inside the block (or the decorated function) reads go to the replica, when there is one."""

    def __enter__(self):
        self._tokens = getattr(self, "_tokens", [])
        self._tokens.append(_reading_from_replica.set(True))
        return self

    def __exit__(self, *exc):
        _reading_from_replica.reset(self._tokens.pop())
        return False


def read_alias() -> str:
    """The alias reads go to right now: ``replica`` inside :func:`reading_from_replica`, else ``default``."""
    return REPLICA if _reading_from_replica.get() and replica_available() else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        alias = read_alias()
        return alias if alias == REPLICA else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen through two aliases: a row read from the replica may be linked to one on the primary.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Reads of the views in ``REPLICA_READ_VIEWS`` (GET and HEAD) go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading_from_replica.reset(token)
                request._replica_token = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not replica_available():
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.REPLICA_READ_VIEWS:
            return None
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018  (read the user from the primary before switching)
        request._replica_token = _reading_from_replica.set(True)
        return None
