"""The cells of import sheets: each cleans one spreadsheet cell with the shared validators (``core.validators``),
raising ``ValueError`` with the message to show on the cell's row, so a bad value gets the same message as in the
forms and the API. A number cell that Excel has already rounded (an ID number, a 16-digit account) is refused with
the "format the column as Text" message.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from core.validators import EXCEL_NUMBER_MESSAGE, normalize_bank_account, normalize_id_number, normalize_phone


def cell_text(value) -> str:
    """A cell as stripped text; whole numbers lose the ``.0`` a spreadsheet may add (codes, counts)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def spelling_key(text) -> str:
    """A choice as matched: no spaces, case-folded."""
    return "".join(str(text).split()).casefold()


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _message(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


class Cell:
    """Cleans one cell; raises ``ValueError`` with the message to show. ``bound(user)`` is the sheet's own copy."""

    user = None

    def bound(self, user) -> Cell:
        cell = copy.copy(self)
        cell.user = user
        return cell

    def clean(self, value):
        return value


class TextCell(Cell):
    """Plain text with a length limit (Django's own message) and an optional "required" message."""

    def __init__(self, *, max_length: int, required_message=None, excel_numbers: bool = False):
        self.validator = MaxLengthValidator(max_length)
        self.required_message = required_message
        self.excel_numbers = excel_numbers  # a code: a decimal or a 16-digit number cell has lost digits

    def clean(self, value):
        if self.excel_numbers and (isinstance(value, float) or (is_number(value) and abs(value) >= 10**15)):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        text = cell_text(value)
        if not text and self.required_message:
            raise ValueError(str(self.required_message))
        try:
            self.validator(text)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None
        return text


class IdNumberCell(Cell):
    """A resident ID number through ``normalize_id_number``; a numeric cell has lost digits already."""

    def clean(self, value):
        if is_number(value):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        try:
            return normalize_id_number(value)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None


class PhoneCell(Cell):
    """An optional phone number through ``normalize_phone``. Whole numbers are exact below 15 digits,
    so an integer cell is accepted; a decimal one (``13812345678.0``) gets the Excel message."""

    def clean(self, value):
        if isinstance(value, float):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        if value is None or not str(value).strip():
            return ""
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None


class BankAccountCell(Cell):
    """Digits only; a number cell of more than 15 digits has lost its last digits in Excel."""

    def clean(self, value):
        if isinstance(value, float) or (is_number(value) and abs(value) >= 10**15):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        text = cell_text(value)
        if not text:
            return ""
        try:
            return normalize_bank_account(text)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None


def choice_spellings(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Codes, labels in every configured language and ``extra`` spellings (:func:`spelling_key`) -> code."""
    table = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in choices.choices:
                table[spelling_key(str(label))] = code
    table.update({spelling_key(code): code for code in choices.values})
    table.update({spelling_key(text): code for text, code in (extra or {}).items()})
    return table


class ChoiceCell(Cell):
    """A choice by its code, its label in any language or another system's spelling.

    ``message`` (or ``required_message`` for an empty cell) is shown otherwise; ``%(value)s`` is the text.
    """

    def __init__(self, choices, *, extra: dict[str, str] | None = None, message, required_message=None):
        self.choices, self.extra = choices, extra
        self.message, self.required_message = message, required_message
        self._spellings = None

    def clean(self, value):
        text = cell_text(value)
        if self._spellings is None:
            self._spellings = choice_spellings(self.choices, self.extra)
        code = self._spellings.get(spelling_key(text)) if text else None
        if code is None:
            message = self.required_message if not text and self.required_message else self.message
            raise ValueError(str(message) % {"value": text} if "%(value)" in str(message) else str(message))
        return code


EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def excel_serial(value) -> datetime.datetime | None:
    """An Excel date cell (days since 1899-12-30, the fraction is the time of day), read as local time."""
    if not 1 <= value < 2958466:  # up to 9999-12-31
        return None
    return EXCEL_EPOCH + datetime.timedelta(seconds=round(float(value) * 86400))


class MomentCell(Cell):
    """A date and time (local time unless the text gives an offset), or an Excel date cell; never in the future.

    Empty: ``None``, or ``required_message``. ``message`` (with ``%(example)s``) replaces the default ones when
    given; ``skew`` is how far ahead of this server's clock another system's clock may be.
    """

    def __init__(self, *, skew: datetime.timedelta, required_message=None, message=None, example="2025-03-01 09:30"):
        self.skew, self.required_message, self.message, self.example = skew, required_message, message, example

    def clean(self, value):
        if value is None or value == "":
            if self.required_message:
                raise ValueError(str(self.required_message))
            return None
        try:
            return self._moment(value)
        except ValueError:
            if self.message is None:
                raise
            raise ValueError(str(self.message) % {"example": self.example}) from None

    def _moment(self, value):
        if is_number(value):
            moment = excel_serial(value)
        else:
            text = cell_text(value).translate(str.maketrans({"/": "-", "：": ":"}))
            try:
                moment = parse_datetime(text)
                if moment is None:
                    day = parse_date(text)
                    moment = datetime.datetime.combine(day, datetime.time()) if day else None
            except ValueError:
                moment = None
        if moment is None:
            raise ValueError(
                gettext("Enter the push time as a date and time, such as %(example)s.") % {"example": self.example}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now() + self.skew:
            raise ValueError(gettext("The push time cannot be in the future."))
        return moment


class AmountCell(Cell):
    """An amount in yuan (``12,000.50``, ``¥300``, ``300元``), two decimals; empty is 0 unless required."""

    def __init__(self, *, required: bool = False):
        self.required = required

    def clean(self, value):
        text = cell_text(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
        if not text:
            if self.required:
                raise ValueError(gettext("Enter the amount in yuan (0 if none)."))
            return Decimal("0")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("Enter an amount in yuan, such as 12000.50.")) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValueError(gettext("Enter an amount in yuan, such as 12000.50."))
        return amount.quantize(Decimal("0.01"))
