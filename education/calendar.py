"""School days: the semester's weekdays, minus its holidays, plus its make-up school days (调休)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from .models import CalendarChange, Semester

ONE_DAY = datetime.timedelta(days=1)


class SchoolCalendar:
    """The school days of one semester (computed once, in Python, from the semester and its changes)."""

    def __init__(self, semester: Semester, changes: Iterable[CalendarChange] | None = None):
        self.semester = semester
        if changes is None:
            changes = semester.calendar_changes.all()
        holidays: set[datetime.date] = set()
        makeup: set[datetime.date] = set()
        for change in changes:
            day = change.starts_on
            while day <= change.ends_on:
                (makeup if change.kind == CalendarChange.Kind.MAKEUP_DAY else holidays).add(day)
                day += ONE_DAY
        days = []
        day = semester.starts_on
        while day <= semester.ends_on:
            if day in makeup or (day.weekday() < 5 and day not in holidays):
                days.append(day)
            day += ONE_DAY
        self.days: list[datetime.date] = days
        self._set = frozenset(days)

    def is_school_day(self, day: datetime.date) -> bool:
        return day in self._set

    def days_until(self, day: datetime.date, *, inclusive: bool = True) -> list[datetime.date]:
        """The school days from the first day up to ``day`` (included unless ``inclusive`` is False)."""
        return [d for d in self.days if d < day or (inclusive and d == day)]

    @property
    def total(self) -> int:
        return len(self.days)


def calendar_for(semester: Semester) -> SchoolCalendar:
    return SchoolCalendar(semester)
