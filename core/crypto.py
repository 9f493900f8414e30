"""Encryption of sensitive fields, plus a keyed hash ("blind index") for exact-match lookups.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) through ``MultiFernet``:

* ``settings.FIELD_ENCRYPTION_KEYS``: urlsafe-base64 32-byte Fernet keys, **newest first**. New tokens
  use the first key; any listed key decrypts. To rotate, prepend a new key, re-encrypt stored values
  with :func:`rotate`, then drop the old key.
* ``settings.FIELD_HASH_KEY``: the secret for :func:`blind_index`. Changing it invalidates every
  stored hash, so it is not rotated together with the encryption keys.

Fernet tokens are randomised, so ciphertext cannot be searched. A model therefore stores a blind
index next to the encrypted value and filters on that::

    class Resident(models.Model):
        id_number = EncryptedTextField()
        id_number_hash = models.CharField(max_length=64, db_index=True)

    # when saving (the registry app does this):
    normalized = normalize_id_number(raw)
    resident.id_number = normalized
    resident.id_number_hash = blind_index(normalized, purpose="id_number")

    # exact lookup:
    Resident.objects.filter(id_number_hash=blind_index(normalize_id_number(raw), purpose="id_number"))

Always hash the *normalised* value (see ``core.validators``), and use one ``purpose`` per kind of
value ("id_number", "phone", "bank_account") so equal strings of different kinds hash differently.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.dispatch import receiver
from django.test.signals import setting_changed

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "blind_index",
    "decrypt",
    "encrypt",
    "rotate",
]

_KEY_SETTINGS = frozenset({"FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"})
_multi_fernet: MultiFernet | None = None


class DecryptionError(Exception):
    """A token is malformed, was tampered with, or was encrypted with a key that is no longer configured."""


def _build_multi_fernet() -> MultiFernet:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if isinstance(keys, str | bytes):
        keys = [keys]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must list at least one Fernet key.")
    fernets = []
    for position, key in enumerate(keys):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS[{position}] is not a valid Fernet key "
                "(32 bytes, urlsafe-base64 encoded; generate one with Fernet.generate_key())."
            ) from exc
    return MultiFernet(fernets)


def _get_multi_fernet() -> MultiFernet:
    """Return the cached ``MultiFernet``, building it from settings on first use."""
    global _multi_fernet
    if _multi_fernet is None:
        _multi_fernet = _build_multi_fernet()
    return _multi_fernet


@receiver(setting_changed)
def _clear_key_cache(*, setting: str, **kwargs: Any) -> None:
    """Forget the cached keys when a test overrides the key settings."""
    global _multi_fernet
    if setting in _KEY_SETTINGS:
        _multi_fernet = None


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; returns an ASCII Fernet token."""
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}")
    return _get_multi_fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token made by :func:`encrypt` with any configured key; raises :class:`DecryptionError`."""
    try:
        return _get_multi_fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "Cannot decrypt value: the token is invalid or was encrypted with a key that is not in "
            "FIELD_ENCRYPTION_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the newest key (the plaintext never leaves this function)."""
    try:
        return _get_multi_fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "Cannot rotate value: the token is invalid or was encrypted with a key that is not in "
            "FIELD_ENCRYPTION_KEYS."
        ) from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Return the HMAC-SHA256 (64 hex characters) of ``purpose`` and ``value`` under ``FIELD_HASH_KEY``.

    ``value`` must already be normalised; ``purpose`` separates namespaces (e.g. "id_number", "phone").
    """
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty string without NUL characters")
    key = getattr(settings, "FIELD_HASH_KEY", "")
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY must be set to a secret string.")
    key_bytes = key if isinstance(key, bytes) else key.encode()
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token and exposed as plaintext in Python.

    ``None`` and ``""`` are stored unencrypted. The only supported lookup is ``isnull``: tokens are
    randomised, so filter on the companion blind-index field instead (see the module docstring).
    """

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"EncryptedTextField {self.name!r} does not support the {lookup_name!r} lookup: values are "
                "encrypted. Filter on its blind-index field instead (core.crypto.blind_index)."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "core.crypto.EncryptedTextField", args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or self.db_index or self.primary_key:
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be unique, indexed or a primary key: its tokens are randomised.",
                    hint="Put unique=True / db_index=True on the blind-index field instead.",
                    obj=self,
                    id="core.E001",
                )
            )
        return errors
