"""Indicators, composite score, rank and band of every village in a period (绩效考评), computed in the database.

The plan (罗办发〔2023〕12号, 四(三)) names the main indicators: supervision inspections, fraud cases, losses, cases
per 10,000 people and people defrauded after a warning. A fixed number of grouped queries, whatever the number
of villages, cases, warnings and visits:

* **cases**, **loss**, **defrauded after warning**: fraud cases reported in the period (local time), their
  loss, and those linked to a warning pushed before the fraud (预后被骗). Counts of what the police registered:
  0 is a value.
* **cases per 10,000** = cases / registered population × 10,000, two decimals (no population: missing).
* **door-visit coverage** = households visited / households, as of the end of the period (``campaigns``);
  missing when the village has no registered household.
* **on-time follow-up rate** and **dissuasion rate**: the warning KPIs (``warnings_followup.kpis``) over the
  warnings pushed in the period; missing when no visit was due / no warning was decided.
* **inspection score**: the mean score of the village's inspections in the period; missing without one.
* **not educated**: callbacks of the period's draws that found a victim not educated; missing when no callback
  of the period reached a victim of the village.

**Missing is not perfect.** A missing indicator shows as "—" (null in the API) and is never counted as the best
value. **Composite score** (0–100): each indicator is turned into a 0–1 "how well": rates as they are, the
inspection score / 100, and for the counts where less is better (cases per 10,000, loss, defrauded after
warning, not educated) 1 − value / the highest value among the villages (1 when all are 0). The score is the
weighted mean (weights: :class:`~assessment.models.IndicatorWeights`) over every indicator that at least one
village of the ranking has, a village's missing indicator counting 0 (it earns nothing for what its records do
not show); the score is then *partial* and ``missing`` names the indicators it lacks. An indicator no village
has is left out for all. Villages are ranked by score, ties share a rank (1, 2, 2, 4).

**Bands**: green from ``green_from``, amber from ``amber_from``, red below — but a village whose door-visit
coverage is below ``GREEN_MIN_COVERAGE_PERCENT`` (or unknown) is amber at best (:func:`band_for`, the one place).

**Rank among the town.** The figures are computed over every active village of the towns of the villages the
user may see (the ranking), and only the rows of the villages the user may see are returned: a village head
gets one row, with its rank among all the town's villages (``ranked_of``), never another village's figures.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import periods
from core.periods import Period
from core.rules import rule
from organization.access import sees_everything_in_town, units_visible_to
from organization.models import Unit, UnitKind
from publicity.selectors import village_activity_counts

from .figures import (
    ACTIVITY_VERSION,
    COVERAGE_VERSION,
    OVERSIGHT_VERSION,
    by_month,
    epoch,
    live,
    period_figures,
    scope_key,
    user_scope_key,
)
from .figures import coverage as cached_coverage
from .models import IndicatorWeights

TWO = Decimal("0.01")
ONE = Decimal("0.1")
LOWER_IS_BETTER = ("cases_per_10k", "loss", "defrauded_after_warning", "not_educated")
RATES = ("coverage_rate", "on_time_rate", "dissuasion_rate")
LABELS = {
    "cases_per_10k": _("Cases per 10,000"),
    "loss": _("Loss (¥)"),
    "defrauded_after_warning": _("Defrauded after warning"),
    "coverage_rate": _("Door-visit coverage"),
    "on_time_rate": _("On-time follow-up"),
    "dissuasion_rate": _("Dissuasion rate"),
    "inspection_score": _("Inspection score"),
    "not_educated": _("Callbacks: not educated"),
}
GREEN, AMBER, RED = "green", "amber", "red"


def default_period(today: datetime.date | None = None) -> Period:
    """The period shown when none is asked for: the last complete month (on 2026-12-05, 2026-11)."""
    return periods.current_month(today or timezone.localdate()).previous()


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
    callbacks_reached: int = 0  # callbacks of the period's draws done with the victim reached
    publicity_activities: int = 0  # the village's own publicity activities (五(三)): shown, not weighted
    score: Decimal | None = None
    rank: int | None = None
    ranked_of: int = 0  # villages ranked in the town (the rank is among them)
    band: str = ""  # green / amber / red ("" without a score)
    capped: bool = False  # the score alone would be green, the door-visit coverage keeps it amber
    missing: list[str] = field(default_factory=list)  # weighted indicators the village has no data for
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

    @property
    def not_educated_known(self) -> int | None:
        """Callbacks that found the victim not educated; None when no callback reached a victim (missing)."""
        return self.not_educated if self.callbacks_reached else None

    def indicator(self, name: str):
        """The value of indicator ``name``, or None when the village has no data for it (missing)."""
        if name == "not_educated":
            return self.not_educated_known
        return getattr(self, name)

    @property
    def partial(self) -> bool:
        return bool(self.missing)

    @property
    def missing_labels(self) -> list[str]:
        return [str(LABELS[name]) for name in self.missing]


@dataclass
class IndicatorReport:
    period: Period
    rows: list[VillageIndicators]
    weights: IndicatorWeights
    ranked_of: int = 0  # villages ranked (the whole town's, even when ``rows`` is one village)

    @property
    def green_min_coverage(self) -> int:
        """Below this door-visit coverage (percent) a village cannot be green."""
        return rule("GREEN_MIN_COVERAGE_PERCENT")

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
    def total_publicity_activities(self) -> int:
        return sum(row.publicity_activities for row in self.rows)

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


def ranking_villages(villages: list[Unit]) -> list[Unit]:
    """Every active village of the towns (the parents) of ``villages``: the villages a rank is among. One query
    (none when ``villages`` is empty). Used for the comparison only: callers return the rows of ``villages``."""
    if not villages:
        return []
    parents = {v.path[: len(v.path) - len(v.code) - 1] for v in villages}
    within = Q()
    for path in parents:
        within |= Q(path__startswith=path)
    return list(Unit.objects.filter(within, kind=UnitKind.VILLAGE, is_active=True).order_by("code"))


def coverage_for(villages: list[Unit], as_of: datetime.datetime | None) -> dict[int, tuple[int, int]]:
    """{village id: (households, households visited)} as of ``as_of`` (None: now), from the door-knocking
    coverage."""
    from campaigns.coverage import coverage_by_unit

    found = coverage_by_unit(villages, as_of=as_of)
    return {pk: (c.households, c.households_visited) for pk, c in found.items()}


def _quantize_score(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def band_for(score: Decimal | None, row: VillageIndicators, weights: IndicatorWeights) -> tuple[str, bool]:
    """(band, capped): green / amber / red by the score; a village whose door-visit coverage is below
    ``GREEN_MIN_COVERAGE_PERCENT`` (or unknown: no registered household) cannot be green (amber, capped)."""
    if score is None:
        return "", False
    if score >= weights.green_from:
        minimum = rule("GREEN_MIN_COVERAGE_PERCENT")
        households, visited = row.households or 0, row.households_visited or 0
        if not households or visited * 100 < minimum * households:
            return AMBER, True
        return GREEN, False
    if score >= weights.amber_from:
        return AMBER, False
    return RED, False


def score_rows(rows: list[VillageIndicators], weights: IndicatorWeights) -> None:
    """Composite score, band and rank, in place (see the module's docstring)."""
    w = weights.as_dict()
    values = [{name: row.indicator(name) for name in w} for row in rows]
    measured = [name for name in w if w[name] and any(v[name] is not None for v in values)]
    highest = {
        name: max((v[name] for v in values if v[name] is not None), default=0)
        for name in LOWER_IS_BETTER
        if name in measured
    }
    total_weight = sum((w[name] for name in measured), Decimal(0))
    for row, found in zip(rows, values, strict=True):
        parts: dict[str, Decimal] = {}
        row.missing = [name for name in measured if found[name] is None]
        for name in measured:
            value = found[name]
            if value is None:
                parts[name] = Decimal(0)  # missing: never the best value
            elif name in LOWER_IS_BETTER:
                top = Decimal(highest[name])
                parts[name] = Decimal(1) - Decimal(value) / top if top else Decimal(1)
            elif name in RATES:
                parts[name] = Decimal(str(value))
            else:  # inspection score, 0–100
                parts[name] = Decimal(value) / 100
        row.parts = parts
        if total_weight:
            row.score = _quantize_score(
                sum((w[name] * part for name, part in parts.items()), Decimal(0)) * 100 / total_weight
            )
        else:
            row.score = None
        row.band, row.capped = band_for(row.score, row, weights)
    ordered = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0)))
    previous, rank = None, 0
    ranked = sum(1 for row in rows if row.score is not None)
    for position, row in enumerate(ordered, start=1):
        row.ranked_of = ranked
        if row.score is None:
            row.rank = None
            continue
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank


