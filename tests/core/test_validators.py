"""Tests for core.validators: ID numbers, phone numbers, bank numbers and masking."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.functional import Promise
from stdnum import luhn

from core.validators import (
    BANK_LUHN_WARNING_MESSAGE,
    EXCEL_NUMBER_MESSAGE,
    ID_LENGTH_MESSAGE,
    PHONE_INVALID_MESSAGE,
    bank_account_luhn_warning,
    birth_date_from_id_number,
    gender_from_id_number,
    id_check_char,
    is_mobile,
    make_id_number,
    mask_bank_account,
    mask_id_number,
    mask_phone,
    normalize_bank_account,
    normalize_id_number,
    normalize_phone,
    validate_bank_account,
    validate_bank_card,
    validate_id_number,
    validate_phone,
)

KNOWN_VALID_ID = "11010519491231002X"


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value.code


def with_check_char(first17: str) -> str:
    return first17 + id_check_char(first17)


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


# --- ID numbers --------------------------------------------------------------------------------------


class TestIdNumber:
    def test_known_valid_number(self):
        assert normalize_id_number(KNOWN_VALID_ID) == KNOWN_VALID_ID
        validate_id_number(KNOWN_VALID_ID)

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("11010519491231002x", KNOWN_VALID_ID),
            ("  11010519491231002X\t", KNOWN_VALID_ID),
            (to_fullwidth("11010519491231002X"), KNOWN_VALID_ID),
            (to_fullwidth("11010519491231002") + "ｘ", KNOWN_VALID_ID),
            ("\u3000" + KNOWN_VALID_ID + "\u3000", KNOWN_VALID_ID),
        ],
    )
    def test_normalisation(self, raw, expected):
        assert normalize_id_number(raw) == expected

    @pytest.mark.parametrize(
        ("area", "birth", "sequence"),
        [
            ("440682", datetime.date(1990, 1, 1), 123),
            ("110105", datetime.date(1949, 12, 31), 2),
            ("999999", datetime.date(1900, 1, 1), 0),  # unknown area codes are accepted
            ("440682", datetime.date(2000, 2, 29), 999),
        ],
    )
    def test_make_id_number_builds_valid_numbers(self, area, birth, sequence):
        number = make_id_number(area, birth, sequence)
        assert len(number) == 18
        assert number.startswith(f"{area}{birth:%Y%m%d}{sequence:03d}")
        assert normalize_id_number(number) == number
        assert birth_date_from_id_number(number) == birth

    def test_make_id_number_for_today(self):
        today = timezone.localdate()
        assert birth_date_from_id_number(make_id_number("440682", today, 1)) == today

    def test_check_char_values(self):
        assert id_check_char("11010519491231002") == "X"
        # Every possible remainder maps to one of the 11 check characters.
        checks = {make_id_number("440682", datetime.date(1990, 1, 1), seq)[-1] for seq in range(200)}
        assert checks == set("10X98765432")

    @pytest.mark.parametrize(
        ("area", "birth", "sequence"),
        [
            ("44068", datetime.date(1990, 1, 1), 1),
            ("44068a", datetime.date(1990, 1, 1), 1),
            ("440682", datetime.date(1990, 1, 1), 1000),
            ("440682", datetime.date(1990, 1, 1), -1),
            ("440682", datetime.date(1899, 12, 31), 1),
            ("440682", timezone.localdate() + datetime.timedelta(days=1), 1),
        ],
    )
    def test_make_id_number_rejects_bad_arguments(self, area, birth, sequence):
        with pytest.raises(ValueError):
            make_id_number(area, birth, sequence)

    def test_wrong_check_digit(self):
        assert error_code(normalize_id_number, "110105194912310021") == "checksum"
        valid = make_id_number("440682", datetime.date(1990, 1, 1), 123)
        wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
        assert error_code(normalize_id_number, wrong) == "checksum"

    def test_transposed_digits_fail_the_check(self):
        valid = make_id_number("440682", datetime.date(1990, 1, 1), 123)
        swapped = valid[:14] + valid[15] + valid[14] + valid[16:]
        assert error_code(normalize_id_number, swapped) == "checksum"

    @pytest.mark.parametrize(
        "birth_digits",
        ["19900230", "19901301", "19900001", "19900100", "19010229", "18991231", "30000101"],
    )
    def test_impossible_birth_dates(self, birth_digits):
        number = with_check_char(f"440682{birth_digits}123")
        with pytest.raises(ValidationError) as excinfo:
            normalize_id_number(number)
        assert excinfo.value.code == "invalid_birth_date"
        assert birth_digits in excinfo.value.messages[0]

    def test_future_birth_date(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        number = with_check_char(f"440682{tomorrow:%Y%m%d}123")
        assert error_code(normalize_id_number, number) == "invalid_birth_date"

    @pytest.mark.parametrize("raw", [KNOWN_VALID_ID[:17], KNOWN_VALID_ID[:-1] + "12", "11010519491231"])
    def test_wrong_length(self, raw):
        with pytest.raises(ValidationError) as excinfo:
            normalize_id_number(raw)
        assert excinfo.value.code == "invalid_length"
        with translation.override("en"):
            assert "18 characters" in excinfo.value.messages[0]
            assert f"has {len(raw)}" in excinfo.value.messages[0]

    def test_old_15_digit_numbers_are_rejected(self):
        assert error_code(normalize_id_number, "110105491231002") == "invalid_length"

    @pytest.mark.parametrize(
        "raw",
        ["11010519491231002Y", "1101051949X231002X", "110105-19491231002X", "1101 0519491231002X", "abc"],
    )
    def test_invalid_characters(self, raw):
        assert error_code(normalize_id_number, raw) == "invalid_characters"

    @pytest.mark.parametrize(
        "raw",
        [
            "4.40682E+17",
            "4.40682199001011234e17",
            "4.40682199001011E+17",
            "440682199001011234.0",
            "440682199001011000.00",
            4.40682199001011e17,
        ],
    )
    def test_excel_mangled_values(self, raw):
        with pytest.raises(ValidationError) as excinfo:
            normalize_id_number(raw)
        assert excinfo.value.code == "excel_number"
        with translation.override("en"):
            message = excinfo.value.messages[0]
        assert "Excel" in message
        assert "Text" in message

    @pytest.mark.parametrize("raw", [None, "", "   "])
    def test_empty_values(self, raw):
        assert error_code(normalize_id_number, raw) == "required"

    def test_birth_date_and_gender(self):
        assert birth_date_from_id_number("11010519491231002x") == datetime.date(1949, 12, 31)
        assert gender_from_id_number(KNOWN_VALID_ID) == "female"  # 17th digit 2
        male = make_id_number("440682", datetime.date(1990, 1, 1), 123)
        female = make_id_number("440682", datetime.date(1990, 1, 1), 124)
        assert gender_from_id_number(male) == "male"
        assert gender_from_id_number(female) == "female"

    def test_helpers_reject_invalid_numbers(self):
        with pytest.raises(ValidationError):
            birth_date_from_id_number("110105194912310021")
        with pytest.raises(ValidationError):
            gender_from_id_number("123")


# --- phone numbers -----------------------------------------------------------------------------------


class TestPhone:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("13812345678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            (" (138) 1234-5678 ", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("+8613812345678", "13812345678"),
            ("0086 13812345678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("＋８６ １３８１２３４５６７８", "13812345678"),
            (to_fullwidth("13812345678"), "13812345678"),
            ("19912345678", "19912345678"),  # newer prefixes are accepted by the pattern
            ("16612345678", "16612345678"),
            (13812345678, "13812345678"),
        ],
    )
    def test_mobiles(self, raw, expected):
        assert normalize_phone(raw) == expected
        validate_phone(raw)
        assert is_mobile(raw)

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("020-12345678", "020-12345678"),
            ("02012345678", "020-12345678"),
            ("(020) 1234 5678", "020-12345678"),
            ("010-87654321", "010-87654321"),
            ("0757-8123456", "0757-8123456"),
            ("07578123456", "0757-8123456"),
            ("（0757）8123456", "0757-8123456"),
            ("0757-812-3456", "0757-8123456"),
            ("0757-81234567", "0757-81234567"),
            (to_fullwidth("020-12345678"), "020-12345678"),
            ("+86 20 1234 5678", "020-12345678"),
            ("+86 (0)757 8123456", "0757-8123456"),
            ("020-12345678-801", "020-12345678-801"),
            ("020-12345678 转 801", "020-12345678-801"),
            ("020 1234 5678 ext. 801", "020-12345678-801"),
            ("0757-8123456#12", "0757-8123456-12"),
            ("0757-8123456-7", "0757-8123456-7"),
        ],
    )
    def test_landlines(self, raw, expected):
        assert normalize_phone(raw) == expected
        assert normalize_phone(expected) == expected  # the canonical form is stable
        assert not is_mobile(raw)

    @pytest.mark.parametrize(
        "raw",
        [
            "12345678901",  # invalid mobile prefix 12
            "11012345678",
            "1381234567",  # 10 digits
            "138123456789",  # 12 digits
            "81234567",  # landline without area code
            "0200-1234567",  # local number starting with 0
            "01112345678",  # 01X other than 010 is not an area code
            "020-1234567",  # 02X needs 8 digits
            "0757-123456",  # too short
            "13812345678 转 12",  # mobiles have no extension
            "+1 650 253 0000",
            "+86 12345",
            "8612345678901",
            "138.1234.5678",
            "abc",
        ],
    )
    def test_invalid(self, raw):
        with pytest.raises(ValidationError) as excinfo:
            normalize_phone(raw)
        assert excinfo.value.code == "invalid"
        with translation.override("en"):
            assert excinfo.value.messages == [
                "Enter a valid mainland mobile number (11 digits starting with 1) or a landline with its area code."
            ]
        assert not is_mobile(raw)

    @pytest.mark.parametrize("raw", ["1.38123E+10", "13812345678.0"])
    def test_excel_mangled(self, raw):
        assert error_code(normalize_phone, raw) == "excel_number"

    @pytest.mark.parametrize("raw", [None, "", "  "])
    def test_empty(self, raw):
        assert error_code(normalize_phone, raw) == "required"
        assert not is_mobile(raw)


# --- bank numbers ------------------------------------------------------------------------------------

UNIONPAY_16 = "6222021234567894"
UNIONPAY_19 = "6228480012345678903"
UNIONPAY_16_BAD = "6222021234567895"
OTHER_CARD_BAD = "9558801234567890120"  # 19 digits, not 62-prefixed, fails Luhn
ACCOUNT_20_BAD = "12345678901234567890"


class TestBankAccount:
    def test_sample_numbers(self):
        assert luhn.is_valid(UNIONPAY_16)
        assert luhn.is_valid(UNIONPAY_19)
        assert not luhn.is_valid(UNIONPAY_16_BAD)
        assert not luhn.is_valid(OTHER_CARD_BAD)
        assert not luhn.is_valid(ACCOUNT_20_BAD)

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (UNIONPAY_16, UNIONPAY_16),
            ("6222 0212 3456 7894", UNIONPAY_16),
            ("6228-4800-1234-5678-903", UNIONPAY_19),
            (to_fullwidth(UNIONPAY_19), UNIONPAY_19),
            (" 123456789012 ", "123456789012"),  # 12 digits
            ("1" * 30, "1" * 30),
        ],
    )
    def test_normalisation(self, raw, expected):
        assert normalize_bank_account(raw) == expected

    def test_unionpay_must_pass_luhn(self):
        assert error_code(normalize_bank_account, UNIONPAY_16_BAD) == "checksum"
        with pytest.raises(ValidationError):
            validate_bank_account(UNIONPAY_16_BAD)
        with pytest.raises(ValidationError):
            validate_bank_card(UNIONPAY_16_BAD)

    def test_other_numbers_failing_luhn_are_accepted_leniently(self):
        assert normalize_bank_account(OTHER_CARD_BAD) == OTHER_CARD_BAD
        validate_bank_account(OTHER_CARD_BAD)
        assert normalize_bank_account(ACCOUNT_20_BAD) == ACCOUNT_20_BAD

    def test_strict_mode_requires_luhn_for_card_lengths(self):
        assert error_code(normalize_bank_account, OTHER_CARD_BAD, strict_luhn=True) == "checksum"
        with pytest.raises(ValidationError):
            validate_bank_card(OTHER_CARD_BAD)
        validate_bank_card(UNIONPAY_19)
        validate_bank_card("4111111111111111")
        # Outside 16-19 digits the number is an account number: Luhn is not applied.
        validate_bank_card(ACCOUNT_20_BAD)

    @pytest.mark.parametrize(
        "raw", ["12345678901", "1" * 31, "6222O21234567894", "6222.0212.3456.7894", "abc", "62220212345678９4x"]
    )
    def test_invalid(self, raw):
        assert error_code(normalize_bank_account, raw) == "invalid"

    @pytest.mark.parametrize("raw", ["6.22202E+15", "6222021234567894.0"])
    def test_excel_mangled(self, raw):
        assert error_code(normalize_bank_account, raw) == "excel_number"

    @pytest.mark.parametrize("raw", [None, "", " - "])
    def test_empty(self, raw):
        assert error_code(normalize_bank_account, raw) == "required"

    def test_luhn_warning(self):
        with translation.override("en"):
            warning = bank_account_luhn_warning("9558 8012 3456 7890 120")
            assert isinstance(warning, str)
            assert "check digit" in warning
            assert warning == str(BANK_LUHN_WARNING_MESSAGE)

    @pytest.mark.parametrize(
        "raw", [UNIONPAY_16, "9558801234567890128", UNIONPAY_16_BAD, ACCOUNT_20_BAD, "123", None, ""]
    )
    def test_no_luhn_warning(self, raw):
        assert bank_account_luhn_warning(raw) is None


# --- masking -----------------------------------------------------------------------------------------


class TestMasking:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("440682199001011234", "440682********1234"),
            (KNOWN_VALID_ID, "110105********002X"),
            ("1234567890", "**********"),
            (None, ""),
            ("", ""),
        ],
    )
    def test_mask_id_number(self, raw, expected):
        assert mask_id_number(raw) == expected

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("13812345678", "138****5678"),
            ("+86 138 1234 5678", "138****5678"),
            ("020-12345678", "020-******78"),
            ("0757-8123456", "0757-*****56"),
            ("020-12345678-801", "020-******78-***"),
            ("12345", "***45"),  # not a valid number: only the last 2 characters are kept
            (None, ""),
            ("", ""),
        ],
    )
    def test_mask_phone(self, raw, expected):
        assert mask_phone(raw) == expected

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (UNIONPAY_16, "6222 **** **** 7894"),
            (UNIONPAY_19, "6228 **** **** 8903"),
            ("6222 0212 3456 7894", "6222 **** **** 7894"),
            ("1" * 30, "1111 **** **** 1111"),
            ("12345678", "********"),
            (None, ""),
            ("", ""),
        ],
    )
    def test_mask_bank_account(self, raw, expected):
        assert mask_bank_account(raw) == expected


# --- shared behaviour --------------------------------------------------------------------------------


def test_messages_are_lazy_translations():
    for message in (EXCEL_NUMBER_MESSAGE, ID_LENGTH_MESSAGE, PHONE_INVALID_MESSAGE, BANK_LUHN_WARNING_MESSAGE):
        assert isinstance(message, Promise)


def test_validators_work_in_django_forms():
    class PersonForm(forms.Form):
        id_number = forms.CharField(validators=[validate_id_number])
        phone = forms.CharField(validators=[validate_phone])
        bank_account = forms.CharField(validators=[validate_bank_account])

    valid = PersonForm(data={"id_number": KNOWN_VALID_ID, "phone": "13812345678", "bank_account": UNIONPAY_16})
    assert valid.is_valid(), valid.errors

    with translation.override("en"):
        invalid = PersonForm(data={"id_number": "4.40682E+17", "phone": "12345678901", "bank_account": "12"})
        assert not invalid.is_valid()
        assert invalid.errors["id_number"] == [str(EXCEL_NUMBER_MESSAGE)]
        assert invalid.errors["phone"] == [str(PHONE_INVALID_MESSAGE)]
        assert invalid.has_error("bank_account", code="invalid")
