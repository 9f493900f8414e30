"""Scale generator, door-knocking (敲门行动): visits and pledges over the last ten weeks, as the demo draws them.

Each village reaches its share of households (the demo's ``COVERAGE_TARGETS`` for its eight villages, a share
between 20 % and 85 % drawn per village elsewhere); a reached household was sometimes first found empty, an
unreached one sometimes has a not-at-home visit; 35 % installed the app; 70 % of the adults of a reached
household signed the pledge (the demo's shared signature image). Only the generator's own households (its
flat addresses) are visited, those with no visit yet, so a re-run adds nothing and the demo's households keep
their demo visits. The visitor is the village's demo team account when it has one. The coverage counters of
every planned village are recounted at the end.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection, transaction
from django.utils import timezone

from campaigns.counters import coverage_recount
from campaigns.models import DoorVisit, Pledge, PledgeMethod
from demo.campaigns import (
    ADULT_AGE,
    APP_INSTALLED,
    COVERAGE_TARGETS,
    FRAUD_TYPES,
    NOT_AT_HOME_FIRST,
    NOT_AT_HOME_ONLY,
    NOTES,
    PAPER_PHOTO,
    PLEDGE_SIGNED,
    WEEKS,
    _signature_name,
)
from demo.residents import REFERENCE_DATE
from demo.scale import ScaleRun, VillagePlan, copy_rows, reserve_ids
from residents.models import Household, Resident

SYNTHETIC_ADDRESS_END = "房"  # demo.scale.residents's flats; the demo's addresses end with 号
VISIT_COLUMNS = (
    "id",
    "client_id",
    "household_id",
    "visited_at",
    "someone_home",
    "gave_letter",
    "gave_contact_card",
    "gave_pledge_form",
    "fraud_types_explained",
    "app_installed",
    "notes",
    "recorded_by_id",
    "created_at",
)
PLEDGE_COLUMNS = (
    "client_id",
    "resident_id",
    "visit_id",
    "signed_at",
    "method",
    "image",
    "collected_by_id",
    "created_at",
)


def _coverage(run: ScaleRun, village: VillagePlan, is_demo_town: bool) -> float:
    suffix = village.unit.code[-3:]
    if is_demo_town and suffix in COVERAGE_TARGETS:
        return COVERAGE_TARGETS[suffix]
    return run.rng("coverage", village.unit.code).uniform(0.2, 0.85)


def _when(rng, now: datetime.datetime, *, min_days: float = 0.0) -> datetime.datetime:
    days = rng.uniform(min_days, WEEKS * 7 - 1)
    local = timezone.localtime(now) - datetime.timedelta(days=days)
    moment = local.replace(hour=rng.randint(9, 19), minute=rng.randrange(60), second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=30))


def fill_village(run: ScaleRun, village: VillagePlan, is_demo_town: bool, image: str) -> tuple[int, int]:
    unit, now, team = village.unit, run.now, village.team_user_id
    households = list(
        Household.objects.filter(village=unit, address__endswith=SYNTHETIC_ADDRESS_END, door_visits__isnull=True)
        .order_by("pk")
        .values_list("pk", "address")
    )
    if not households:
        return 0, 0
    cutoff = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - ADULT_AGE)
    adults: dict[int, list[int]] = {}
    for pk, household_id in (
        Resident.objects.filter(village=unit, birth_date__lte=cutoff, pledge__isnull=True, household__isnull=False)
        .order_by("household_id", "pk")
        .values_list("pk", "household_id")
    ):
        adults.setdefault(household_id, []).append(pk)
    target = _coverage(run, village, is_demo_town)
    visits, pledges = [], []

    def visit(household_id, address, kind, moment, *, home, installed, rng):
        visits.append(
            [
                run.uuid("door", unit.code, address, kind),
                household_id,
                moment,
                home,
                True,
                True,
                home,
                json.dumps(rng.sample(FRAUD_TYPES, k=rng.randint(2, 4)) if home else [], ensure_ascii=False),
                installed and home,
                rng.choice(NOTES) if home else "家中无人，已在门口留下宣传资料。",
                team,
                moment,
            ]
        )
        return visits[-1]

    for household_id, address in households:
        rng = run.rng("door", unit.code, address)
        reached_draw, empty_first, empty_only, installed = rng.random(), rng.random(), rng.random(), rng.random()
        reached_at = _when(rng, now)
        empty_at = _when(rng, now, min_days=(timezone.localtime(now) - reached_at).days + 1)
        if reached_draw < target:
            if empty_first < NOT_AT_HOME_FIRST and empty_at < reached_at:
                visit(household_id, address, "empty", empty_at, home=False, installed=False, rng=rng)
            row = visit(
                household_id, address, "reached", reached_at, home=True, installed=installed < APP_INSTALLED, rng=rng
            )
            for resident_id in adults.get(household_id, []):
                signs, paper, minutes = rng.random(), rng.random(), rng.randint(3, 25)
                if signs < PLEDGE_SIGNED:
                    method = PledgeMethod.PAPER_PHOTO if paper < PAPER_PHOTO else PledgeMethod.SIGNED_ON_PHONE
                    moment = reached_at + datetime.timedelta(minutes=minutes)
                    pledges.append(
                        [run.uuid("pledge", resident_id), resident_id, row, moment, method.value, image, team, moment]
                    )
        elif empty_only < NOT_AT_HOME_ONLY:
            visit(household_id, address, "empty", reached_at, home=False, installed=False, rng=rng)

    ids = reserve_ids(DoorVisit._meta.db_table, len(visits))
    for visit_id, row in zip(ids, visits, strict=True):
        row.insert(0, visit_id)
    for pledge in pledges:
        pledge[2] = pledge[2][0]  # the visit's id
    with transaction.atomic():
        copy_rows(DoorVisit._meta.db_table, VISIT_COLUMNS, visits)
        if team:
            copy_rows(
                DoorVisit.visitors.through._meta.db_table, ("doorvisit_id", "user_id"), ((v[0], team) for v in visits)
            )
        copy_rows(Pledge._meta.db_table, PLEDGE_COLUMNS, pledges)
    return len(visits), len(pledges)


def scale(run: ScaleRun) -> dict[str, int]:
    """Visits and pledges, then the coverage counters of every planned village recounted (COPY bypasses the
    services that keep them, here and in ``demo.scale.residents``)."""
    image = _signature_name()
    visits = pledges = 0
    for town in run.plan:
        for village in town.villages:
            v, p = fill_village(run, village, town.is_demo, image)
            visits += v
            pledges += p
    # The recount joins households with their first door visit: without fresh statistics on the tables COPY
    # just filled, the planner scans every visit for every household (minutes at 300 k residents).
    with connection.cursor() as cursor:
        for model in (Household, Resident, DoorVisit, Pledge):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    recounted = coverage_recount(village_ids=[village.unit.pk for town in run.plan for village in town.villages])
    return {
        "created_door_visits": visits,
        "created_pledges": pledges,
        "coverage_counters_corrected": len(recounted.cells) + len(recounted.weeks),
    }
