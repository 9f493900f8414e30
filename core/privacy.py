"""No full ID or mobile numbers in URLs or logs.

Two lines of defence:

* :class:`NumbersInURLMiddleware` answers 400 to any request whose query string holds a full ID
  number (18 characters with a valid GB 11643 check character, or an old 15-digit one with a real
  birth date) or a mainland mobile number, however written (``+86``, spaces, dashes, full-width
  digits). Exact-number searches go in a POST body instead: the registry pages' search forms and
  ``POST /api/v1/residents/lookup/``. The answer is JSON under ``/api/`` and a short page elsewhere.
* :class:`MaskNumbersFilter` masks 18-character ID runs and 11-digit mobile runs in every log line
  (Django's handlers in ``LOGGING``, gunicorn through :class:`GunicornLogger`, Celery through the
  logging signals in ``luocun_antifraud/celery.py``), because the web server and proxies have already
  logged the URL by the time the middleware refuses it.

This module is imported while logging is configured (before the apps are ready) and by gunicorn's
master process: it must not import models or read settings at import time.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata

from django.core.exceptions import ValidationError

from core.validators import (
    MOBILE_RE,
    id_check_char,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)

# --- finding a full number in a text ------------------------------------------------------------------

# Separators people type inside a number: spaces, dashes, dots, brackets (after NFKC, full-width ones too).
_INNER_SEPARATORS_RE = re.compile(r"(?<=[0-9])[\s\-\u2010-\u2015().]+(?=[0-9])")
_ID18_RE = re.compile(r"(?<![0-9])([0-9]{17}[0-9X])(?![0-9])")
_ID15_RE = re.compile(r"(?<![0-9])([0-9]{15})(?![0-9])")
_MOBILE_RUN_RE = re.compile(r"(?<![0-9])(?:0086|86|0)?(1[3-9][0-9]{9})(?![0-9])")


def _is_old_id_number(digits: str) -> bool:
    """A 15-digit ID number of the first generation: area code, then a real YYMMDD birth date."""
    try:
        datetime.date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def full_number_kind(value: str) -> str | None:
    """``"id_number"`` or ``"phone"`` when ``value`` holds a full ID or mobile number, else ``None``.

    The whole value goes through the shared normalisers first (so anything the search accepts as a
    number is caught), then every digit run is checked, so a number inside other text is caught too.
    A run of 18 characters counts when its check character is right, whatever its birth date.
    """
    if not value:
        return None
    try:
        normalize_id_number(value)
        return "id_number"
    except ValidationError:
        pass
    try:
        if MOBILE_RE.match(normalize_phone(value)):
            return "phone"
    except ValidationError:
        pass
    text = _INNER_SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", str(value)).upper())
    for match in _ID18_RE.finditer(text):
        if id_check_char(match[1][:17]) == match[1][17]:
            return "id_number"
    if any(_is_old_id_number(match[1]) for match in _ID15_RE.finditer(text)):
        return "id_number"
    if _MOBILE_RUN_RE.search(text):
        return "phone"
    return None


def query_holds_full_number(query) -> bool:
    """Does a ``QueryDict`` (``request.GET``) hold a full ID or mobile number in any key or value?"""
    return any(
        full_number_kind(key) or any(full_number_kind(value) for value in values) for key, values in query.lists()
    )


# --- the query-string guard ---------------------------------------------------------------------------


class NumbersInURLMiddleware:
    """400 for a full ID or mobile number in the query string, on every path (pages and API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING") and query_holds_full_number(request.GET):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.urls import reverse
        from django.utils.translation import gettext as _

        if request.path.startswith("/api/"):
            lookup = reverse("resident-lookup")
            return JsonResponse(
                {
                    "detail": _(
                        "Full ID and mobile numbers may not appear in a URL: servers and proxies log URLs. "
                        'Send the number in a POST body instead, such as POST %(lookup)s with {"id_number": ...} '
                        'or {"phone": ...}.'
                    )
                    % {"lookup": lookup},
                    "lookup": lookup,
                },
                status=400,
            )
        # The admin's search box sends GET: point to the registry's search form, which posts.
        form_url = reverse("residents:resident_list") if request.path.startswith("/admin/") else request.path
        return render(request, "core/number_in_url.html", {"form_url": form_url}, status=400)


# --- the log filter -----------------------------------------------------------------------------------

_FULLWIDTH_DIGITS = {code: ord("0") + code - 0xFF10 for code in range(0xFF10, 0xFF1A)}
_ENCODED_FULLWIDTH_DIGIT_RE = re.compile(r"%EF%BC%9([0-9])", re.IGNORECASE)
_LOG_ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
# 138 1234 5678, 138-1234-5678, 138%201234%205678 (a URL-encoded space) and 138+1234+5678 are one number;
# so are 8613812345678 and 008613812345678 (+86 with the plus sign URL-encoded or dropped).
_LOG_SEPARATOR = r"(?:[ \-+]|%20|%2[dD])?"
_LOG_MOBILE_RE = re.compile(
    rf"(?<![0-9])(?:0086|86)?1[3-9][0-9]{_LOG_SEPARATOR}[0-9]{{4}}{_LOG_SEPARATOR}[0-9]{{4}}(?![0-9])"
)
_LOG_NOT_DIGITS_RE = re.compile(r"%2[0dD]|[^0-9]")


def mask_numbers(text: str) -> str:
    """Mask every 18-character ID run (``440605********2702``) and 11-digit mobile run (``138****5678``).

    Full-width digits, written or URL-encoded, count as digits. No checksum is required here: a log
    line loses nothing that matters when some other 18-digit run is masked too.
    """
    if not text or not any(char.isdigit() for char in text):
        return text
    text = _ENCODED_FULLWIDTH_DIGIT_RE.sub(r"\1", text.translate(_FULLWIDTH_DIGITS))
    text = _LOG_ID_RE.sub(lambda match: mask_id_number(match[0]), text)
    return _LOG_MOBILE_RE.sub(lambda match: mask_phone(_LOG_NOT_DIGITS_RE.sub("", match[0])), text)


class MaskNumbersFilter(logging.Filter):
    """Rewrites each record's message (and traceback) with :func:`mask_numbers`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a broken format string: the handler reports it as usual
            return True
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True


def install_mask_filter(logger: logging.Logger) -> None:
    """Add a :class:`MaskNumbersFilter` to ``logger`` and to each of its handlers (once)."""
    for target in (logger, *logger.handlers):
        if not any(isinstance(existing, MaskNumbersFilter) for existing in target.filters):
            target.addFilter(MaskNumbersFilter())
