"""Indicators, composite score and rank of every village in a period (绩效考评), computed in the database.

One row per village the user may see. A fixed number of grouped queries, whatever the number of villages,
cases, warnings and visits:

* **cases**, **loss**, **defrauded after warning**: fraud cases reported in the period (local time), their
  loss, and those linked to a warning pushed before the fraud (预后被骗).
* **cases per 10,000** = cases / registered population × 10,000, two decimals (no population: none).
* **door-visit coverage** = households visited / households, as of the end of the period (``campaigns``).
* **on-time follow-up rate** and **dissuasion rate**: the warning KPIs (``warnings_followup.kpis``) over the
  warnings pushed in the period.
* **inspection score**: the mean score of the village's inspections in the period.
* **not educated**: callbacks of the period's draws that found a victim not educated.

**Composite score** (0–100): each indicator is turned into a 0–1 "how well": rates as they are, the
inspection score / 100, and for the counts where less is better (cases per 10,000, loss, defrauded after
warning, not educated) 1 − value / the highest value among the villages (1 when all are 0). The score is the
weighted mean (weights: :class:`~assessment.models.IndicatorWeights`) over the indicators the village has
(a rate with nothing to measure is left out, not counted as 0), × 100. Villages are ranked by score, ties share
a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.periods import Period
from organization.access import units_visible_to
from organization.models import Unit, UnitKind
from warnings_followup import kpis
from warnings_followup.models import Warning

from .models import Callback, IndicatorWeights, Inspection

TWO = Decimal("0.01")
ONE = Decimal("0.1")
LOWER_IS_BETTER = ("cases_per_10k", "loss", "defrauded_after_warning", "not_educated")


def per_10k(cases: int, population: int | None) -> Decimal | None:
    if not population:
        return None
    return (Decimal(cases) * 10000 / Decimal(population)).quantize(TWO, rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class VillageIndicators:
    unit: Unit
    population: int | None = None
    cases: int = 0
    loss: Decimal = Decimal("0")
    defrauded_after_warning: int = 0
    households: int | None = None
    households_visited: int | None = None
    on_time: int = 0
    due: int = 0
    dissuaded: int = 0
    decided: int = 0
    inspection_score: Decimal | None = None
    inspections: int = 0
    not_educated: int = 0
    score: Decimal | None = None
    rank: int | None = None
    band: str = ""  # green / amber / red
    parts: dict = field(default_factory=dict)

    @property
    def cases_per_10k(self) -> Decimal | None:
        return per_10k(self.cases, self.population)

    @property
    def coverage_rate(self) -> float | None:
        return rate(self.households_visited or 0, self.households or 0)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.due)

    @property
    def dissuasion_rate(self) -> float | None:
        return rate(self.dissuaded, self.decided)


@dataclass
class IndicatorReport:
    period: Period
    rows: list[VillageIndicators]
    weights: IndicatorWeights

    @property
    def total_cases(self) -> int:
        return sum(row.cases for row in self.rows)

    @property
    def total_loss(self) -> Decimal:
        return sum((row.loss for row in self.rows), Decimal("0"))

    @property
    def total_population(self) -> int:
        return sum(row.population or 0 for row in self.rows)

    @property
    def total_defrauded_after_warning(self) -> int:
        return sum(row.defrauded_after_warning for row in self.rows)

    @property
    def total_not_educated(self) -> int:
        return sum(row.not_educated for row in self.rows)

    @property
    def cases_per_10k(self) -> Decimal | None:
        return per_10k(self.total_cases, self.total_population)

    @property
    def coverage_rate(self) -> float | None:
        return rate(sum(r.households_visited or 0 for r in self.rows), sum(r.households or 0 for r in self.rows))

    @property
    def on_time_rate(self) -> float | None:
        return rate(sum(r.on_time for r in self.rows), sum(r.due for r in self.rows))

    @property
    def dissuasion_rate(self) -> float | None:
        return rate(sum(r.dissuaded for r in self.rows), sum(r.decided for r in self.rows))


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def villages_for(user) -> QuerySet:
    return units_visible_to(user).filter(kind=UnitKind.VILLAGE, is_active=True).order_by("code")


def cases_for(user) -> QuerySet:
    from fraud_cases.models import FraudCase

    return FraudCase.objects.for_user(user)


def coverage_for(villages: list[Unit], as_of: datetime.datetime) -> dict[int, tuple[int, int]]:
    """{village id: (households, households visited)} as of ``as_of``, from the door-knocking coverage."""
    from campaigns.coverage import coverage_by_unit

    found = coverage_by_unit(villages, as_of=as_of)
    return {pk: (c.households, c.households_visited) for pk, c in found.items()}


def _case_rows(user, period: Period, village_ids) -> dict[int, dict]:
    rows = (
        cases_for(user)
        .filter(reported_at__gte=period.start, reported_at__lt=period.end, village_id__in=village_ids)
        .order_by()
        .values("village_id")
        .annotate(
            cases=Count("pk"), loss=Sum("loss_amount"), after_warning=Count("pk", filter=Q(warning__isnull=False))
        )
    )
    return {row["village_id"]: row for row in rows}


def _inspection_rows(user, period: Period, village_ids) -> dict[int, dict]:
    rows = (
        Inspection.objects.for_user(user)
        .filter(unit_id__in=village_ids, inspected_on__gte=period.first_day, inspected_on__lt=period.end_day)
        .order_by()
        .values("unit_id")
        .annotate(mean=Avg("score"), n=Count("pk"))
    )
    return {row["unit_id"]: row for row in rows}


def _not_educated_rows(user, period: Period, village_ids) -> dict[int, int]:
    rows = (
        Callback.objects.for_user(user)
        .not_educated()
        .filter(village_id__in=village_ids, draw__month__gte=period.first_day, draw__month__lt=period.end_day)
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
    )
    return {row["village_id"]: row["n"] for row in rows}


def _warning_rows(user, period: Period, today: datetime.date):
    warnings = Warning.objects.for_user(user).filter(pushed_at__gte=period.start, pushed_at__lt=period.end)
    return kpis.status_rows(warnings, today), kpis.visit_rows(warnings)


def _quantize_score(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def score_rows(rows: list[VillageIndicators], weights: IndicatorWeights) -> None:
    """Composite score, band and rank, in place (see the module's docstring)."""
    w = weights.as_dict()
    highest = {
        "cases_per_10k": max((r.cases_per_10k or 0 for r in rows), default=0),
        "loss": max((r.loss for r in rows), default=0),
        "defrauded_after_warning": max((r.defrauded_after_warning for r in rows), default=0),
        "not_educated": max((r.not_educated for r in rows), default=0),
    }
    for row in rows:
        parts: dict[str, Decimal] = {}
        for name in LOWER_IS_BETTER:
            value = getattr(row, name)
            if value is None:
                continue
            top = Decimal(highest[name])
            parts[name] = Decimal(1) - Decimal(value) / top if top else Decimal(1)
        for name in ("coverage_rate", "on_time_rate", "dissuasion_rate"):
            value = getattr(row, name)
            if value is not None:
                parts[name] = Decimal(str(value))
        if row.inspection_score is not None:
            parts["inspection_score"] = Decimal(row.inspection_score) / 100
        total_weight = sum((w[name] for name in parts), Decimal(0))
        row.parts = parts
        if total_weight:
            row.score = _quantize_score(
                sum((w[name] * part for name, part in parts.items()), Decimal(0)) * 100 / total_weight
            )
        else:
            row.score = None
        if row.score is None:
            row.band = ""
        elif row.score >= weights.green_from:
            row.band = "green"
        elif row.score >= weights.amber_from:
            row.band = "amber"
        else:
            row.band = "red"
    ordered = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0)))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.score is None:
            row.rank = None
            continue
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank


