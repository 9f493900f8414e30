"""Case analysis (案件分析): cases and losses of a period by fraud type, victim age group, sex, village, month and
source, each beside the same period a year earlier, the fraud types rising fastest, and the share of victims the
door-knocking had reached before their case.

The arithmetic is pure functions over :class:`CaseFact` (one case, reduced to what the analysis needs), so that
it can be tested against hand-counted figures and reused (the assessment's reports import
:func:`analysis_rows` and :func:`case_analysis`). The selectors read the facts through the user's scope.

* A victim's age is their age in whole years **on the local date the case was reported**, from the birth date of
  their ID number (GB 11643; ``Resident.birth_date`` is derived from it). A birthday on 29 February counts as
  reached on 1 March in a common year.
* The sex is the one the ID number gives (its 17th digit; ``Resident.gender``).
* "A year earlier" is the same months one year before (2026-Q1 → 2025-Q1); a month row compares with the same
  month of the year before.
* Change is relative: ``(now − before) / before``, rounded to four places; ``None`` when "before" is 0.
* Rising fastest: the fraud types whose cases grew most in number (then in loss), only those that grew.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import periods
from core.periods import Period
from residents.models import Gender, age_on
from warnings_followup.models import FraudType

from .models import CaseSource, FraudCase

# (key, label, lowest age, first age not included); None: no upper bound.
AGE_GROUPS = (
    ("under_18", gettext_lazy("Under 18"), 0, 18),
    ("18_29", "18–29", 18, 30),
    ("30_44", "30–44", 30, 45),
    ("45_59", "45–59", 45, 60),
    ("60_plus", gettext_lazy("60 and over"), 60, None),
)
UNKNOWN = "unknown"
DIMENSIONS = ("fraud_type", "age_group", "sex", "village", "month", "source")
# What the API answers (``by=``).
API_DIMENSIONS = ("fraud_type", "age_group", "sex", "village", "month")
DIMENSION_LABELS = {
    "fraud_type": gettext_lazy("By fraud type"),
    "age_group": gettext_lazy("By victim age group"),
    "sex": gettext_lazy("By victim sex"),
    "village": gettext_lazy("By village"),
    "month": gettext_lazy("By month"),
    "source": gettext_lazy("By source"),
    "town": gettext_lazy("By town"),
}
# Shown beside DIMENSIONS to a user whose scope spans towns (a county's leadership): the village table summed.
TOWN = "town"
RISING_LIMIT = 3


class BadDimension(ValueError):
    pass


@dataclass(frozen=True)
class CaseFact:
    """One case, as the analysis counts it."""

    day: datetime.date  # the local date it was reported
    fraud_type: str
    loss: Decimal
    village_id: int
    source: str
    birth_date: datetime.date | None
    gender: str
    victim_id: int | None = None
    reached: bool = False  # the victim's household had a door visit (someone at home) before the report


@dataclass
class Row:
    key: str
    label: str
    cases: int = 0
    loss: Decimal = Decimal("0.00")
    cases_prev: int = 0
    loss_prev: Decimal = Decimal("0.00")
    cases_change: float | None = None
    loss_change: float | None = None

    def as_dict(self) -> dict:
        """For the API and the page's chart data: amounts as strings with two decimals."""
        data = asdict(self)
        data["label"] = str(self.label)
        data["loss"] = f"{self.loss:.2f}"
        data["loss_prev"] = f"{self.loss_prev:.2f}"
        return data


@dataclass
class Reach:
    """The share of victims the door-knocking reached before their case."""

    victims: int = 0
    reached: int = 0

    @property
    def share(self) -> float | None:
        return round(self.reached / self.victims, 4) if self.victims else None


@dataclass
class Analysis:
    period: Period
    previous: Period
    tables: dict[str, list[Row]] = field(default_factory=dict)
    totals: Row | None = None
    rising: list[Row] = field(default_factory=list)
    reach: Reach = field(default_factory=Reach)
    reach_prev: Reach = field(default_factory=Reach)


# --- pure arithmetic ----------------------------------------------------------------------------------------


def age_group(birth: datetime.date | None, day: datetime.date) -> str:
    """The age group key of someone born on ``birth``, on ``day``."""
    if birth is None:
        return UNKNOWN
    age = age_on(birth, day)
    for key, _label, low, high in AGE_GROUPS:
        if age >= low and (high is None or age < high):
            return key
    return UNKNOWN


