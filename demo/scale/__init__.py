"""The scale generator's machinery (``manage.py seed_scale``): a synthetic county on top of the demo town.

Each app fills its own tables in its ``scale.py`` (``demo.scale.organization`` plans the unit tree first, then
``residents``, ``warnings_followup``, ``campaigns``, ``fraud_cases`` and ``schools`` fill it); this module holds
what they share: the run (:class:`ScaleRun`: seed, clock, plan, counts), the plan of towns and villages,
seeded random generators, reserved primary keys and PostgreSQL ``COPY``.

Rows are written with ``COPY … FROM STDIN`` through psycopg 3, one transaction per village (a village is
complete or absent), with primary keys reserved from the tables' own sequences so that related rows can be
written in the same pass. Encrypted fields are encrypted and hashed by :mod:`core.crypto` in this process
(about 11 µs and 5 µs a value here, so a process pool would not pay for its pickling). The history tables of
django-simple-history are left empty for synthetic rows.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

# Marks every row the generator writes: external ids, case numbers and uuid5 client ids derive from it.
NAMESPACE = uuid.UUID("8d3b5c8e-6f0a-4f9e-9d1e-3c5a7b2e9f41")


@dataclass
class VillagePlan:
    unit: object  # organization.models.Unit (kept loose to avoid importing models at module level)
    town: object
    target: int  # residents the village should hold
    grids: list = field(default_factory=list)
    team_user_id: int | None = None  # a demo account of the village who records visits, if any
    index: int = 0  # position within its town (0-based)


@dataclass
class TownPlan:
    unit: object
    target: int
    villages: list[VillagePlan] = field(default_factory=list)
    primary_schools: list = field(default_factory=list)
    middle_schools: list = field(default_factory=list)
    police_user_id: int | None = None
    is_demo: bool = False


@dataclass
class ScaleRun:
    """One run of the generator: its arguments, its clock, the plan and what each step wrote."""

    seed: int
    residents: int
    towns: int
    now: datetime.datetime
    log: Callable[[str], None] = print
    plan: list[TownPlan] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localdate(self.now)

    @property
    def villages(self) -> list[VillagePlan]:
        return [village for town in self.plan for village in town.villages]

    def rng(self, *parts) -> random.Random:
        """A generator seeded by the run's seed and ``parts``: the same parts always draw the same numbers."""
        return random.Random("/".join(str(part) for part in ("scale", self.seed, *parts)))

    def uuid(self, *parts) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in (self.seed, *parts)))

    def add(self, key: str, value: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + value


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` primary keys drawn from ``table``'s own sequence (safe alongside other writers)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write ``rows`` into ``table`` with PostgreSQL COPY; returns how many were written."""
    written = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def existing(sql: str, values: Sequence) -> set:
    """The first column of ``sql`` (with one ``= ANY(%s)`` parameter) for ``values``, as a set."""
    if not values:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values)])
        return {row[0] for row in cursor.fetchall()}


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly to ``total``."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def aware(day: datetime.date, minutes: int) -> datetime.datetime:
    """``day`` at ``minutes`` after local midnight, as an aware datetime."""
    from django.utils import timezone

    moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(moment)
