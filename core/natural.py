"""Natural ordering: 幸福路5号 before 幸福路43号, 初一 before 初二 before 初三, 一年级 … 六年级, 2班 before 10班.

Lists of 168 k residents are paginated in the database, so the order cannot be applied in Python to a
page: each row stores its ordering key (:class:`NaturalSortKeyField`), computed from its text whenever the
row is saved or bulk-created (a field's ``pre_save`` runs in both), and an index serves the order.

The key is the text with every run of digits zero-padded to :data:`WIDTH` places, after the Chinese
numerals of grades and classes (初一, 高二, 三年级, 五班) are written as digits and full-width digits as
ASCII. It is only ever compared, never shown. It works the same on PostgreSQL and SQLite; PostgreSQL's ICU
collation with numeric ordering (``zh-u-kn-true``) would order the digits but not 初一 / 初二 / 初三.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models

WIDTH = 8
MAX_LENGTH = 400

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = "[〇零一二两三四五六七八九十]+"
#: Chinese numerals that count a grade or a class: 初一 / 高三, 一年级, 五班.
_GRADE_OR_CLASS = re.compile(rf"(?<=[初高])({_NUMERAL})|({_NUMERAL})(?=年级|班)")
_DIGIT_RUN = re.compile(r"\d+")


def chinese_number(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23, 一〇五 -> 105; None for anything else."""
    if not text or any(char not in _DIGITS and char != "十" for char in text):
        return None
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return int("".join(str(_DIGITS[char]) for char in text))


def _numeral_as_digits(match: re.Match) -> str:
    text = match.group(0)
    number = chinese_number(text)
    return text if number is None else str(number)


def natural_key(text: str | None) -> str:
    """The ordering key of ``text`` (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = _GRADE_OR_CLASS.sub(_numeral_as_digits, text)
    return _DIGIT_RUN.sub(lambda match: match.group(0).lstrip("0").zfill(WIDTH), text)[:MAX_LENGTH]


class NaturalSortKeyField(models.CharField):
    """A non-editable column holding :func:`natural_key` of the model's ``source`` field.

    Set by ``save()`` and ``bulk_create()`` (both call ``pre_save``). A ``QuerySet.update()`` or ``COPY`` of
    the source field must write the key too (:func:`natural_key`).
    """

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", MAX_LENGTH), ("editable", False), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = natural_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def fill_keys(model, fields: dict[str, str], *, batch_size: int = 2000) -> None:
    """Write the keys of ``model``'s existing rows: ``fields`` maps each key field to its source (migrations)."""
    sources = list(fields.values())
    rows = model._base_manager.order_by("pk").values_list("pk", *sources)
    pending = []
    for pk, *values in rows.iterator(chunk_size=batch_size):
        pending.append(model(pk=pk, **{key: natural_key(value) for key, value in zip(fields, values, strict=True)}))
        if len(pending) >= batch_size:
            model._base_manager.bulk_update(pending, list(fields), batch_size=batch_size)
            pending = []
    if pending:
        model._base_manager.bulk_update(pending, list(fields), batch_size=batch_size)