def relative_change(current, previous) -> float | None:
    """``(current − previous) / previous`` rounded to four places; ``None`` when ``previous`` is 0."""
    if not previous:
        return None
    return round(float((Decimal(current) - Decimal(previous)) / Decimal(previous)), 4)


def year_earlier(period: Period) -> Period:
    """The same month, quarter or year one year before (periods start on the 1st: no 29 February to fear)."""
    return Period(
        period.kind,
        period.first_day.replace(year=period.first_day.year - 1),
        period.end_day.replace(year=period.end_day.year - 1),
    )


def key_of(fact: CaseFact, by: str, *, years_later: int = 0) -> str:
    """The row ``fact`` counts in. ``years_later``: a month of the year before is keyed as this year's."""
    if by == "fraud_type":
        return fact.fraud_type
    if by == "age_group":
        return age_group(fact.birth_date, fact.day)
    if by == "sex":
        return fact.gender or UNKNOWN
    if by == "village":
        return str(fact.village_id)
    if by == "month":
        return f"{fact.day.year + years_later:04d}-{fact.day.month:02d}"
    if by == "source":
        return fact.source
    raise BadDimension(by)


def tally(facts: Iterable[CaseFact], by: str, *, years_later: int = 0) -> dict[str, tuple[int, Decimal]]:
    """Cases and loss per row key."""
    counts: dict[str, list] = {}
    for fact in facts:
        entry = counts.setdefault(key_of(fact, by, years_later=years_later), [0, Decimal("0")])
        entry[0] += 1
        entry[1] += fact.loss
    return {key: (cases, loss) for key, (cases, loss) in counts.items()}


def _row(key: str, label: str, now: tuple[int, Decimal], before: tuple[int, Decimal]) -> Row:
    cases, loss = now
    cases_prev, loss_prev = before
    return Row(
        key=key,
        label=label,
        cases=cases,
        loss=Decimal(loss).quantize(Decimal("0.01")),
        cases_prev=cases_prev,
        loss_prev=Decimal(loss_prev).quantize(Decimal("0.01")),
        cases_change=relative_change(cases, cases_prev),
        loss_change=relative_change(loss, loss_prev),
    )


def compare(
    current: Iterable[CaseFact], previous: Iterable[CaseFact], *, by: str, keys: list[tuple[str, str]]
) -> list[Row]:
    """One row per ``(key, label)`` of ``keys`` (zeros included), then any key met in the facts but not listed."""
    now = tally(current, by)
    before = tally(previous, by, years_later=1)
    zero = (0, Decimal("0"))
    listed = [key for key, _label in keys]
    extra = sorted((set(now) | set(before)) - set(listed))
    labels = dict(keys) | {key: (_("Unknown") if key == UNKNOWN else key) for key in extra}
    return [_row(key, labels[key], now.get(key, zero), before.get(key, zero)) for key in [*listed, *extra]]


def total(current: Iterable[CaseFact], previous: Iterable[CaseFact]) -> Row:
    current, previous = list(current), list(previous)
    return _row(
        "total",
        _("Total"),
        (len(current), sum((fact.loss for fact in current), Decimal("0"))),
        (len(previous), sum((fact.loss for fact in previous), Decimal("0"))),
    )


def rising_fastest(rows: Iterable[Row], limit: int = RISING_LIMIT) -> list[Row]:
    """The rows whose cases grew most in number (then in loss) against a year earlier; only rows that grew."""
    grew = [row for row in rows if row.cases > row.cases_prev]
    grew.sort(key=lambda row: (row.cases - row.cases_prev, row.loss - row.loss_prev), reverse=True)
    return grew[:limit]


def reach(facts: Iterable[CaseFact]) -> Reach:
    """Distinct victims, and those among them reached by door-knocking before (any of) their case(s)."""
    victims: dict[int, bool] = {}
    for fact in facts:
        if fact.victim_id is not None:
            victims[fact.victim_id] = victims.get(fact.victim_id, False) or fact.reached
    return Reach(victims=len(victims), reached=sum(victims.values()))


# --- reading the facts (scoped) -------------------------------------------------------------------------------


def default_period(today: datetime.date | None = None) -> Period:
    """The last complete month."""
    today = today or timezone.localdate()
    return periods.month(today.replace(day=1) - datetime.timedelta(days=1))


