"""Validation, normalisation and masking of sensitive personal information.

Forms, Excel imports and the API all go through these functions, so a given bad value produces the
same (translated) message everywhere. Every kind of value has:

* ``normalize_*(value) -> str``: returns the canonical string, or raises ``ValidationError``;
* ``validate_*(value) -> None``: the same check as a Django validator (usable in ``validators=[...]``).

Covered values:

* resident ID numbers (GB 11643, 18 characters): :func:`normalize_id_number`;
* mainland mobile numbers and landlines: :func:`normalize_phone`;
* bank card and account numbers: :func:`normalize_bank_account`.

Input is first converted from full-width to ASCII characters (``"１３８"`` -> ``"138"``) and stripped.
Values that Excel has turned into numbers (``"4.40682E+17"``, ``"13812345678.0"``) are rejected with
a message telling the user to format the column as text, because digits have usually been lost.

The ``mask_*`` helpers hide the middle of a value for lists and exports; they never raise and return
``""`` for ``None`` or ``""``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Literal

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

# --- messages (shared so that every entry point shows the same text) ---------------------------------

EXCEL_NUMBER_MESSAGE = _(
    "Excel has turned this cell into a number (such as 4.40682E+17 or 123.0), which loses digits. "
    "Format the column as Text in Excel and type the value again."
)

ID_REQUIRED_MESSAGE = _("Enter an ID number.")
ID_CHARACTERS_MESSAGE = _("An ID number may contain only digits, with an X allowed as the last character.")
ID_LENGTH_MESSAGE = _("An ID number must be 18 characters long; this one has %(length)d.")
ID_BIRTH_DATE_MESSAGE = _("The birth date in this ID number (%(value)s) is not a possible date of birth.")
ID_CHECKSUM_MESSAGE = _("The last character of this ID number does not match the others; check it for typing errors.")

PHONE_REQUIRED_MESSAGE = _("Enter a phone number.")
PHONE_INVALID_MESSAGE = _(
    "Enter a valid mainland mobile number (11 digits starting with 1) or a landline with its area code."
)

BANK_REQUIRED_MESSAGE = _("Enter a bank card or account number.")
BANK_INVALID_MESSAGE = _("A bank card or account number must consist of 12 to 30 digits.")
BANK_CHECKSUM_MESSAGE = _("This bank card number fails its check digit test; check it for typing errors.")
BANK_LUHN_WARNING_MESSAGE = _(
    "This number fails the bank card check digit test. That is normal for some passbook account "
    "numbers, but if it is a card number, check it for typing errors."
)

# --- shared helpers ----------------------------------------------------------------------------------

# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space map onto plain ASCII.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}
_EXCEL_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$|^\d+\.0+$")


def _clean_text(value: Any) -> str:
    """Return ``value`` as a stripped ASCII string (``None`` -> ``""``), rejecting Excel-mangled numbers."""
    if value is None:
        return ""
    text = str(value).translate(_HALFWIDTH).strip()
    if _EXCEL_NUMBER_RE.match(text):
        raise ValidationError(EXCEL_NUMBER_MESSAGE, code="excel_number")
    return text


def _mask(text: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters; a value too short for that is all stars."""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


# --- resident ID numbers (GB 11643-1999) -------------------------------------------------------------

ID_NUMBER_LENGTH = 18
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_CHARACTERS_RE = re.compile(r"^[0-9X]+$")
_ID_SHAPE_RE = re.compile(r"^\d{17}[0-9X]$")


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _parse_birth_date(digits: str) -> datetime.date | None:
    """Parse ``YYYYMMDD``; return ``None`` unless it is a real date from 1900 up to today."""
    try:
        birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    if birth.year < 1900 or birth > timezone.localdate():
        return None
    return birth


