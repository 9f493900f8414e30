"""Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, run this
command, then remove the old keys. Plaintext never leaves the database layer; the blind indexes do not
change (they use FIELD_HASH_KEY).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.crypto import EncryptedTextField, rotate

BATCH = 500


def encrypted_fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]


class Command(BaseCommand):
    help = "Re-encrypt every EncryptedTextField value with the newest key."

    def handle(self, *args, **options):
        for model in apps.get_models():
            names = encrypted_fields(model)
            if not names or model._meta.proxy:
                continue
            table = model._meta.db_table
            rotated = 0
            # Work on raw tokens (values() with the field's DB column would decrypt, so read them raw).
            with transaction.atomic():
                queryset = model._base_manager.select_for_update().order_by("pk")
                for pk in queryset.values_list("pk", flat=True).iterator(chunk_size=BATCH):
                    raw = self._raw_tokens(model, pk, names)
                    fresh = {name: rotate(token) for name, token in raw.items() if token}
                    if fresh:
                        self._write_tokens(model, pk, fresh)
                        rotated += 1
            self.stdout.write(f"{table}: {rotated} row(s) re-encrypted")

    @staticmethod
    def _raw_tokens(model, pk, names) -> dict[str, str]:
        from django.db import connection

        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608
            row = cursor.fetchone()
        return dict(zip(names, row, strict=True))

    @staticmethod
    def _write_tokens(model, pk, tokens: dict[str, str]) -> None:
        from django.db import connection

        assignments = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(n).column)} = %s" for n in tokens)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",  # noqa: S608
                [*tokens.values(), pk],
            )