def case_facts(*, user, period: Period) -> list[CaseFact]:
    """The cases of ``period`` in ``user``'s scope, as facts (one query)."""
    from campaigns.models import DoorVisit

    reached = DoorVisit.objects.filter(
        household_id=OuterRef("victim__household_id"), someone_home=True, visited_at__lt=OuterRef("reported_at")
    )
    rows = (
        FraudCase.objects.for_user(user)
        .reported_between(period.start, period.end)
        .annotate(reached=Exists(reached))
        .order_by()
        .values_list(
            "reported_at",
            "fraud_type",
            "loss_amount",
            "village_id",
            "source",
            "victim__birth_date",
            "victim__gender",
            "victim_id",
            "reached",
        )
    )
    return [
        CaseFact(
            day=timezone.localtime(reported_at).date(),
            fraud_type=fraud_type,
            loss=loss,
            village_id=village_id,
            source=source,
            birth_date=birth_date,
            gender=gender,
            victim_id=victim_id,
            reached=bool(was_reached),
        )
        for reported_at, fraud_type, loss, village_id, source, birth_date, gender, victim_id, was_reached in rows
    ]


def _villages(user) -> list[tuple[str, str]]:
    from organization.selectors import villages_for_user

    return [(str(village.pk), village.name) for village in villages_for_user(user=user)]


def row_keys(*, user, period: Period, by: str) -> list[tuple[str, str]]:
    """The rows a table always shows (zeros included), in order, with their labels."""
    if by == "fraud_type":
        return [(str(value), str(label)) for value, label in FraudType.choices]
    if by == "age_group":
        return [(key, str(label)) for key, label, _low, _high in AGE_GROUPS]
    if by == "sex":
        return [(str(value), str(label)) for value, label in Gender.choices]
    if by == "village":
        return _villages(user)
    if by == "month":
        return [(f"{day:%Y-%m}", f"{day:%Y-%m}") for day in period.months()]
    if by == "source":
        return [(str(value), str(label)) for value, label in CaseSource.choices]
    raise BadDimension(by)


def analysis_rows(*, user, period: Period, by: str) -> list[Row]:
    """One table of the analysis (``by`` one of :data:`DIMENSIONS`), in ``user``'s scope."""
    if by not in DIMENSIONS:
        raise BadDimension(by)
    current = case_facts(user=user, period=period)
    previous = case_facts(user=user, period=year_earlier(period))
    return compare(current, previous, by=by, keys=row_keys(user=user, period=period, by=by))


def spans_towns(user) -> bool:
    """Does ``user``'s scope reach above one town (a county, or everything)? No query."""
    from organization.access import EVERYTHING, scope_roots
    from organization.models import UnitKind

    roots = scope_roots(user)
    return roots is EVERYTHING or any(root.kind == UnitKind.COUNTY for root in roots)


def town_rows(village_rows: list[Row], *, user) -> list[Row]:
    """The village table summed per town (the towns compared, as a village is within a town): one query."""
    from organization.selectors import villages_for_user

    town_of = {str(v.pk): v.parent for v in villages_for_user(user=user).select_related("parent") if v.parent_id}
    sums: dict[int, list] = {}
    for row in village_rows:
        town = town_of.get(row.key)
        if town is None:
            continue
        entry = sums.setdefault(town.pk, [town, 0, Decimal("0"), 0, Decimal("0")])
        entry[1] += row.cases
        entry[2] += row.loss
        entry[3] += row.cases_prev
        entry[4] += row.loss_prev
    ordered = sorted(sums.values(), key=lambda entry: entry[0].code)
    return [
        _row(str(town.pk), town.name, (cases, loss), (prev, loss_prev))
        for town, cases, loss, prev, loss_prev in ordered
    ]


def table_dimensions(result: Analysis) -> list[str]:
    """The tables of ``result`` in the page's order: DIMENSIONS, then the towns when they are compared."""
    return [by for by in (*DIMENSIONS, TOWN) if by in result.tables]


def case_analysis(*, user, period: Period) -> Analysis:
    """Every table of the analysis page (two queries of facts, one of the villages)."""
    previous_period = year_earlier(period)
    current = case_facts(user=user, period=period)
    previous = case_facts(user=user, period=previous_period)
    result = Analysis(period=period, previous=previous_period)
    for by in DIMENSIONS:
        result.tables[by] = compare(current, previous, by=by, keys=row_keys(user=user, period=period, by=by))
    if spans_towns(user):
        result.tables[TOWN] = town_rows(result.tables["village"], user=user)
    result.totals = total(current, previous)
    result.rising = rising_fastest(result.tables["fraud_type"])
    result.reach = reach(current)
    result.reach_prev = reach(previous)
    return result
