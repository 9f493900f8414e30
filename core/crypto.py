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

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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
    "decrypt_many",
    "encrypt",
    "rotate",
]

_KEY_SETTINGS = frozenset({"FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"})
_multi_fernet: MultiFernet | None = None
_newest_keys: tuple[bytes, bytes] | None = None  # (signing key, encryption key) of the newest Fernet key


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
    global _multi_fernet, _newest_keys
    if setting in _KEY_SETTINGS:
        _multi_fernet = _newest_keys = None


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


def _get_newest_keys() -> tuple[bytes, bytes]:
    global _newest_keys
    if _newest_keys is None:
        _get_multi_fernet()  # the keys are valid
        keys = settings.FIELD_ENCRYPTION_KEYS
        key = base64.urlsafe_b64decode(keys if isinstance(keys, str | bytes) else keys[0])
        _newest_keys = (key[:16], key[16:])
    return _newest_keys


def decrypt_many(tokens: Iterable[str | None]) -> list[str | None]:
    """:func:`decrypt` of many tokens at once (``None`` and ``""`` stay as they are), for exports.

    Fernet, as the ``cryptography`` package does it, one token at a time: the HMAC-SHA256 of the token checked
    with the newest key's signing half, then AES-128-CBC. Here the HMACs are checked one by one (hashlib's C
    code), and every ciphertext is decrypted in one AES call: CBC decryption is the block cipher's decryption of
    each block XORed with the block before it (the IV for the first), so the blocks of all tokens go through
    AES as ECB at once and are XORed with their predecessors as one big integer. A token signed with an older
    key goes through :func:`decrypt`; a token that none opens raises :class:`DecryptionError`, as there.
    """
    signing_key, encryption_key = _get_newest_keys()
    values: list[str | None] = []
    pending: list[tuple[int, bytes]] = []  # (position in values, the token's IV + ciphertext)
    for token in tokens:
        if token is None or token == "":
            values.append(token)
            continue
        try:
            data = base64.urlsafe_b64decode(token)
        except (binascii.Error, ValueError, TypeError):
            data = b""
        body_length = len(data) - 57  # version 1, timestamp 8, IV 16, HMAC 32
        if (
            body_length <= 0
            or body_length % 16
            or data[0] != 0x80
            or not hmac.compare_digest(hmac.digest(signing_key, data[:-32], "sha256"), data[-32:])
        ):
            values.append(decrypt(token))  # another key (or a bad token: DecryptionError)
            continue
        pending.append((len(values), data[9:-32]))
        values.append(None)
    if not pending:
        return values
    ciphertext = b"".join(body[16:] for _position, body in pending)
    previous = b"".join(body[:-16] for _position, body in pending)  # the IV, then each block before the next
    blocks = Cipher(algorithms.AES(encryption_key), modes.ECB()).decryptor().update(ciphertext)  # noqa: S305
    size = len(ciphertext)
    plain = (int.from_bytes(blocks, "big") ^ int.from_bytes(previous, "big")).to_bytes(size, "big")
    start = 0
    for position, body in pending:
        end = start + len(body) - 16
        padded, start = plain[start:end], end
        padding = padded[-1]
        if not 1 <= padding <= 16 or padded[-padding:] != bytes([padding]) * padding:
            raise DecryptionError("Cannot decrypt value: the token's padding is invalid.")
        try:
            values[position] = padded[:-padding].decode()
        except UnicodeError as exc:
            raise DecryptionError("Cannot decrypt value: the plaintext is not UTF-8.") from exc
    return values


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
