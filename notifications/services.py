"""Writes of the notifications app: in-app notifications, one or many events at a time.

Every write is an ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (:func:`insert_new`): one statement per batch of
rows, whatever their number, and the rows it returns are exactly the ones this call created, so counts stay exact
when two workers send the same event at once (the second insert waits for the first and skips its rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone

from .models import Notification

# Rows per INSERT statement on PostgreSQL (one array per column); SQLite takes at most 999 parameters at a time.
INSERT_BATCH = 5000
SQLITE_PARAMETERS = 999


def insert_new(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    unique: Sequence[str],
    returning: Sequence[str] = ("id",),
) -> list[tuple]:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table, skipping any row that conflicts
    on the unique columns ``unique``; return the ``returning`` columns of the rows inserted.

    On PostgreSQL one statement per INSERT_BATCH rows takes one array per column (``unnest``), so the
    statement's text stays short whatever the number of rows; values are plain Python values (ints, strings,
    dates, aware datetimes, None). Elsewhere (SQLite) a ``VALUES`` list, each value through its field."""
    model_fields = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in model_fields)
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in unique)
    answer = ", ".join(quote(model._meta.get_field(name).column) for name in returning)
    tail = f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {answer}"
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in model_fields)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {tail}"  # noqa: S608 (model names)
    rows = list(rows)
    size = INSERT_BATCH if postgresql else max(1, SQLITE_PARAMETERS // len(model_fields))
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            if postgresql:
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
            else:
                placeholder = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
                values = ", ".join([placeholder] * len(batch))
                params = [
                    f.get_db_prep_save(value, connection)
                    for row in batch
                    for f, value in zip(model_fields, row, strict=True)
                ]
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} {tail}", params)  # noqa: S608
            inserted.extend(tuple(row) for row in cursor.fetchall())
    return inserted


@dataclass
class Message:
    """One event to notify in the app: the same title to every recipient, once per ``dedupe_key``."""

    recipients: Iterable
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    url: str = ""


NOTIFICATION_FIELDS = ("recipient", "kind", "title", "body", "url", "dedupe_key", "created_at")


def notifications_send_many(*, messages: Iterable[Message]) -> int:
    """Create the in-app notifications of many events in one statement per :data:`INSERT_BATCH` rows.

    A person already notified of an event (same ``dedupe_key``) is skipped. Returns how many were created."""
    now = timezone.now()
    rows = []
    for message in messages:
        key = message.dedupe_key[:120]
        for pk in dict.fromkeys(_pk(user) for user in message.recipients):
            rows.append((pk, message.kind, message.title[:200], message.body, message.url, key, now))
    if not rows:
        return 0
    return len(insert_new(Notification, NOTIFICATION_FIELDS, rows, unique=("recipient", "dedupe_key")))


def _pk(user) -> int:
    return user if isinstance(user, int) else user.pk


def notifications_send(*, recipients, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str) -> int:
    """Create one in-app notification per recipient; an event already notified is skipped (idempotent).

    Returns how many recipients were newly notified (0 when the event had already gone out to all of them).
    The unique (recipient, dedupe_key) constraint keeps one notification per person; the insert skips the
    rows that conflict, so two senders of one event at once create each notification once and count exactly.
    """
    return notifications_send_many(
        messages=[Message(recipients=recipients, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key)]
    )


def notifications_mark_read(*, user, pks=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
