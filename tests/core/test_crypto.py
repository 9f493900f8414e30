"""Tests for core.crypto: Fernet field encryption, key rotation, blind index and EncryptedTextField."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.db.models.lookups import IsNull
from django.test import override_settings
from django.test.utils import isolate_apps

from core import crypto
from core.crypto import DecryptionError, EncryptedTextField, blind_index, decrypt, encrypt, rotate
from core.validators import normalize_id_number, normalize_phone

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
PLAINTEXT = "11010519491231002X"


@pytest.fixture(autouse=True)
def _fresh_keys():
    """Run every test with a known key (the signal clears the cached MultiFernet on entry and exit)."""
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY], FIELD_HASH_KEY="test-hash-key"):
        yield


# --- encrypt / decrypt -------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", [PLAINTEXT, "13812345678", "张三 广东省佛山市", "x" * 5000])
def test_round_trip(plaintext):
    token = encrypt(plaintext)
    assert isinstance(token, str)
    assert decrypt(token) == plaintext


def test_ciphertext_contains_no_plaintext():
    token = encrypt(PLAINTEXT)
    assert PLAINTEXT not in token
    assert "1949" not in token
    assert token.isascii()


def test_tokens_are_randomised():
    assert encrypt(PLAINTEXT) != encrypt(PLAINTEXT)


def test_encrypt_rejects_non_strings():
    with pytest.raises(TypeError):
        encrypt(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        encrypt(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["not-a-token", "", "gAAAAABtampered", "令牌"])
def test_decrypt_invalid_token(token):
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_tampered_token_is_rejected():
    token = encrypt(PLAINTEXT)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(DecryptionError):
        decrypt(tampered)


def test_unknown_key_is_rejected_with_a_clear_error():
    token = encrypt(PLAINTEXT)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS") as excinfo:
            decrypt(token)
    assert type(excinfo.value.__cause__).__name__ == "InvalidToken"


# --- rotation ----------------------------------------------------------------------------------------


def test_rotation_with_two_keys():
    old_token = encrypt(PLAINTEXT)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert decrypt(old_token) == PLAINTEXT  # old tokens still readable
        new_token = encrypt(PLAINTEXT)
        rotated = rotate(old_token)
        assert rotated != old_token
        assert decrypt(rotated) == PLAINTEXT

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert decrypt(rotated) == PLAINTEXT
        assert decrypt(new_token) == PLAINTEXT  # new tokens use the newest key
        with pytest.raises(DecryptionError):
            decrypt(old_token)

    # The rotated token is readable with the new key alone, independently of our cache.
    assert Fernet(NEW_KEY).decrypt(rotated.encode()).decode() == PLAINTEXT


def test_rotate_invalid_token():
    with pytest.raises(DecryptionError):
        rotate("garbage")


def test_cache_follows_setting_changes():
    first = crypto._get_multi_fernet()
    assert crypto._get_multi_fernet() is first
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto._get_multi_fernet() is not first
    assert crypto._get_multi_fernet() is not first  # rebuilt again after the override ends


def test_keys_as_bytes_are_accepted():
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY.encode()]):
        assert decrypt(encrypt("abc")) == "abc"


@pytest.mark.parametrize("keys", [[], None, ["not-a-key"], [NEW_KEY, "short"]])
def test_misconfigured_keys(keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=keys):
        with pytest.raises(ImproperlyConfigured):
            encrypt("abc")


# --- blind index -------------------------------------------------------------------------------------


def test_blind_index_is_stable_for_equal_normalised_values():
    first = blind_index(normalize_id_number("11010519491231002x"), purpose="id_number")
    second = blind_index(normalize_id_number(" １１０１０５１９４９１２３１００２Ｘ "), purpose="id_number")
    assert first == second
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert PLAINTEXT not in first

    assert blind_index(normalize_phone("+86 138-1234-5678"), purpose="phone") == blind_index(
        normalize_phone("13812345678"), purpose="phone"
    )


def test_blind_index_differs_for_different_values():
    assert blind_index("13812345678", purpose="phone") != blind_index("13812345679", purpose="phone")


def test_blind_index_differs_across_purposes():
    value = "13812345678"
    hashes = {blind_index(value, purpose=purpose) for purpose in ("id_number", "phone", "bank_account")}
    assert len(hashes) == 3
    # The separator keeps purpose and value apart: "ab" + "c" is not "a" + "bc".
    assert blind_index("c", purpose="ab") != blind_index("bc", purpose="a")


def test_blind_index_differs_across_keys():
    before = blind_index(PLAINTEXT, purpose="id_number")
    with override_settings(FIELD_HASH_KEY="another-secret"):
        assert blind_index(PLAINTEXT, purpose="id_number") != before
    assert blind_index(PLAINTEXT, purpose="id_number") == before


def test_blind_index_independent_of_encryption_keys():
    before = blind_index(PLAINTEXT, purpose="id_number")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert blind_index(PLAINTEXT, purpose="id_number") == before


@pytest.mark.parametrize("purpose", ["", "id\x00number"])
def test_blind_index_rejects_bad_purpose(purpose):
    with pytest.raises(ValueError):
        blind_index(PLAINTEXT, purpose=purpose)


def test_blind_index_requires_a_key():
    with override_settings(FIELD_HASH_KEY=""):
        with pytest.raises(ImproperlyConfigured):
            blind_index(PLAINTEXT, purpose="id_number")


# --- EncryptedTextField ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_field_prep_and_from_db_round_trip():
    field = EncryptedTextField()
    stored = field.get_db_prep_value(PLAINTEXT, connection)
    assert stored != PLAINTEXT
    assert PLAINTEXT not in stored
    assert decrypt(stored) == PLAINTEXT
    assert field.from_db_value(stored, None, connection) == PLAINTEXT
    assert field.from_db_value(field.get_prep_value("张三"), None, connection) == "张三"


@pytest.mark.parametrize("value", [None, ""])
def test_field_keeps_empty_values(value):
    field = EncryptedTextField(null=True, blank=True)
    assert field.get_prep_value(value) == value
    assert field.from_db_value(value, None, connection) == value


def test_field_reports_undecryptable_values():
    with pytest.raises(DecryptionError):
        EncryptedTextField().from_db_value("plaintext-left-in-db", None, connection)


def test_field_deconstruct():
    field = EncryptedTextField(null=True, blank=True, verbose_name="ID number")
    field.set_attributes_from_name("id_number")
    name, path, args, kwargs = field.deconstruct()
    assert name == "id_number"
    assert path == "core.crypto.EncryptedTextField"
    assert kwargs == {"null": True, "blank": True, "verbose_name": "ID number"}
    clone = EncryptedTextField(*args, **kwargs)
    assert clone.deconstruct()[1:] == (path, args, kwargs)


@isolate_apps("core")
def test_field_lookups():
    class Person(models.Model):
        id_number = EncryptedTextField(null=True)
        id_number_hash = models.CharField(max_length=64, db_index=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.id_number_hash

    field = Person._meta.get_field("id_number")
    assert field.get_lookup("isnull") is IsNull
    for lookup in ("exact", "iexact", "contains", "icontains", "in", "startswith"):
        with pytest.raises(FieldError, match="blind-index"):
            field.get_lookup(lookup)

    # Query building (no database needed) goes through the same check.
    Person.objects.filter(id_number__isnull=True)
    with pytest.raises(FieldError, match="does not support the 'exact' lookup"):
        Person.objects.filter(id_number=PLAINTEXT)
    with pytest.raises(FieldError):
        Person.objects.filter(id_number__icontains="1949")
    Person.objects.filter(id_number_hash=blind_index(PLAINTEXT, purpose="id_number"))

    assert Person.check() == []


@isolate_apps("core")
def test_field_check_rejects_unique_and_index():
    class Account(models.Model):
        number = EncryptedTextField(unique=True)
        other = EncryptedTextField(db_index=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "account"

    errors = [error for error in Account.check() if error.id == "core.E001"]
    assert len(errors) == 2
