"""Scale generator, warnings (预警劝阻): a year of warnings at the demo's rate, with their follow-up visits.

The demo pushes 28 warnings over about a month for 4,736 residents (:data:`WARNINGS_PER_1000_A_MONTH`); at scale
each village gets that rate over the last :data:`MONTHS` months. Each warning follows the plan's course as the
demo scripts do: acknowledged and first dissuaded by the police within hours, visited in person every
``VISIT_INTERVAL_DAYS`` (mostly in person, some by phone) while its ``FOLLOW_UP_MONTHS`` window lasts, most
dissuaded (some of them released), a few defrauded or closed early by the police with a reason; those whose window
ended are closed as the window-end task closes them. ``next_visit_due`` and ``first_team_contact_at`` are what
the services would have stored. Instruction numbers are ``YJ-SCALE-<village>-<n>``, so a re-run adds only the
missing ones. Warnings carry no encrypted field; stop-payment accounts and escalation contacts are not generated.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.rules import add_months, rule
from demo.fraud_cases import FRAUD_TYPE_WEIGHTS
from demo.scale import ScaleRun, VillagePlan, aware, copy_rows, reserve_ids
from demo.warnings_followup import (
    CASES,
    JOINT_FIRST,
    PHONE_FIRST,
    VISIT_NOTES_AT_RISK,
    VISIT_NOTES_PHONE,
    VISIT_NOTES_SAFE,
)
from residents.models import Resident
from warnings_followup.models import CloseReason, FollowUpVisit, WarningOrder, WarningStatus

PREFIX = "YJ-SCALE-"
WARNINGS_PER_1000_A_MONTH = 28 / 4736 * 1000  # the demo: 28 warnings in one window, 4,736 residents
MONTHS = 12
DEFRAUDED, CLOSED_EARLY, UNDECIDED = 0.04, 0.03, 0.12  # the rest is dissuaded (some released)
RELEASED_SHARE = 0.45
EARLY_REASONS = (CloseReason.MOVED_AWAY, CloseReason.DECEASED, CloseReason.DUPLICATE_PUSH, CloseReason.OTHER)
CLOSE_NOTES = {
    CloseReason.MOVED_AWAY: "本人已迁往外地长期居住，由当地派出所跟进。",
    CloseReason.DECEASED: "本人已病故，经核实后结案。",
    CloseReason.DUPLICATE_PUSH: "与同一人此前预警重复推送。",
    CloseReason.OTHER: "已移交相关部门处理。",
}
WARNING_COLUMNS = (
    "id",
    "external_id",
    "person_id",
    "village_id",
    "address",
    "fraud_type",
    "risk_level",
    "summary",
    "status",
    "pushed_at",
    "pushed_by_id",
    "window_ends",
    "next_visit_due",
    "acknowledged_at",
    "acknowledged_by_id",
    "first_dissuasion_at",
    "first_dissuasion_by_id",
    "first_dissuasion_method",
    "first_dissuasion_result",
    "first_team_contact_at",
    "dissuaded_at",
    "defrauded_on",
    "loss_amount",
    "closed_at",
    "close_reason",
    "created_at",
    "updated_at",
)
VISIT_COLUMNS = (
    "id",
    "warning_id",
    "client_id",
    "visited_at",
    "method",
    "understands_risk",
    "still_in_contact",
    "new_transfer_attempts",
    "app_installed",
    "relatives_informed",
    "at_risk",
    "notes",
    "recorded_by_id",
    "created_at",
    "anchor_day",  # the on-time clock each in-person visit answered (FollowUpVisit.anchor_day)
)


def target(residents: int) -> int:
    return round(residents * WARNINGS_PER_1000_A_MONTH * MONTHS / 1000)


def _summaries() -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for case in CASES:
        by_type.setdefault(case.fraud_type, []).append(case.summary)
    return by_type


def _moment(rng, day: datetime.date, start_hour: int, end_hour: int, now: datetime.datetime) -> datetime.datetime:
    return min(aware(day, rng.randint(start_hour * 60, end_hour * 60)), now)


def _warning(run: ScaleRun, village: VillagePlan, number: int, people: list, summaries, police_id, team_id):
    """One warning (a row) and its visits (rows without ids), drawn from the run's seed."""
    rng = run.rng("warning", village.unit.code, number)
    now, today = run.now, run.today
    interval, window_months = rule("VISIT_INTERVAL_DAYS"), rule("FOLLOW_UP_MONTHS")
    person_id, person_address = rng.choice(people)
    push_day = today - datetime.timedelta(days=rng.randrange(MONTHS * 30 + 5))
    pushed_at = _moment(rng, push_day, 8, 21, now)
    push_day = timezone.localdate(pushed_at)
    window_ends = add_months(push_day, window_months)
    fraud_type = rng.choices(list(FRAUD_TYPE_WEIGHTS), weights=list(FRAUD_TYPE_WEIGHTS.values()))[0]
    risk = rng.choices(("high", "medium", "low"), weights=(45, 40, 15))[0]
    summary = rng.choice(summaries.get(fraud_type) or summaries["investment"])
    hours_old = (now - pushed_at).total_seconds() / 3600
    acknowledged_at = first_at = None
    if rng.random() < (0.95 if hours_old > 6 else 0.5):
        acknowledged_at = min(pushed_at + datetime.timedelta(minutes=rng.randint(10, 150)), now)
    method = rng.choices(("phone", "in_person", "joint"), weights=(70, 15, 15))[0]
    if rng.random() < (0.96 if hours_old > 24 else 0.6):
        first_at = min(pushed_at + datetime.timedelta(minutes=rng.randint(15, 180)), now)

    draw = rng.random()
    outcome = (
        "defrauded"
        if draw < DEFRAUDED
        else "closed"
        if draw < DEFRAUDED + CLOSED_EARLY
        else "undecided"
        if draw < DEFRAUDED + CLOSED_EARLY + UNDECIDED
        else "dissuaded"
    )
    end_day = rng.randint(3, 20)  # the outcome's day after the push
    outcome_day = push_day + datetime.timedelta(days=end_day)
    if outcome != "undecided" and outcome_day > today:
        outcome = "undecided"
    released = outcome == "dissuaded" and rng.random() < RELEASED_SHARE and outcome_day < today
    stop_day = outcome_day if outcome in ("defrauded", "closed") else window_ends
    last_day = min(today, stop_day, window_ends)

    visits = []
    day = push_day
    while acknowledged_at is not None and day <= last_day:
        at = _moment(rng, day, 9, 20, now)
        if at >= acknowledged_at:
            in_person = rng.random() < 0.88
            settled = outcome == "dissuaded" and day >= outcome_day
            at_risk = rng.random() < (0.03 if settled else 0.35)
            notes = rng.choice(VISIT_NOTES_AT_RISK if at_risk else VISIT_NOTES_SAFE if in_person else VISIT_NOTES_PHONE)
            visits.append(
                [
                    run.uuid("visit", village.unit.code, number, len(visits)),
                    at,
                    "in_person" if in_person else "phone",
                    not at_risk,
                    at_risk and rng.random() < 0.5,
                    at_risk and rng.random() < 0.2,
                    (not at_risk) and rng.random() < 0.7,
                    (not at_risk) and rng.random() < 0.6,
                    at_risk,
                    notes,
                    team_id,
                    at,
                ]
            )
        day += datetime.timedelta(days=interval + (1 if rng.random() < 0.15 else 0))

    anchor = push_day
    for visit in visits:  # in time order: each in-person visit answers the clock set by the one before
        visit.append(anchor if visit[2] == "in_person" else None)
        if visit[2] == "in_person":
            anchor = timezone.localdate(visit[1])
    in_person = [visit[1] for visit in visits if visit[2] == "in_person"]
    status, dissuaded_at, defrauded_on, loss, closed_at, close_reason = (
        (WarningStatus.FOLLOWING_UP if acknowledged_at else WarningStatus.PUSHED),
        None,
        None,
        None,
        None,
        "",
    )
    if outcome == "defrauded":
        status, defrauded_on = WarningStatus.DEFRAUDED, outcome_day
        loss = Decimal(rng.randint(300, 200_000)).quantize(Decimal("0.01"))
    elif outcome == "closed":
        status, close_reason = WarningStatus.CLOSED, rng.choice(EARLY_REASONS)
        closed_at = _moment(rng, outcome_day, 9, 17, now)
    elif outcome == "dissuaded":
        dissuaded_at = _moment(rng, outcome_day, 15, 18, now)
        status = WarningStatus.RELEASED if released else WarningStatus.DISSUADED
    if window_ends < today and status in (WarningStatus.DISSUADED, WarningStatus.RELEASED):
        status, close_reason = WarningStatus.CLOSED, CloseReason.WINDOW_ENDED
        closed_at = aware(window_ends + datetime.timedelta(days=1), 30)
    elif window_ends < today and status in (WarningStatus.PUSHED, WarningStatus.FOLLOWING_UP):
        # Undecided when the window ended: the police closed it after a last check.
        status, close_reason = WarningStatus.CLOSED, CloseReason.OTHER
        closed_at = aware(window_ends + datetime.timedelta(days=rng.randint(1, 5)), 10 * 60)
    following = status in (
        WarningStatus.PUSHED,
        WarningStatus.FOLLOWING_UP,
        WarningStatus.DISSUADED,
        WarningStatus.RELEASED,
    )
    next_due = None
    if following and window_ends >= today:
        start = timezone.localdate(in_person[-1]) if in_person else push_day
        next_due = start + datetime.timedelta(days=interval)
    updated = max([pushed_at, *(v[1] for v in visits), *(m for m in (dissuaded_at, closed_at) if m)])
    row = [
        None,  # id, set by the caller
        f"{PREFIX}{village.unit.code}-{number + 1:05d}",
        person_id,
        village.unit.pk,
        person_address or "",
        fraud_type,
        risk,
        summary,
        status.value if hasattr(status, "value") else status,
        pushed_at,
        police_id,
        window_ends,
        next_due,
        acknowledged_at,
        team_id if acknowledged_at else None,
        first_at,
        police_id if first_at else None,
        method if first_at else "",
        (JOINT_FIRST if method == "joint" else PHONE_FIRST) if first_at else "",
        in_person[0] if in_person else None,
        dissuaded_at,
        defrauded_on,
        loss,
        closed_at,
        close_reason.value if hasattr(close_reason, "value") else close_reason,
        pushed_at,
        updated,
    ]
    return row, visits


