"""Scale generator, fraud cases: a year of cases at the demo's rate, and a case for every warning defrauded.

The demo registers 104 cases in a year for 4,736 residents (:data:`CASES_PER_1000_A_YEAR`); each village gets
that rate over the last 365 days, with the demo's fraud types, sources, losses and recoveries, the victims drawn
among its residents never warned. Every generated warning that ended in fraud gets its case (预后被骗), linked
to it, on the day of the fraud. Case numbers are ``AJ-SCALE-<village>-<n>`` and ``AJ-SCALE-W-<warning>``, so a
re-run adds only what is missing. The
indicators' cached figures are dropped at the end (``assessment.figures.invalidate_all``).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from demo.fraud_cases import FRAUD_TYPE_WEIGHTS, SOURCE_WEIGHTS, _loss, _pick, _recovered
from demo.scale import ScaleRun, VillagePlan, aware, copy_rows
from demo.scale.warnings_followup import PREFIX as WARNING_PREFIX
from fraud_cases.models import CaseSource, FraudCase
from residents.models import Resident
from warnings_followup.models import WarningOrder, WarningStatus

PREFIX = "AJ-SCALE-"
CASES_PER_1000_A_YEAR = 104 / 4736 * 1000
COLUMNS = (
    "case_number",
    "reported_at",
    "victim_id",
    "village_id",
    "fraud_type",
    "loss_amount",
    "recovered_amount",
    "source",
    "warning_id",
    "registered_by_id",
    "created_at",
    "updated_at",
    "prosecution_stage",  # the outcomes (破案, 诉讼) are recorded later: none yet
)


def target(residents: int) -> int:
    return round(residents * CASES_PER_1000_A_YEAR / 1000)


def _ordinary(run: ScaleRun, village: VillagePlan, police_id, present: set[str]) -> list[tuple]:
    unit = village.unit
    wanted = target(Resident.objects.filter(village=unit).count())
    numbers = [f"{PREFIX}{unit.code}-{n + 1:05d}" for n in range(wanted)]
    if all(number in present for number in numbers):
        return []
    warned = WarningOrder.objects.filter(village=unit).values("person_id")
    victims = list(
        Resident.objects.filter(village=unit, household__isnull=False)
        .exclude(pk__in=warned)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    random.Random(f"scale/{run.seed}/victims/{unit.code}").shuffle(victims)
    rows = []
    for n, number in enumerate(numbers):
        if number in present or n >= len(victims):
            continue
        rng = run.rng("case", unit.code, n)
        reported_at = min(
            aware(run.today - datetime.timedelta(days=rng.randrange(365)), rng.randint(7 * 60, 22 * 60)), run.now
        )
        loss = _loss(rng)
        rows.append(
            (
                number,
                reported_at,
                victims[n],
                unit.pk,
                _pick(rng, FRAUD_TYPE_WEIGHTS),
                loss,
                _recovered(rng, loss),
                _pick(rng, SOURCE_WEIGHTS).value,
                None,
                police_id,
                reported_at,
                reported_at,
                "",
            )
        )
    return rows


def _warned(run: ScaleRun, village: VillagePlan, police_id) -> list[tuple]:
    rows = []
    defrauded = WarningOrder.objects.filter(
        village=village.unit,
        external_id__startswith=WARNING_PREFIX,
        status=WarningStatus.DEFRAUDED,
        fraud_cases__isnull=True,
    ).order_by("pk")
    for warning in defrauded.only(
        "pk", "external_id", "person_id", "fraud_type", "loss_amount", "defrauded_on", "pushed_at"
    ):
        day = warning.defrauded_on or timezone.localdate(warning.pushed_at)
        reported_at = min(max(aware(day, 16 * 60 + 20), warning.pushed_at + datetime.timedelta(hours=1)), run.now)
        rows.append(
            (
                f"{PREFIX}W-{warning.external_id.removeprefix(WARNING_PREFIX)}",
                reported_at,
                warning.person_id,
                village.unit.pk,
                warning.fraud_type,
                warning.loss_amount or 0,
                0,
                CaseSource.DISPATCH_110.value,
                warning.pk,
                police_id,
                reported_at,
                reported_at,
                "",
            )
        )
    return rows


def scale(run: ScaleRun) -> dict[str, int]:
    present = set(FraudCase.objects.filter(case_number__startswith=PREFIX).values_list("case_number", flat=True))
    ordinary = warned = 0
    for town in run.plan:
        for village in town.villages:
            rows = _ordinary(run, village, town.police_user_id, present)
            linked = _warned(run, village, town.police_user_id)
            with transaction.atomic():
                copy_rows(FraudCase._meta.db_table, COLUMNS, [*rows, *linked])
            ordinary += len(rows)
            warned += len(linked)
    # COPY sends no signal: the indicators' cached figures (warnings, visits, door visits and these cases,
    # all written before this step) are dropped at once.
    from assessment.figures import invalidate_all

    invalidate_all()
    return {"created_fraud_cases": ordinary, "created_defrauded_after_warning": warned}
