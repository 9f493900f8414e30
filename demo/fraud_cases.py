"""Demo fraud cases: a year of cases (December 2025 to November 2026) over the eight demo villages.

Some villages clearly have more cases than others (per 10,000 people too), losses range from a few
hundred yuan to a few hundred thousand, some money is recovered. The victims are registry residents
never warned, picked by a seeded ``random.Random`` in ``pk`` order; besides them, every demo warning
that ended in fraud, and a few warnings closed or dissuaded before a later fraud, get their case
(预后被骗), registered after the warning so the registry links them. Open demo warnings are never used,
so the warnings demo keeps its work queue.

Everything goes through ``services.fraud_case_register`` as the demo police user. Case numbers are fixed
(``AJ-DEMO-...``), so a re-run creates nothing; a case dated after "now" waits for a later run.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from demo.organization import TOWN, VILLAGES
from fraud_cases.models import CaseSource, FraudCase
from fraud_cases.services import fraud_case_register, warning_before
from fraud_cases.starter_cases import typical_cases_seed_starter
from organization.models import Unit, UnitKind, User
from residents.models import Resident
from warnings_followup.models import OPEN_STATUSES, FraudType, WarningOrder, WarningStatus

SEED = "luocun-fraud-cases-2026"
CASE_PREFIX = "AJ-DEMO-"
POLICE_USERNAME = "police"
FIRST_MONTH = (2025, 12)
MONTHS = 12
# Cases in the year per village (by code suffix): 下柏村 and 北湖村 clearly above the town's rate.
CASES_PER_VILLAGE = {"001": 17, "002": 8, "003": 24, "004": 7, "005": 12, "006": 5, "007": 20, "008": 9}
# Relative weight of each month (December 2025 .. November 2026): more around the Spring Festival and summer.
MONTH_WEIGHTS = (1.1, 1.0, 1.4, 1.0, 0.8, 0.9, 1.0, 1.2, 1.1, 0.9, 0.8, 1.0)
FRAUD_TYPE_WEIGHTS = {
    FraudType.REBATE_TASK: 24,
    FraudType.INVESTMENT: 18,
    FraudType.IMPERSONATE_SERVICE: 14,
    FraudType.LOAN: 11,
    FraudType.IMPERSONATE_POLICE: 8,
    FraudType.DATING: 7,
    FraudType.GAME_TRADING: 6,
    FraudType.CREDIT_REPORT: 5,
    FraudType.IMPERSONATE_LEADER: 4,
    FraudType.OTHER: 3,
}
SOURCE_WEIGHTS = {CaseSource.DISPATCH_110: 6, CaseSource.PLATFORM: 3, CaseSource.OTHER: 1}
# Warnings that ended before a later fraud: (days after the push, number of such demo warnings).
LATER_FRAUD_DAYS = 24
LATER_FRAUD_STATUSES = (WarningStatus.CLOSED, WarningStatus.DISSUADED, WarningStatus.RELEASED)
LATER_FRAUD_COUNT = 2


def _month(index: int) -> tuple[int, int]:
    year, month = FIRST_MONTH
    month += index
    return year + (month - 1) // 12, (month - 1) % 12 + 1


def _days_in(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


def _loss(rng: random.Random) -> Decimal:
    band = rng.random()
    if band < 0.4:
        amount = rng.uniform(300, 5000)
    elif band < 0.85:
        amount = rng.uniform(5000, 50000)
    else:
        amount = rng.uniform(50000, 480000)
    return Decimal(round(amount)).quantize(Decimal("0.01"))


def _recovered(rng: random.Random, loss: Decimal) -> Decimal:
    if rng.random() >= 0.22:
        return Decimal("0.00")
    return (loss * Decimal(rng.randint(10, 80)) / 100).quantize(Decimal("0.01"))


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _planned_cases(villages: dict[str, Unit]) -> list[dict]:
    """Every ordinary demo case (whatever the date today), in a fixed order from a fixed seed."""
    rng = random.Random(SEED)
    warned = set(WarningOrder.objects.values_list("person_id", flat=True))
    planned = []
    for suffix, _name, _population, _grids in VILLAGES:
        village = villages.get(TOWN[0] + suffix)
        if village is None:
            continue
        residents = [
            pk
            for pk in Resident.objects.filter(village=village, household__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
            if pk not in warned
        ]
        village_rng = random.Random(f"{SEED}-{suffix}")
        village_rng.shuffle(residents)
        for number in range(CASES_PER_VILLAGE.get(suffix, 0)):
            index = rng.choices(range(MONTHS), weights=MONTH_WEIGHTS)[0]
            year, month = _month(index)
            day = rng.randint(1, _days_in(year, month))
            moment = datetime.datetime(year, month, day, rng.randint(7, 22), rng.choice((0, 10, 20, 30, 40, 50)))
            loss = _loss(rng)
            planned.append(
                {
                    "case_number": f"{CASE_PREFIX}{suffix}-{year % 100:02d}{month:02d}-{number + 1:02d}",
                    "reported_at": timezone.make_aware(moment),
                    "village": village,
                    "victim_pk": residents[number] if number < len(residents) else None,
                    "fraud_type": _pick(rng, FRAUD_TYPE_WEIGHTS),
                    "loss_amount": loss,
                    "recovered_amount": _recovered(rng, loss),
                    "source": _pick(rng, SOURCE_WEIGHTS),
                }
            )
    return planned


def _warned_cases() -> list[dict]:
    """The cases of demo warnings that ended in fraud, and of a few closed or dissuaded before a later fraud."""
    planned = []
    demo = WarningOrder.objects.filter(external_id__startswith="YJ-DEMO-").select_related("village").order_by("pk")
    for warning in demo.filter(status=WarningStatus.DEFRAUDED):
        day = warning.defrauded_on or timezone.localtime(warning.pushed_at).date()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 20)))
        planned.append(_warned(warning, max(moment, warning.pushed_at + datetime.timedelta(hours=1)), "D"))
    later = demo.filter(status__in=LATER_FRAUD_STATUSES)[:LATER_FRAUD_COUNT]
    for warning in later:
        planned.append(_warned(warning, warning.pushed_at + datetime.timedelta(days=LATER_FRAUD_DAYS), "L"))
    return planned


def _warned(warning: WarningOrder, reported_at: datetime.datetime, kind: str) -> dict:
    loss = warning.loss_amount if warning.loss_amount else Decimal("26800.00")
    return {
        "case_number": f"{CASE_PREFIX}W{kind}-{warning.external_id.removeprefix('YJ-DEMO-')}",
        "reported_at": reported_at,
        "village": warning.village,
        "victim_pk": warning.person_id,
        "fraud_type": warning.fraud_type,
        "loss_amount": loss,
        "recovered_amount": Decimal("0.00"),
        "source": CaseSource.DISPATCH_110,
        "warning_pk": warning.pk,
    }


def _would_move_an_open_warning(victim: Resident, item: dict) -> bool:
    """Would registering this case link another, open warning (a later warning of the same person)?"""
    if "warning_pk" not in item:
        return False
    linked = warning_before(victim=victim, reported_at=item["reported_at"])
    return linked is None or linked.pk != item["warning_pk"] or linked.status in OPEN_STATUSES


def seed() -> dict:
    """Add the demo fraud cases (idempotent by case number). Returns counts."""
    police = User.objects.filter(username=POLICE_USERNAME, is_active=True).first()
    villages = {
        unit.code: unit
        for unit in Unit.objects.filter(code__in=[TOWN[0] + row[0] for row in VILLAGES], kind=UnitKind.VILLAGE)
    }
    if police is None or not villages:
        return {"fraud_cases": 0, "created_fraud_cases": 0}
    now = timezone.now()
    existing = set(FraudCase.objects.filter(case_number__startswith=CASE_PREFIX).values_list("case_number", flat=True))
    planned = [*_planned_cases(villages), *_warned_cases()]
    victims = Resident.objects.in_bulk([item["victim_pk"] for item in planned if item["victim_pk"]])
    created = 0
    for item in planned:
        victim = victims.get(item.pop("victim_pk"))
        if item["case_number"] in existing or victim is None or item["reported_at"] > now:
            continue
        if _would_move_an_open_warning(victim, item):
            continue
        item.pop("warning_pk", None)
        _case, was_created = fraud_case_register(
            actor=police, victim_name=victim.name, id_number=victim.id_number, phone=victim.phone, **item
        )
        created += int(was_created)
    demo = FraudCase.objects.filter(case_number__startswith=CASE_PREFIX)
    return {
        "fraud_cases": demo.count(),
        "defrauded_after_warning": demo.filter(warning__isnull=False).count(),
        "created_fraud_cases": created,
    }


def seed_typical_cases() -> dict:
    """The starter set of typical cases (``fraud_cases.starter_cases``), written by the demo police user in the demo
    town (nothing when there is none)."""
    police = User.objects.filter(username=POLICE_USERNAME, is_active=True, unit__isnull=False).first()
    if police is None:
        return {"typical_cases": 0, "created_typical_cases": 0}
    return typical_cases_seed_starter(actor=police)
