"""Assessment periods: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a year ``YYYY``.

Boundaries are local midnights in Asia/Shanghai (the project's TIME_ZONE): a case reported at
2026-03-31T23:30+08:00 is in March and Q1; one at 2026-04-01T00:10+08:00 is in April and Q2.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


class BadPeriod(ValueError):
    pass


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "year"
    first_day: datetime.date
    end_day: datetime.date  # exclusive

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.first_day.year}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        return f"{self.first_day:%Y-%m}"

    @property
    def last_day(self) -> datetime.date:
        return self.end_day - datetime.timedelta(days=1)

    @property
    def start(self) -> datetime.datetime:
        """Local midnight of the first day (aware)."""
        return datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=_tz())

    @property
    def end(self) -> datetime.datetime:
        """Local midnight after the last day (aware, exclusive)."""
        return datetime.datetime.combine(self.end_day, datetime.time.min, tzinfo=_tz())

    def months(self) -> list[datetime.date]:
        """The first day of every month of the period."""
        result, day = [], self.first_day
        while day < self.end_day:
            result.append(day)
            day = _add_months(day, 1)
        return result

    def previous(self) -> Period:
        size = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = _add_months(self.first_day, -size)
        return Period(self.kind, first, self.first_day)

    def __str__(self):
        return self.key


def month(day: datetime.date) -> Period:
    first = day.replace(day=1)
    return Period("month", first, _add_months(first, 1))


def containing(kind: str, day: datetime.date) -> Period:
    """The month, quarter or year (``kind``) that contains ``day``."""
    if kind == "year":
        return Period("year", datetime.date(day.year, 1, 1), datetime.date(day.year + 1, 1, 1))
    if kind == "quarter":
        first = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period("quarter", first, _add_months(first, 3))
    return month(day)


def parse_period(value: str) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; raises :class:`BadPeriod` with a readable message."""
    match = PATTERN.match((value or "").strip())
    if not match:
        raise BadPeriod(
            _("“%(value)s” is not a period: use YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year).")
            % {"value": value}
        )
    year = int(match["year"])
    if year < 2000 or year > 2100:
        raise BadPeriod(_("The year must be between 2000 and 2100."))
    if match["month"]:
        number = int(match["month"])
        if not 1 <= number <= 12:
            raise BadPeriod(_("The month must be between 01 and 12."))
        return month(datetime.date(year, number, 1))
    if match["quarter"]:
        first = datetime.date(year, (int(match["quarter"]) - 1) * 3 + 1, 1)
        return Period("quarter", first, _add_months(first, 3))
    return Period("year", datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))


def current_month(today: datetime.date | None = None) -> Period:
    return month(today or timezone.localdate())


def last_months(count: int, today: datetime.date | None = None) -> list[Period]:
    """The ``count`` months up to and including this one, oldest first."""
    this = current_month(today)
    return [month(_add_months(this.first_day, -offset)) for offset in range(count - 1, -1, -1)]
