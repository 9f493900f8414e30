"""Reports over data as it is now (the warnings queue's counts, the warning KPIs), cached by the app that knows
when they change.

A lower app asks ``live(name, user=, parts=, compute=, today=)``; the assessment app, which keeps the versions that
every write changing such a report bumps (``assessment.figures``), connects its cache when it starts. Without it
the report is computed on each request, which is always right, only slower.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

_cached: Callable | None = None


def connect(cached: Callable) -> None:
    """``cached(name, user=, parts=, compute=, today=)`` answers from a cache or calls ``compute``."""
    global _cached
    _cached = cached


def live(name: str, *, user, parts: list, compute: Callable, today: datetime.date):
    if _cached is None:
        return compute()
    return _cached(name, user=user, parts=parts, compute=compute, today=today)
