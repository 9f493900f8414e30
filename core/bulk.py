"""The bulk writer of imports: rows written in a few statements, with their history rows, as fast as the database.

A row-by-row save (or django-import-export's loop, even with ``use_bulk``) spends its time on per-row objects and
look-ups; a 10,000-row import must stay within 3x a plain ``bulk_create`` (``bench/import_residents.py``):

* new rows: :func:`bulk_create_with_history`, ``bulk_create`` in batches of 1,000;
* changed rows: :func:`bulk_update_grouped`, one ``UPDATE ... FROM (VALUES ...)`` per 500 rows
  (:func:`bulk_update_values`; Django's ``bulk_update`` builds a CASE expression per row and field: 40 s for
  10,000 rows), grouped by the fields that changed, so encrypted fields a sheet leaves alone are neither
  decrypted nor rewritten;
* history: the same rows simple-history would write, copied by the database from the rows just written
  (:func:`insert_history`, ``INSERT ... SELECT``). simple-history's own ``bulk_create_with_history`` builds a
  historical instance per row in Python and was a third of the import. Its signals do not fire for bulk
  writes, so nothing is written twice.

Bulk writes bypass the services and their signals: the caller announces what it wrote. Call inside a transaction.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500  # rows per UPDATE ... FROM (VALUES ...) statement


def bulk_create_with_history(model, instances: list, *, user, reason: str, progress=None) -> None:
    """``bulk_create`` in batches, each followed by its history rows; ``progress(rows)`` after each batch."""
    for start in range(0, len(instances), BATCH_SIZE):
        batch = model.objects.bulk_create(instances[start : start + BATCH_SIZE])
        insert_history(model, [instance.pk for instance in batch], history_type="+", user=user, reason=reason)
        if progress is not None:
            progress(len(batch))


def bulk_update_values(model, instances, fields: list[str]) -> None:
    """``UPDATE ... FROM (VALUES ...)``: what ``QuerySet.bulk_update`` does, in one statement per batch.

    Django's ``bulk_update`` builds a ``CASE WHEN pk = ...`` expression per row and field, which took
    4 s per 1,000 rows here (and its SQL grows quadratically). Values go through each field's
    ``get_db_prep_save`` (so encrypted fields are encrypted); ``auto_now`` is not applied: set it.
    Needs PostgreSQL or SQLite 3.33+.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    targets = [model._meta.get_field(name) for name in fields]
    columns = [pk.column, *(target.column for target in targets)]
    postgres = connection.vendor == "postgresql"

    def value_of(column_field, alias):
        # PostgreSQL types a VALUES list from its literals; say what each column is.
        return f"CAST(v.{alias} AS {column_field.db_type(connection)})" if postgres else f"v.{alias}"

    aliases = [f"c{position}" for position in range(len(columns))]
    assignments = ", ".join(
        f"{quote(target.column)} = {value_of(target, alias)}"
        for target, alias in zip(targets, aliases[1:], strict=True)
    )
    table = quote(model._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(instances), UPDATE_BATCH_SIZE):
            batch = instances[start : start + UPDATE_BATCH_SIZE]
            params = []
            for instance in batch:
                instance._prepare_related_fields_for_save(operation_name="bulk_update", fields=targets)
                params.append(pk.get_db_prep_save(instance.pk, connection))
                params.extend(
                    target.get_db_prep_save(getattr(instance, target.attname), connection) for target in targets
                )
            # Table and column names come from the model; the values are parameters.
            source = f"WITH v ({', '.join(aliases)}) AS (VALUES {', '.join([placeholders] * len(batch))})"
            where = f"{table}.{quote(pk.column)} = {value_of(pk, aliases[0])}"
            sql = f"{source} UPDATE {table} SET {assignments} FROM v WHERE {where}"  # noqa: S608
            cursor.execute(sql, params)


_HISTORY_COLUMNS = frozenset({"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"})


def insert_history(model, pks: list, *, history_type: str, user, reason: str) -> None:
    """History rows for rows just written, copied by the database: ``INSERT ... SELECT``.

    simple-history's ``bulk_history_create`` builds a historical model instance per row in Python,
    which was a third of the whole import; the database copies the tracked columns of the rows it
    has just written in a fraction of that. Same rows either way (one ``history_date`` per call).
    """
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    tracked = [model._meta.get_field(f.name) for f in history_model.tracked_fields]
    columns = [f.column for f in tracked]
    history_columns = {f.column for f in history_model._meta.concrete_fields}
    if history_columns - set(columns) - _HISTORY_COLUMNS:  # a customised history model: take the slow road
        instances = list(model._default_manager.filter(pk__in=pks))
        model.history.bulk_history_create(
            instances, update=history_type == "~", default_user=user, default_change_reason=reason
        )
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    date = history_model._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    target = ", ".join(
        quote(c) for c in [*columns, "history_date", "history_change_reason", "history_type", "history_user_id"]
    )
    source = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH_SIZE):
            batch = pks[start : start + BATCH_SIZE]
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} ({target}) "  # noqa: S608 - names from the models
                f"SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})",
                [date, reason, history_type, user.pk if user is not None else None, *batch],
            )


def bulk_update_grouped(model, instances, changed_fields, *, user, reason, progress=None) -> None:
    """Update instances in bulk, grouped by the fields that changed, and write their history rows.

    ``changed_fields``: ``id(instance)`` -> the names of the fields that changed (``updated_at`` is always set).
    Grouping keeps encrypted fields that the sheet leaves alone out of the statement: they are
    neither decrypted nor re-encrypted.
    """
    groups = defaultdict(list)
    now = timezone.now()
    for instance in instances:
        instance.updated_at = now
        groups[frozenset(changed_fields.get(id(instance), ())) | {"updated_at"}].append(instance)
    for fields, members in groups.items():
        for start in range(0, len(members), BATCH_SIZE):
            batch = members[start : start + BATCH_SIZE]
            bulk_update_values(model, batch, sorted(fields))
            insert_history(model, [member.pk for member in batch], history_type="~", user=user, reason=reason)
            if progress is not None:
                progress(len(batch))


def insert_unless_taken(instance):
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` of one new ``instance``: the instance, saved, or None when a
    unique value of it is taken already (a client id posted twice, by two requests at once). One statement, no
    signals, no history row: the caller records what it wrote (the services' audit events)."""
    from django.db.models.constants import OnConflict

    model = type(instance)
    opts = model._meta
    rows = model._base_manager._insert(
        [instance],
        fields=[field for field in opts.concrete_fields if not field.primary_key],
        returning_fields=[opts.pk],
        on_conflict=OnConflict.IGNORE,
    )
    if not rows:
        return None
    instance.pk = rows[0][0]
    instance._state.adding = False
    instance._state.db = "default"
    return instance
