"""Wait for work done elsewhere (a Celery worker, a server in another process) by polling its result.

Never a fixed sleep, never a line in a log: ask the database (or the file the work writes) until the answer is
there or the deadline passes.
"""

import time
from collections.abc import Callable

import pytest


def wait_until(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    details: Callable[[], str] = lambda: "",
    interval: float = 0.1,
):
    """Poll ``condition()`` until it answers something true, and return that answer. Fail the test when the
    ``timeout`` (seconds) passes, or at once when ``alive()`` says the process doing the work has ended;
    ``details()`` adds what helps to understand why (the worker's output)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if alive is not None and not alive():
            pytest.fail(f"{what}: the process doing it ended first\n{details()}")
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not within {timeout} s\n{details()}")
        time.sleep(interval)
