"""The year's target (二 工作目标: 发案数明显下降，财产损失明显减少) against the figures.

The leadership group sets, per town and year, the change of cases and of losses it aims for against the year
before (:class:`~assessment.models.YearTarget`, e.g. −20 %). A period's **target** is the same period a year
earlier times (1 + change / 100): 10 cases and −20 % make a target of 8.0; a period's figure **misses** the
target when it is above it (cases 9 > 8.0). A period with no cases a year earlier has a target of 0: any case
misses it, and its change against the year before is unknown (None, shown "—"), never +∞.

A month is compared with the same month a year earlier, a quarter or a year with the same months a year earlier
(February 2028 has 29 days, February 2027 28: the months are compared, not the days). The figures come from
:func:`assessment.indicators.monthly_trend` (one grouped query over both years, the user's scope).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from core import periods
from organization.models import UnitKind

from . import figures, indicators
from .models import YearTarget

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def year_earlier(period: periods.Period) -> periods.Period:
    """The same month, quarter or year a year earlier."""
    first = period.first_day.replace(year=period.first_day.year - 1)
    return periods.containing(period.kind, first)


def change_percent(current, previous) -> Decimal | None:
    """(current − previous) / previous in percent, one decimal; None when there was nothing a year earlier."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous)).quantize(
        ONE_PLACE, rounding=ROUND_HALF_UP
    )


def target_of(previous, change: Decimal | None, places: Decimal = ONE_PLACE) -> Decimal | None:
    """The target for a figure that was ``previous`` a year earlier (None without a target)."""
    if change is None:
        return None
    return (Decimal(previous) * (HUNDRED + Decimal(change)) / HUNDRED).quantize(places, rounding=ROUND_HALF_UP)


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Comparison:
    """One period's cases and losses against the same period a year earlier and against the target."""

    key: str
    cases: int = 0
    loss: Decimal = Decimal("0")
    cases_prev: int = 0
    loss_prev: Decimal = Decimal("0")
    cases_goal: Decimal | None = None  # the percent change aimed for (the year's target), None without one
    loss_goal: Decimal | None = None

    @property
    def cases_change(self) -> Decimal | None:
        return change_percent(self.cases, self.cases_prev)

    @property
    def loss_change(self) -> Decimal | None:
        return change_percent(self.loss, self.loss_prev)

    @property
    def cases_target(self) -> Decimal | None:
        return target_of(self.cases_prev, self.cases_goal)

    @property
    def loss_target(self) -> Decimal | None:
        return target_of(self.loss_prev, self.loss_goal, TWO_PLACES)

    @property
    def cases_missed(self) -> bool:
        return self.cases_target is not None and self.cases > self.cases_target

    @property
    def loss_missed(self) -> bool:
        return self.loss_target is not None and self.loss > self.loss_target

    @property
    def missed(self) -> bool:
        return self.cases_missed or self.loss_missed


@dataclass
class TargetProgress:
    """The period asked for, the year to date and each month of the year so far, against the target."""

    year: int
    target: YearTarget | None
    period: Comparison
    year_to_date: Comparison
    months: list[Comparison] = field(default_factory=list)

    @property
    def missed_months(self) -> list[Comparison]:
        return [month for month in self.months if month.missed]


def target_for(user, year: int) -> YearTarget | None:
    """The year's target of the town ``user`` sees (the first town for an administrator)."""
    return YearTarget.objects.for_user(user).filter(year=year, unit__kind=UnitKind.TOWN).order_by("unit__path").first()


def _sum(rows: list[dict], keys: list[str], key: str) -> Comparison:
    """A comparison over the months ``keys`` of ``rows`` ({month key: {"cases", "loss", "cases_prev", ...}})."""
    found = Comparison(key=key)
    for month in keys:
        row = rows[month]
        found.cases += row["cases"]
        found.loss += row["loss"]
        found.cases_prev += row["cases_prev"]
        found.loss_prev += row["loss_prev"]
    return found


def progress(*, user, period: periods.Period, today: datetime.date | None = None) -> TargetProgress:
    """``period`` and the months of its year up to its end (or today), against the year before and the target.

    Cached (``figures.live``) under the user's scope, the period and today until a case (the live version) or a
    target (the oversight version: the assessment app's records) is written."""
    today = today or timezone.localdate()
    return figures.live(
        "target-progress",
        [figures.user_scope_key(user), period.key],
        lambda: _progress(user=user, period=period, today=today),
        today=today,
        also=(figures.OVERSIGHT_VERSION,),
    )


def _progress(*, user, period: periods.Period, today: datetime.date) -> TargetProgress:
    year = period.first_day.year
    last = min(period.last_day, max(today, period.first_day))
    if last.year != year:  # a period running past the year's end: the target is the year's
        last = datetime.date(year, 12, 31)
    months = [periods.month(day) for day in periods.containing("year", period.first_day).months() if day <= last]
    span = [periods.month(day.replace(year=year - 1)) for day in (m.first_day for m in months)] + months
    trend = {row["month"]: row for row in indicators.monthly_trend(user=user, months=span)}
    rows = {}
    for month in months:
        now, before = trend[month.key], trend[f"{year - 1}-{month.first_day:%m}"]
        rows[month.key] = {
            "cases": now["cases"],
            "loss": _money(now["loss"]),
            "cases_prev": before["cases"],
            "loss_prev": _money(before["loss"]),
        }
    target = target_for(user, year)
    period_months = [f"{day:%Y-%m}" for day in period.months() if f"{day:%Y-%m}" in rows]
    result = TargetProgress(
        year=year,
        target=target,
        period=_sum(rows, period_months, period.key),
        year_to_date=_sum(rows, list(rows), str(year)),
        months=[_sum(rows, [key], key) for key in rows],
    )
    if target is not None:
        for found in [result.period, result.year_to_date, *result.months]:
            found.cases_goal, found.loss_goal = target.cases_change, target.loss_change
    return result
