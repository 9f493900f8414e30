"""Is a typical case's text anonymous? No ID number, phone number, bank card or account number, and not the
source case's victim's name.

Numbers are found as runs of digits (spaces, dashes and brackets inside allowed; full-width digits read as
digits) and each run is tried with the project's own validators (``core.validators``): a run that
``normalize_id_number`` accepts is an ID number, one that ``normalize_phone`` accepts a phone number, and any run
of 12 or more digits that ``normalize_bank_account`` accepts (or refuses only for its check digit) a bank
number. Short figures (amounts, dates, 110, 96110) never match. The functions are pure and serve the form, the
service and the tests alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import (
    mask_bank_account,
    mask_id_number,
    mask_phone,
    normalize_bank_account,
    normalize_id_number,
    normalize_phone,
)

# A run of at least 7 digits, possibly split by spaces, dashes or brackets, possibly ending in X (ID numbers).
_CANDIDATE_RE = re.compile(r"\+?\d(?:[\d \-()]*\d)?[Xx]?")
_NOT_DIGIT_RE = re.compile(r"[^\dXx]")
MIN_DIGITS = 7


def _normalised(text: str) -> str:
    """Full-width digits, dashes and brackets as ASCII (NFKC), so that ``１３８…`` is found like ``138…``."""
    return unicodedata.normalize("NFKC", text or "")


def personal_numbers(text: str) -> list[tuple[str, str]]:
    """Every personal number in ``text``, as ``(kind, masked value)``; kind is ``id_number``, ``phone`` or
    ``bank_account``."""
    found = []
    for match in _CANDIDATE_RE.finditer(_normalised(text)):
        raw = match.group().strip(" -()")
        digits = _NOT_DIGIT_RE.sub("", raw)
        if len(digits) < MIN_DIGITS:
            continue
        kind = _kind(raw, digits)
        if kind == "id_number":
            found.append((kind, mask_id_number(digits.upper())))
        elif kind == "phone":
            found.append((kind, mask_phone(digits)))
        elif kind == "bank_account":
            found.append((kind, mask_bank_account(digits)))
    return found


def _kind(raw: str, digits: str) -> str | None:
    if len(digits) == 18:
        try:
            normalize_id_number(digits)
        except ValidationError:
            pass
        else:
            return "id_number"
    try:
        normalize_phone(raw)
    except ValidationError:
        pass
    else:
        return "phone"
    if digits.isdigit() and len(digits) >= 12:
        try:
            normalize_bank_account(digits)
        except ValidationError as error:
            if error.code == "checksum":  # a card number with a typing error still identifies its holder
                return "bank_account"
        else:
            return "bank_account"
    return None


def _message(kind: str, masked: str) -> str:
    if kind == "id_number":
        return _("This text contains an ID number (%(value)s): a typical case must not identify anyone.") % {
            "value": masked
        }
    if kind == "phone":
        return _("This text contains a phone number (%(value)s): a typical case must not identify anyone.") % {
            "value": masked
        }
    return _(
        "This text contains a bank card or account number (%(value)s): a typical case must not identify anyone."
    ) % {"value": masked}


def check_anonymous(fields: dict[str, str | Iterable[str]], *, names: Iterable[str] = ()) -> None:
    """Raise ``ValidationError`` (per field) when a field holds a personal number or one of ``names``.

    ``fields``: field name -> text, or a list of texts (the warning signs, the script's points).
    ``names``: people who must not be named (the source case's victim).
    """
    names = [name.strip() for name in names if name and len(name.strip()) >= 2]
    errors: dict[str, list[str]] = {}
    for field, value in fields.items():
        texts = [value] if isinstance(value, str) else list(value)
        for text in texts:
            for kind, masked in personal_numbers(text):
                errors.setdefault(field, []).append(_message(kind, masked))
            for name in names:
                if name in _normalised(text):
                    errors.setdefault(field, []).append(
                        _("This text names the victim of the source case: leave names out of a typical case.")
                    )
    if errors:
        raise ValidationError({field: list(dict.fromkeys(messages)) for field, messages in errors.items()})