# What a report depends on besides the live version (cases, warnings, visits, callbacks, inspections) and today:
# units and weights (the assessment app's records), the coverage counters now and publicity (activity), the
# coverage of a closed period.
REPORT_VERSIONS = (OVERSIGHT_VERSION, ACTIVITY_VERSION, COVERAGE_VERSION)


def indicator_report(
    *, user, period: Period, today: datetime.date | None = None, villages: list[Unit] | None = None
) -> IndicatorReport:
    """The indicators of the villages ``user`` may see (or of ``villages``, already scoped) in ``period``,
    scored and ranked among every village of their towns (:func:`ranking_villages`).

    Cached whole (``figures.live``) under the user's scope (or the villages given), the period, the plan's rules,
    today and the versions of every record it reads: a warm report costs the epoch and two cache reads."""
    today = today or timezone.localdate()
    where = user_scope_key(user) if villages is None else "villages:" + scope_key(villages)
    rules = f"{rule('VISIT_INTERVAL_DAYS')}:{rule('FOLLOW_UP_MONTHS')}:{rule('GREEN_MIN_COVERAGE_PERCENT')}"
    token = epoch()
    return live(
        "indicators",
        [where, period.key, rules],
        lambda: _indicator_report(user=user, period=period, today=today, villages=villages, token=token),
        today=today,
        token=token,
        also=REPORT_VERSIONS,
    )


