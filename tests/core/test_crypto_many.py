"""decrypt_many, the exports' bulk decryption: the same plaintexts as decrypt, one token at a time, for every
length, with older keys and empty values; a tampered token is refused as decrypt refuses it."""

import base64

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from core.crypto import DecryptionError, decrypt, decrypt_many, encrypt

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _keys():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY], FIELD_HASH_KEY="test-hash-key"):
        yield


def test_it_opens_what_decrypt_opens_at_every_length():
    plaintexts = ["x" * length for length in range(0, 50)] + ["11010519491231002X", "张三 广东省佛山市", "é" * 17]
    tokens = [encrypt(text) if text else text for text in plaintexts]
    assert decrypt_many(tokens) == plaintexts
    assert decrypt_many(tokens) == [decrypt(token) if token else token for token in tokens]


def test_empty_values_stay_as_they_are():
    assert decrypt_many([None, "", encrypt("a"), None]) == [None, "", "a", None]
    assert decrypt_many([]) == []


def test_tokens_of_an_older_key_are_opened_after_a_rotation():
    old = encrypt("13812345678")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        new = encrypt("13900000000")
        assert decrypt_many([old, new]) == ["13812345678", "13900000000"]


def test_a_tampered_token_is_refused():
    data = bytearray(base64.urlsafe_b64decode(encrypt("11010519491231002X")))
    data[30] ^= 1
    with pytest.raises(DecryptionError):
        decrypt_many([encrypt("a"), base64.urlsafe_b64encode(bytes(data)).decode()])


def test_a_token_of_an_unknown_key_is_refused():
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        foreign = encrypt("a")
    with pytest.raises(DecryptionError):
        decrypt_many([foreign])
    with pytest.raises(DecryptionError):
        decrypt_many(["not a token"])