def normalize_id_number(value: Any) -> str:
    """Return the canonical 18-character ID number (upper-case ``X``) or raise ``ValidationError``.

    Area codes are deliberately not checked: codes are retired over time and old IDs stay valid.
    """
    text = _clean_text(value).upper()
    if not text:
        raise ValidationError(ID_REQUIRED_MESSAGE, code="required")
    if not _ID_CHARACTERS_RE.match(text):
        raise ValidationError(ID_CHARACTERS_MESSAGE, code="invalid_characters")
    if len(text) != ID_NUMBER_LENGTH:
        raise ValidationError(ID_LENGTH_MESSAGE, code="invalid_length", params={"length": len(text)})
    if not _ID_SHAPE_RE.match(text):
        raise ValidationError(ID_CHARACTERS_MESSAGE, code="invalid_characters")
    if _parse_birth_date(text[6:14]) is None:
        raise ValidationError(ID_BIRTH_DATE_MESSAGE, code="invalid_birth_date", params={"value": text[6:14]})
    if id_check_char(text[:17]) != text[17]:
        raise ValidationError(ID_CHECKSUM_MESSAGE, code="checksum")
    return text


def validate_id_number(value: Any) -> None:
    """Django validator for resident ID numbers."""
    normalize_id_number(value)


def birth_date_from_id_number(id_number: str) -> datetime.date:
    """Return the birth date encoded in a (valid) ID number; raises ``ValidationError`` otherwise."""
    text = normalize_id_number(id_number)
    return datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def gender_from_id_number(id_number: str) -> Literal["male", "female"]:
    """Return ``"male"`` when the 17th digit is odd, ``"female"`` when even."""
    text = normalize_id_number(id_number)
    return "male" if int(text[16]) % 2 else "female"


