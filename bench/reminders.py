"""The reminder scans: the first run over a freshly grown town, and the steady-state rescan (issue 13).

Run on PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.reminders

In the world of :mod:`bench.world`, at town scale and at scale, this calls the periodic tasks as beat would
have a worker run them, in this process: ``warnings_followup.tasks.scan_overdue`` (overdue visits and ended
windows) and ``scan_speed`` (acknowledgement and first dissuasion after the push). Celery runs eagerly here,
so chunk tasks a scan queues run inline and count in its time; the delivery tasks it queues
(``notifications.deliver``: webhook and SMS sending, a worker's later work) are counted, not run.

* ``raw count``: ``COUNT(*)`` of the overdue warnings (``WarningOrder.objects.overdue(today).count()``), median of 5:
  what the database needs to find the work;
* ``first scan``: both scans once, right after ``seed_scale`` (the seeded overdue cases have no reminder
  yet): seconds, queries, reminders claimed (new ``ReminderSent`` rows), notifications, deliveries queued;
* ``rescan``: both scans again, nothing left to send, median of ``--rescans``;
* ``+30 d``: both scans as beat will run them ``--ahead`` days later if nobody visits meanwhile: every case
  due by then is overdue, and that first scan claims thousands of reminders at once (the goal's volume; the
  goal is checked on the scan that claimed the most, per 7,000 reminders).

Goals (issue 13): the first scan for ~7,000 reminders ≤ 5 s; the steady-state rescan ≤ 50 ms.
"""

from __future__ import annotations

import contextlib
import datetime
import statistics
import sys
import time

from bench import world

NAME = "reminders"
AT_TOWN = True
GOAL_FIRST_SECONDS_PER_7000 = 5.0
GOAL_RESCAN_MS = 50.0


def add_arguments(parser) -> None:
    parser.add_argument("--rescans", type=int, default=5, help="steady-state rescans timed (default 5)")
    parser.add_argument(
        "--ahead", type=int, default=30, help="days ahead of the last scan: the scan as beat will run it then"
    )


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def eager_celery_without_deliveries():
    """Chunk tasks run inline; ``notifications.deliver`` is only counted (a worker sends later)."""
    from luocun_antifraud.celery import app
    from notifications import tasks as notification_tasks

    queued = {"deliveries": 0}
    deliver = notification_tasks.deliver

    def count(*args, **kwargs):
        queued["deliveries"] += 1

    # Set in the conf's own layer and taken out again after: assigning the old value back would pin it there,
    # hiding later changes of the Django setting (CELERY_TASK_ALWAYS_EAGER) from every test that follows.
    changes = app.conf.changes
    had, previous = "task_always_eager" in changes, changes.get("task_always_eager")
    app.conf.task_always_eager = True
    # The delivery task's own sending is counted instead (attributes of this task object, which shadow its class's
    # methods, removed again after).
    deliver.delay = deliver.apply_async = count
    try:
        yield queued
    finally:
        del deliver.delay, deliver.apply_async
        if had:
            changes["task_always_eager"] = previous
        else:
            changes.pop("task_always_eager", None)


def _scan(*, today=None, now=None) -> dict:
    from django.db import connection

    from notifications.models import Notification, ReminderSent
    from warnings_followup import tasks

    claimed, notified = ReminderSent.objects.count(), Notification.objects.count()
    counter = QueryCounter()
    with eager_celery_without_deliveries() as queued, connection.execute_wrapper(counter):
        started = time.perf_counter()
        overdue = tasks.scan_overdue(today=today.isoformat() if today else None)
        speed = tasks.scan_speed(now=now.isoformat() if now else None)
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "queries": counter.count,
        "returned": {"scan_overdue": overdue, "scan_speed": speed},
        "reminders_claimed": ReminderSent.objects.count() - claimed,
        "notifications": Notification.objects.count() - notified,
        "deliveries_queued": queued["deliveries"],
    }


def measure(*, scale: str, options) -> dict:
    from django.utils import timezone

    from warnings_followup.models import WarningOrder

    today = timezone.localdate()
    counts = []
    for _ in range(5):
        started = time.perf_counter()
        due = WarningOrder.objects.overdue(today).count()
        counts.append(time.perf_counter() - started)
    first = _scan()
    rescans = [_scan() for _ in range(options.rescans)]
    # The same town ``--ahead`` days later, nobody having visited: every case due by then is overdue, so the
    # first scan of that day claims thousands of reminders (the volume of the goal) in one run.
    ahead = None
    if options.ahead:
        later = datetime.timedelta(days=options.ahead)
        ahead = _scan(today=today + later, now=timezone.now() + later)
    return {
        "overdue_warnings": due,
        "raw_count_ms": world.ms(statistics.median(counts)),
        "first_scan": first,
        "rescan_ms": world.ms(statistics.median(scan["seconds"] for scan in rescans)),
        "rescan_queries": rescans[-1]["queries"] if rescans else None,
        "rescan_claimed": sum(scan["reminders_claimed"] for scan in rescans),
        "ahead_days": options.ahead,
        "ahead_scan": ahead,
    }


def _largest_scan(data: dict) -> dict:
    scans = [data["first_scan"], data.get("ahead_scan") or data["first_scan"]]
    return max(scans, key=lambda scan: scan["reminders_claimed"])


def goals(results: dict) -> dict[str, bool]:
    met = {}
    for scale, data in results["scales"].items():
        if scale == "town":
            continue
        first = _largest_scan(data)
        claimed = max(first["reminders_claimed"], 1)
        per_7000 = first["seconds"] * 7000 / claimed
        met[f"first scan ≤ {GOAL_FIRST_SECONDS_PER_7000:g} s per 7,000 reminders ({int(scale):,} residents)"] = (
            per_7000 <= GOAL_FIRST_SECONDS_PER_7000
        )
        met[f"steady-state rescan ≤ {GOAL_RESCAN_MS:g} ms ({int(scale):,} residents)"] = (
            data["rescan_ms"] <= GOAL_RESCAN_MS
        )
    return met


def report(results: dict) -> list[str]:
    lines = [
        "reminders: scan_overdue + scan_speed as the beat runs them (chunks inline, deliveries counted)",
        f"{'scale':>8} | {'overdue':>7} {'count ms':>8} | {'first s':>8} {'queries':>8} {'claimed':>8} "
        f"{'notes':>7} {'s/7000':>7} | {'rescan ms':>9} {'queries':>7}",
    ]
    lines.append("-" * len(lines[1]))
    for scale, data in results["scales"].items():
        first = data["first_scan"]
        per_7000 = first["seconds"] * 7000 / max(first["reminders_claimed"], 1)
        lines.append(
            f"{world.label(scale):>8} | {data['overdue_warnings']:7d} {data['raw_count_ms']:8.1f} | "
            f"{first['seconds']:8.2f} "
            f"{first['queries']:8d} {first['reminders_claimed']:8d} {first['notifications']:7d} {per_7000:7.2f} | "
            f"{data['rescan_ms']:9.1f} {data['rescan_queries']:7d}"
        )
        ahead = data.get("ahead_scan")
        if ahead:
            per_7000 = ahead["seconds"] * 7000 / max(ahead["reminders_claimed"], 1)
            lines.append(
                f"{'+' + str(data['ahead_days']) + ' d':>8} | {'':7} {'':8} | {ahead['seconds']:8.2f} "
                f"{ahead['queries']:8d} {ahead['reminders_claimed']:8d} {ahead['notifications']:7d} "
                f"{per_7000:7.2f} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    return world.run(
        [sys.modules[__name__]], argv, prog="python -m bench.reminders", description=__doc__.splitlines()[0]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
