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
_newest_keys: tuple | None = None  # the newest Fernet key, ready for decrypt_many


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


def _get_newest_keys() -> tuple:
    """``(inner, outer, encryption key)``: the newest key's HMAC-SHA256 states after the padded signing key
    (copied for each token instead of keying a new HMAC), and its AES key."""
    global _newest_keys
    if _newest_keys is None:
        _get_multi_fernet()  # the keys are valid
        keys = settings.FIELD_ENCRYPTION_KEYS
        key = base64.urlsafe_b64decode(keys if isinstance(keys, str | bytes) else keys[0])
        signing = key[:16].ljust(64, b"\0")
        inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in signing))
        outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in signing))
        _newest_keys = (inner, outer, key[16:])
    return _newest_keys


_URLSAFE = str.maketrans("-_", "+/")


def _token_bytes(tokens: list[str]) -> list[bytes]:
    """The tokens' bytes: one translation of them all, then the C decoder for each (a token that is not base64
    decodes to something its HMAC refuses)."""
    joined = "\n".join(tokens)
    if joined.count("\n") != len(tokens) - 1 or not joined.isascii():
        return [_b64_or_empty(token) for token in tokens]
    try:
        return list(map(binascii.a2b_base64, joined.translate(_URLSAFE).split("\n")))
    except binascii.Error:
        return [_b64_or_empty(token) for token in tokens]


def _b64_or_empty(token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(token)
    except (binascii.Error, ValueError, TypeError):
        return b""


def decrypt_many(tokens: Iterable[str | None]) -> list[str | None]:
    """:func:`decrypt` of many tokens at once (``None`` and ``""`` stay as they are), for exports.

    Fernet, as the ``cryptography`` package does it one token at a time: the HMAC-SHA256 of the token checked
    with the newest key's signing half, then AES-128-CBC. Here the HMACs are checked one by one (hashlib's C
    code, from precomputed key states), and every ciphertext is decrypted in one AES call: CBC decryption is the
    block cipher's decryption of each block XORed with the block before it (the IV for the first), so the
    blocks of all tokens go through AES as ECB at once and are XORed with their predecessors as one big
    integer. A token not signed with the newest key goes through :func:`decrypt` (an older key; a token that
    no key opens raises :class:`DecryptionError`, as there).
    """
    tokens = list(tokens)
    inner, outer, encryption_key = _get_newest_keys()
    values: list[str | None] = list(tokens)
    present = [position for position, token in enumerate(tokens) if token]
    pending: list[tuple[int, bytes]] = []  # (position in values, the token's IV + ciphertext)
    compare = hmac.compare_digest
    for position, data in zip(present, _token_bytes([tokens[position] for position in present]), strict=True):
        signed = inner.copy()
        signed.update(data[:-32])
        mac = outer.copy()
        mac.update(signed.digest())
        if len(data) < 73 or (len(data) - 57) % 16 or data[0] != 0x80 or not compare(mac.digest(), data[-32:]):
            values[position] = decrypt(tokens[position])  # another key (or a bad token: DecryptionError)
        else:
            pending.append((position, data[9:-32]))
    if not pending:
        return values
    ciphertext = b"".join([body[16:] for _position, body in pending])
    previous = b"".join([body[:-16] for _position, body in pending])  # the IV, then each block before the next
    blocks = Cipher(algorithms.AES(encryption_key), modes.ECB()).decryptor().update(ciphertext)  # noqa: S305
    size = len(ciphertext)
    plain = (int.from_bytes(blocks, "big") ^ int.from_bytes(previous, "big")).to_bytes(size, "big")
    start = 0
    for position, body in pending:
        end = start + len(body) - 16
        padding = plain[end - 1]
        if not 1 <= padding <= 16 or plain[end - padding : end] != bytes([padding]) * padding:
            raise DecryptionError("Cannot decrypt value: the token's padding is invalid.")
        try:
            values[position] = plain[start : end - padding].decode()
        except UnicodeError as exc:
            raise DecryptionError("Cannot decrypt value: the plaintext is not UTF-8.") from exc
        start = end
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