def _indicator_report(
    *, user, period: Period, today: datetime.date, villages: list[Unit] | None, token: str | None = None
) -> IndicatorReport:
    shown = list(villages if villages is not None else villages_for(user))
    shown_ids = {v.pk for v in shown}
    if villages is None and sees_everything_in_town(user):
        ranking = shown  # already every village of the town
    else:
        ranking = ranking_villages(shown)
        ranking += [v for v in shown if v.pk not in {r.pk for r in ranking}]  # an inactive village asked for
    now = timezone.now()
    token = (token or epoch()) if ranking else ""
    figures = period_figures(period, ranking, today, token=token) if ranking else {}
    coverage = cached_coverage(ranking, as_of=min(period.end, now), now=now, token=token) if ranking else {}
    publicity = village_activity_counts(
        village_ids=[v.pk for v in ranking], start=period.first_day, end=period.last_day
    )
    rows = []
    for village in ranking:
        row = VillageIndicators(unit=village, population=village.population)
        row.publicity_activities = publicity.get(village.pk, 0)
        found = figures.get(village.pk)
        if found is not None:
            row.cases, row.loss, row.defrauded_after_warning = found.cases, found.loss, found.after_warning
            if found.inspections:
                row.inspection_score = _quantize_score(found.inspection_sum / found.inspections)
                row.inspections = found.inspections
            row.callbacks_reached, row.not_educated = found.callbacks_reached, found.not_educated
            row.due, row.on_time = found.visits_due + found.missed_now, found.visits_on_time
            row.dissuaded, row.decided = found.dissuaded, found.decided
        if village.pk in coverage:
            row.households, row.households_visited = coverage[village.pk]
        rows.append(row)
    default, own = weights_by_town(ranking)
    groups: dict[str, list[VillageIndicators]] = {}
    for row in rows:  # each town's villages are ranked among themselves, with the town's weights
        groups.setdefault(_parent_path(row.unit), []).append(row)
    weights = default
    for path, group in groups.items():
        weights = _weights_for(path, own, default)
        score_rows(group, weights)
    if len(groups) > 1:
        weights = default
    ranked_of = max((r.ranked_of for r in rows if r.unit.pk in shown_ids), default=rows[0].ranked_of if rows else 0)
    return IndicatorReport(
        period=period, rows=[r for r in rows if r.unit.pk in shown_ids], weights=weights, ranked_of=ranked_of
    )


def _parent_path(unit: Unit) -> str:
    return unit.path[: len(unit.path) - len(unit.code) - 1]


def weights_by_town(units: list[Unit]) -> tuple[IndicatorWeights, dict[str, IndicatorWeights]]:
    """The installation's weights and {town or county path: the weights it set (``TownSettings``)} for the
    towns and counties above ``units``: one query."""
    codes = {code for unit in units for code in unit.path.strip("/").split("/")[:-1]}
    found = (
        IndicatorWeights.objects.filter(Q(is_active=True) | Q(town_settings__unit__code__in=codes))
        .annotate(own=F("town_settings__unit__path"))
        .order_by("-updated_at", "-pk")
    )
    default, own = None, {}
    for weights in found:
        if weights.is_active and default is None:
            default = weights
        if weights.own and weights.own.strip("/").split("/")[-1] in codes:
            own[weights.own] = weights
    return default or IndicatorWeights(name="default"), own


def _weights_for(path: str, own: dict[str, IndicatorWeights], default: IndicatorWeights) -> IndicatorWeights:
    """The weights of the town at ``path``: its own, else the nearest county's above it, else ``default``."""
    for found in sorted(own, key=len, reverse=True):
        if path.startswith(found):
            return own[found]
    return default


def towns_for(user) -> QuerySet:
    return units_visible_to(user).filter(kind=UnitKind.TOWN, is_active=True).order_by("code")


def ranking_towns(towns: list[Unit]) -> list[Unit]:
    """Every active town of the counties of ``towns`` (a town without a county: itself): the towns a rank is
    among."""
    parents = {_parent_path(t) for t in towns if t.parent_id}
    within = Q(pk__in=[t.pk for t in towns])
    for path in parents:
        within |= Q(path__startswith=path)
    return list(Unit.objects.filter(within, kind=UnitKind.TOWN, is_active=True).order_by("code")) if towns else []