def indicator_report(
    *, user, period: Period, today: datetime.date | None = None, villages: list[Unit] | None = None
) -> IndicatorReport:
    """The indicators of the villages ``user`` may see (or of ``villages``, already scoped) in ``period``."""
    today = today or timezone.localdate()
    villages = list(villages if villages is not None else villages_for(user))
    ids = [v.pk for v in villages]
    cases = _case_rows(user, period, ids)
    inspections = _inspection_rows(user, period, ids)
    not_educated = _not_educated_rows(user, period, ids)
    status_rows, visit_rows = _warning_rows(user, period, today)
    coverage = coverage_for(villages, as_of=min(period.end, timezone.now())) if villages else {}
    rows = []
    for village in villages:
        row = VillageIndicators(unit=village, population=village.population)
        if village.pk in cases:
            found = cases[village.pk]
            row.cases, row.loss = found["cases"], Decimal(found["loss"] or 0)
            row.defrauded_after_warning = found["after_warning"]
        if village.pk in inspections:
            mean = inspections[village.pk]["mean"]
            row.inspection_score = _quantize_score(Decimal(str(mean))) if mean is not None else None
            row.inspections = inspections[village.pk]["n"]
        row.not_educated = not_educated.get(village.pk, 0)
        if village.pk in coverage:
            row.households, row.households_visited = coverage[village.pk]
        kpi = status_rows.get(village.pk)
        due, on_time = visit_rows.get(village.pk, (0, 0))
        row.due, row.on_time = due + (kpi.missed_now if kpi else 0), on_time
        if kpi:
            row.dissuaded, row.decided = kpi.dissuaded, kpi.decided
        rows.append(row)
    weights = IndicatorWeights.current()
    score_rows(rows, weights)
    return IndicatorReport(period=period, rows=rows, weights=weights)


def monthly_trend(*, user, months: list[Period], village: Unit | None = None) -> list[dict]:
    """Cases and losses per month (one grouped query), oldest first: [{"month": "2026-01", "cases", "loss"}]."""
    cases = cases_for(user).filter(reported_at__gte=months[0].start, reported_at__lt=months[-1].end)
    if village is not None:
        cases = cases.filter(village=village)
    grouped = {
        timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime.datetime) else row["month"]: row
        for row in cases.order_by()
        .annotate(month=TruncMonth("reported_at", tzinfo=local_tz()))
        .values("month")
        .annotate(n=Count("pk"), loss=Sum("loss_amount"))
    }
    result = []
    for period in months:
        row = grouped.get(period.first_day)
        result.append(
            {"month": period.key, "cases": row["n"] if row else 0, "loss": float(row["loss"] or 0) if row else 0.0}
        )
    return result


def monthly_rates(*, user, months: list[Period], villages: list[Unit]) -> dict[int, dict[datetime.date, int]]:
    """Cases per village and month over ``months`` (one grouped query): {village id: {first day: cases}}."""
    rows = (
        cases_for(user)
        .filter(reported_at__gte=months[0].start, reported_at__lt=months[-1].end, village__in=villages)
        .order_by()
        .annotate(month=TruncMonth("reported_at", tzinfo=local_tz()))
        .values("village_id", "month")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[datetime.date, int]] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date()
        result.setdefault(row["village_id"], {})[month] = row["n"]
    return result