def fill_village(run: ScaleRun, village: VillagePlan, police_id: int | None, summaries) -> tuple[int, int]:
    unit = village.unit
    prefix = f"{PREFIX}{unit.code}-"
    have = WarningOrder.objects.filter(external_id__startswith=prefix).count()
    residents = Resident.objects.filter(village=unit).count()
    wanted = target(residents)
    if have >= wanted:
        return 0, 0
    adult_born = run.today.replace(year=run.today.year - 16)
    people = list(
        Resident.objects.filter(village=unit, household__isnull=False, birth_date__lte=adult_born)
        .order_by("pk")
        .values_list("pk", "household__address")
    )
    if not people:
        return 0, 0
    numbers_present = set(
        WarningOrder.objects.filter(external_id__startswith=prefix).values_list("external_id", flat=True)
    )
    warnings, visits = [], []
    for number in range(wanted):
        if f"{prefix}{number + 1:05d}" in numbers_present:
            continue
        row, its_visits = _warning(run, village, number, people, summaries, police_id, village.team_user_id)
        warnings.append(row)
        visits.append(its_visits)
    warning_ids = reserve_ids(WarningOrder._meta.db_table, len(warnings))
    visit_rows = []
    for warning_id, row, its_visits in zip(warning_ids, warnings, visits, strict=True):
        row[0] = warning_id
        visit_rows.extend([warning_id, *visit] for visit in its_visits)
    visit_ids = reserve_ids(FollowUpVisit._meta.db_table, len(visit_rows))
    for visit_id, visit in zip(visit_ids, visit_rows, strict=True):
        visit.insert(0, visit_id)
    through = FollowUpVisit.visitors.through._meta.db_table
    with transaction.atomic():
        copy_rows(WarningOrder._meta.db_table, WARNING_COLUMNS, warnings)
        copy_rows(FollowUpVisit._meta.db_table, VISIT_COLUMNS, visit_rows)
        if village.team_user_id:
            copy_rows(
                through,
                ("followupvisit_id", "user_id"),
                ((visit[0], village.team_user_id) for visit in visit_rows),
            )
    return len(warnings), len(visit_rows)


def scale(run: ScaleRun) -> dict[str, int]:
    summaries = _summaries()
    created = visits = 0
    for town in run.plan:
        for village in town.villages:
            w, v = fill_village(run, village, town.police_user_id, summaries)
            created += w
            visits += v
    return {"created_warnings": created, "created_visits": visits}