def _sum_or_none(values) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def town_report(
    *, user, period: Period, today: datetime.date | None = None, towns: list[Unit] | None = None
) -> IndicatorReport:
    """The towns ``user`` may see (or ``towns``, already scoped) as rows, as a village is within a town: each
    town's figures are its villages' summed, scored with the county's weights and ranked among the towns of its
    county. ``population`` is the town's registered population (its villages' sum when not set)."""
    shown = list(towns if towns is not None else towns_for(user))
    shown_ids = {t.pk for t in shown}
    ranking = ranking_towns(shown)
    villages = (
        list(
            Unit.objects.filter(
                reduce_or(Q(path__startswith=t.path) for t in ranking), kind=UnitKind.VILLAGE, is_active=True
            ).order_by("code")
        )
        if ranking
        else []
    )
    by_village = indicator_report(user=user, period=period, today=today, villages=villages).rows if villages else []
    rows = []
    for town in ranking:
        own = [r for r in by_village if r.unit.path.startswith(town.path)]
        row = VillageIndicators(unit=town)
        row.population = town.population or _sum_or_none(r.population for r in own)
        for name in ("cases", "defrauded_after_warning", "on_time", "due", "dissuaded", "decided", "inspections"):
            setattr(row, name, sum(getattr(r, name) for r in own))
        row.not_educated = sum(r.not_educated for r in own)
        row.callbacks_reached = sum(r.callbacks_reached for r in own)
        row.publicity_activities = sum(r.publicity_activities for r in own)
        row.loss = sum((r.loss for r in own), Decimal("0"))
        row.households = _sum_or_none(r.households for r in own)
        row.households_visited = _sum_or_none(r.households_visited for r in own)
        if row.inspections:
            total = sum((r.inspection_score * r.inspections for r in own if r.inspection_score is not None), Decimal(0))
            row.inspection_score = _quantize_score(total / row.inspections)
        rows.append(row)
    default, own_weights = weights_by_town(ranking)
    parents = {_parent_path(t) for t in ranking}
    weights = _weights_for(parents.pop(), own_weights, default) if len(parents) == 1 else default
    score_rows(rows, weights)
    ranked_of = rows[0].ranked_of if rows else 0
    return IndicatorReport(
        period=period, rows=[r for r in rows if r.unit.pk in shown_ids], weights=weights, ranked_of=ranked_of
    )


def reduce_or(conditions) -> Q:
    result = Q()
    for condition in conditions:
        result |= condition
    return result


def _in_months(months: list[Period]) -> Q:
    return reduce_or(Q(reported_at__gte=m.start, reported_at__lt=m.end) for m in months)


def _month_of(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def monthly_trend(*, user, months: list[Period], village: Unit | None = None) -> list[dict]:
    """Cases and losses per month, oldest first: [{"month": "2026-01", "cases", "loss"}]. Closed months from the
    cache (``figures.by_month``), the others in one grouped query bounded to them."""

    def compute(missing: list[Period]) -> dict:
        cases = cases_for(user).filter(_in_months(missing))
        if village is not None:
            cases = cases.filter(village=village)
        found = {m.first_day: (0, 0.0) for m in missing}
        for row in (
            cases.order_by()
            .annotate(month=TruncMonth("reported_at", tzinfo=local_tz()))
            .values("month")
            .annotate(n=Count("pk"), loss=Sum("loss_amount"))
        ):
            found[_month_of(row["month"])] = (row["n"], float(row["loss"] or 0))
        return found

    parts = ["trend", user_scope_key(user), village.pk if village is not None else ""]
    found = by_month("trend", months, parts, compute)
    return [{"month": m.key, "cases": found[m.first_day][0], "loss": found[m.first_day][1]} for m in months]


def monthly_rates(*, user, months: list[Period], villages: list[Unit]) -> dict[int, dict[datetime.date, int]]:
    """Cases per village and month over ``months``: {village id: {first day: cases}} (closed months cached, as
    :func:`monthly_trend`)."""

    def compute(missing: list[Period]) -> dict:
        found: dict[datetime.date, dict[int, int]] = {m.first_day: {} for m in missing}
        rows = (
            cases_for(user)
            .filter(_in_months(missing), village__in=villages)
            .order_by()
            .annotate(month=TruncMonth("reported_at", tzinfo=local_tz()))
            .values("village_id", "month")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            found[_month_of(row["month"])][row["village_id"]] = row["n"]
        return found

    by_day = by_month("rates", months, [user_scope_key(user), scope_key(villages)], compute)
    result: dict[int, dict[datetime.date, int]] = {}
    for day, counts in by_day.items():
        for pk, n in counts.items():
            result.setdefault(pk, {})[day] = n
    return result