def make_id_number(area: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid ID number (for demo data and test factories).

    ``area`` is a 6-digit area code, ``sequence`` 0-999 (its last digit odd for men, even for women).
    Raises ``ValueError`` for arguments that could not give a valid number.
    """
    if not re.fullmatch(r"\d{6}", area):
        raise ValueError(f"area must be 6 digits, got {area!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be between 0 and 999, got {sequence!r}")
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValueError(f"birth date must be between 1900-01-01 and today, got {birth}")
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# --- phone numbers -----------------------------------------------------------------------------------

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02X are followed by 8 digits, 0[3-9]XX by 7 or 8; local numbers never start with 0.
_LANDLINE_RE = re.compile(
    r"^(?:(?P<area3>010|02\d)(?P<local8>[1-9]\d{7})|(?P<area4>0[3-9]\d\d)(?P<local>[1-9]\d{6,7}))$"
)
# An extension is recognised after an explicit marker, or as the third group of the canonical form.
_EXTENSION_RE = re.compile(r"^(?P<main>.+?)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
_CANONICAL_EXTENSION_RE = re.compile(r"^(?P<main>0\d{2,3}-\d{7,8})-(?P<ext>\d{1,6})$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015()]")


def _strip_country_code(digits: str) -> str:
    """Turn ``+86…`` / ``0086…`` into a national number and drop a bare ``86`` before a mobile."""
    if digits.startswith(("+", "00")):
        try:
            parsed = phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            return digits
        if parsed.country_code != 86:
            return digits  # foreign numbers are not accepted
        national = str(parsed.national_number)
        return national if MOBILE_RE.match(national) else "0" + national
    if digits.startswith("86") and MOBILE_RE.match(digits[2:]):
        return digits[2:]
    return digits


def _format_phone(text: str, extension: str) -> str | None:
    """Return the canonical form of ``text`` (plus ``extension``), or ``None`` if it is not a number."""
    digits = _strip_country_code(_PHONE_SEPARATORS_RE.sub("", text))
    if not extension and MOBILE_RE.match(digits):
        return digits
    landline = _LANDLINE_RE.match(digits)
    if not landline:
        return None
    area = landline["area3"] or landline["area4"]
    local = landline["local8"] or landline["local"]
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def normalize_phone(value: Any) -> str:
    """Return a mobile as 11 digits (``"13812345678"``) or a landline as ``"020-12345678"``.

    A landline extension is kept as a third group: ``"020-12345678-801"``; it is recognised after
    ``转``, ``分机``, ``ext``, ``x`` or ``#``, or as the third group of that canonical form. Spaces, dashes,
    brackets, full-width characters and a leading ``+86`` / ``0086`` (or ``86`` before a mobile) are
    removed. The mobile rule ``1[3-9]`` + 9 digits is authoritative so that new prefixes are accepted.
    """
    text = _clean_text(value)
    if not text:
        raise ValidationError(PHONE_REQUIRED_MESSAGE, code="required")
    candidates = [(text, "")]
    match = _CANONICAL_EXTENSION_RE.match(text) or _EXTENSION_RE.match(text)
    if match:
        candidates.insert(0, (match["main"], match["ext"]))
    for main, extension in candidates:
        number = _format_phone(main, extension)
        if number:
            return number
    raise ValidationError(PHONE_INVALID_MESSAGE, code="invalid")


def validate_phone(value: Any) -> None:
    """Django validator for mobile and landline numbers."""
    normalize_phone(value)


def is_mobile(number: Any) -> bool:
    """Return whether ``number`` normalises to a mainland mobile number (``False`` if invalid)."""
    try:
        return bool(MOBILE_RE.match(normalize_phone(number)))
    except ValidationError:
        return False


# --- bank cards and accounts -------------------------------------------------------------------------

_BANK_SEPARATORS_RE = re.compile(r"[\s\-]")
_BANK_DIGITS_RE = re.compile(r"^\d{12,30}$")


def _is_card_length(digits: str) -> bool:
    return 16 <= len(digits) <= 19


def normalize_bank_account(value: Any, *, strict_luhn: bool = False) -> str:
    """Return the digits of a bank card or account number (12-30 digits) or raise ``ValidationError``.

    Card-length numbers (16-19 digits) must pass the Luhn check when they start with ``62`` (UnionPay),
    or always when ``strict_luhn`` is true. Other numbers failing Luhn are accepted, because plain
    account numbers need not use it; see :func:`bank_account_luhn_warning`.
    """
    digits = _BANK_SEPARATORS_RE.sub("", _clean_text(value))
    if not digits:
        raise ValidationError(BANK_REQUIRED_MESSAGE, code="required")
    if not _BANK_DIGITS_RE.match(digits):
        raise ValidationError(BANK_INVALID_MESSAGE, code="invalid")
    needs_luhn = _is_card_length(digits) and (strict_luhn or digits.startswith("62"))
    if needs_luhn and not luhn.is_valid(digits):
        raise ValidationError(BANK_CHECKSUM_MESSAGE, code="checksum")
    return digits


def validate_bank_card(value: Any) -> None:
    """Strict validator: every 16-19 digit number must pass the Luhn check."""
    normalize_bank_account(value, strict_luhn=True)


def validate_bank_account(value: Any) -> None:
    """Lenient validator: only UnionPay (``62``) card numbers must pass the Luhn check."""
    normalize_bank_account(value)


def bank_account_luhn_warning(value: Any) -> str | None:
    """Return a translated warning when an accepted card-length (16-19 digit) number fails Luhn.

    Returns ``None`` when there is nothing to warn about, including invalid values (the validators
    report those) and numbers of other lengths (account numbers, which do not use Luhn).
    """
    try:
        digits = normalize_bank_account(value)
    except ValidationError:
        return None
    if _is_card_length(digits) and not luhn.is_valid(digits):
        return str(BANK_LUHN_WARNING_MESSAGE)
    return None


# --- masking -----------------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """``"440682199001011234"`` -> ``"440682********1234"`` (first 6 and last 4 characters kept)."""
    text = "" if value is None else str(value).strip()
    return _mask(text, 6, 4)


def mask_phone(value: str | None) -> str:
    """Mask a phone number: ``"13812345678"`` -> ``"138****5678"``, ``"020-12345678"`` -> ``"020-******78"``.

    Landlines keep the area code and the last 2 digits; an extension is starred out. A value that is
    not a valid number keeps only its last 2 characters.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    try:
        number = normalize_phone(text)
    except ValidationError:
        return _mask(text, 0, 2)
    if MOBILE_RE.match(number):
        return _mask(number, 3, 4)
    area, local, *extension = number.split("-")
    return "-".join([area, _mask(local, 0, 2), *("*" * len(part) for part in extension)])


def mask_bank_account(value: str | None) -> str:
    """Mask a bank number as ``"6222 **** **** 1234"``: first 4 and last 4 digits, always two star groups.

    The format is the same for every length, so the mask does not reveal how long the number is.
    Spaces and dashes in the input are ignored; a value of 8 characters or fewer is all stars.
    """
    text = "" if value is None else _BANK_SEPARATORS_RE.sub("", str(value).translate(_HALFWIDTH))
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]} **** **** {text[-4:]}"
