"""Reads of the year-end nominations (评选先进集体和个人, 四(三)): the candidates of each kind, computed from the
records with the figures that justify them, and the nominations already recorded. Scoped, a fixed number of
queries whatever the number of units and people.

* villages: their indicator score and rank in the town (``assessment.indicators``);
* departments: publicity activities logged against the required ones, work tasks done;
* schools: staff coverage by the year's staff education sessions, micro-classes, students' and staff's cases;
* police stations: warnings pushed in their jurisdiction, first dissuasions on time, cases solved;
* grid workers, dissuasion team and other village team members: on-time visits and dissuasions
  (``selectors.worker_nominations``);
* teachers and school staff: education sessions recorded; officers: first dissuasions made (and on time).

Writes in ``services`` (``nomination_propose``, ``nomination_decide``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from core import periods
from organization.access import units_visible_to
from organization.models import Role, Unit, UnitKind, User
from warnings_followup import kpis
from warnings_followup.models import WarningOrder

from . import indicators, selectors
from .models import (
    COLLECTIVE_CATEGORIES,
    INDIVIDUAL_CATEGORIES,
    Nomination,
    NominationCategory,
    NominationKind,
    figure_rows,
)

C = NominationCategory
LIMIT = 10  # candidates shown per category

IN_TIME = "dissuaded_in_time"  # the police's first dissuasion within FIRST_DISSUASION_HOURS (warnings' KPIs)


@dataclass
class Candidate:
    """One unit or person the records put forward, with the figures that justify them."""

    category: str
    unit: Unit
    figures: dict
    person: User | None = None
    nomination: Nomination | None = None
    sort_key: tuple = field(default=(), repr=False)

    @property
    def kind(self) -> str:
        return NominationKind.INDIVIDUAL if self.person is not None else NominationKind.COLLECTIVE

    @property
    def name(self) -> str:
        return str(self.person) if self.person is not None else self.unit.name

    @property
    def key(self) -> tuple:
        return ("person", self.person.pk) if self.person is not None else ("unit", self.unit.pk)

    def figure_rows(self) -> list[tuple[str, object]]:
        return figure_rows(self.figures)


def year_period(value, today: datetime.date | None = None) -> periods.Period:
    """``value`` ("2026") as a year; anything else: this year."""
    today = today or timezone.localdate()
    text = str(value or "").strip()
    if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= today.year + 1:
        return periods.parse_period(text)
    return periods.parse_period(str(today.year))


def _percent(value: float | None):
    return None if value is None else round(value * 100, 1)


def _number(value):
    """A figure as JSON keeps it: Decimals as text, floats rounded."""
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return round(value, 1)
    return str(value)


def _figures(**values) -> dict:
    return {key: _number(value) for key, value in values.items()}


# --- collectives --------------------------------------------------------------------------------------------


def village_candidates(*, user, period: periods.Period) -> list[Candidate]:
    report = indicators.indicator_report(user=user, period=period)
    rows = sorted((r for r in report.rows if r.rank), key=lambda r: (r.rank, r.unit.code))
    return [
        Candidate(
            category=C.VILLAGE,
            unit=r.unit,
            figures=_figures(
                rank=r.rank,
                score=r.score,
                cases=r.cases,
                cases_per_10k=r.cases_per_10k,
                coverage_percent=_percent(r.coverage_rate),
                on_time_percent=_percent(r.on_time_rate),
                dissuasion_percent=_percent(r.dissuasion_rate),
            ),
            sort_key=(r.rank,),
        )
        for r in rows
    ]


def _units(user, kind: str) -> list[Unit]:
    return list(units_visible_to(user).filter(kind=kind, is_active=True).order_by("path"))


def department_candidates(*, user, period: periods.Period) -> list[Candidate]:
    from publicity.models import TaskStatus, WorkTask
    from publicity.selectors import department_activity_summary

    departments = _units(user, UnitKind.DEPARTMENT)
    if not departments:
        return []
    summaries = department_activity_summary(period.first_day, period.last_day, departments)
    tasks = {
        row["plan__unit_id"]: row
        for row in WorkTask.objects.filter(plan__unit__in=departments, plan__year=period.first_day.year)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by()
        .values("plan__unit_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)))
    }
    result = []
    for summary in summaries:
        task = tasks.get(summary.unit.pk, {})
        done, total = task.get("done", 0), task.get("total", 0)
        if not (summary.done or done):
            continue
        result.append(
            Candidate(
                category=C.DEPARTMENT,
                unit=summary.unit,
                figures=_figures(
                    activities_done=summary.done,
                    activities_required=summary.required,
                    tasks_done=done,
                    tasks_total=total,
                ),
                sort_key=(-(summary.completion or 0), -summary.done, -done),
            )
        )
    return result


def school_candidates(*, user, period: periods.Period) -> list[Candidate]:
    from education.models import EducationSession, SessionKind
    from education.staff import SchoolCase, StaffMember

    schools = _units(user, UnitKind.SCHOOL)
    if not schools:
        return []
    in_year = Q(held_on__gte=period.first_day, held_on__lte=period.last_day)
    sessions = {
        row["school_id"]: row
        for row in EducationSession.objects.filter(in_year, school__in=schools)
        .order_by()
        .values("school_id")
        .annotate(
            staff=Count("pk", filter=Q(kind=SessionKind.STAFF)),
            micro=Count("pk", filter=Q(kind=SessionKind.MICRO_CLASS)),
        )
    }
    attended = Q(
        attendance__session__kind=SessionKind.STAFF,
        attendance__session__held_on__gte=period.first_day,
        attendance__session__held_on__lte=period.last_day,
    )
    staff = {
        row["school_id"]: row
        for row in StaffMember.objects.filter(school__in=schools, is_active=True)
        .order_by()
        .values("school_id")
        .annotate(total=Count("pk", distinct=True), covered=Count("pk", filter=attended, distinct=True))
    }
    cases = dict(
        SchoolCase.objects.filter(
            school__in=schools, case__reported_at__gte=period.start, case__reported_at__lt=period.end
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    result = []
    for school in schools:
        held = sessions.get(school.pk, {})
        roster = staff.get(school.pk, {})
        total, covered = roster.get("total", 0), roster.get("covered", 0)
        if not (held or total):
            continue
        coverage = covered / total if total else None
        n_cases = cases.get(school.pk, 0)
        result.append(
            Candidate(
                category=C.SCHOOL,
                unit=school,
                figures=_figures(
                    staff_total=total,
                    staff_covered_percent=_percent(coverage),
                    staff_sessions=held.get("staff", 0),
                    micro_classes=held.get("micro", 0),
                    school_cases=n_cases,
                ),
                sort_key=(n_cases, -(coverage or 0), -held.get("micro", 0), -held.get("staff", 0)),
            )
        )
    return result


def station_candidates(*, user, period: periods.Period) -> list[Candidate]:
    """A police station's jurisdiction is the town it sits in: the warnings pushed to its villages, their first
    dissuasions, the cases solved there."""
    from fraud_cases.models import FraudCase

    stations = [s for s in _units(user, UnitKind.POLICE_STATION) if s.parent_id]
    if not stations:
        return []
    towns = {s.parent_id for s in stations}
    warnings = {
        row["village__parent_id"]: row
        for row in WarningOrder.objects.for_user(user)
        .filter(village__parent_id__in=towns, pushed_at__gte=period.start, pushed_at__lt=period.end)
        .order_by()
        .values("village__parent_id")
        .annotate(pushed=Count("pk"), **kpis.speed_aggregates(IN_TIME))
    }
    solved = dict(
        FraudCase.objects.for_user(user)
        .filter(village__parent_id__in=towns, solved_on__gte=period.first_day, solved_on__lte=period.last_day)
        .order_by()
        .values("village__parent_id")
        .annotate(n=Count("pk"))
        .values_list("village__parent_id", "n")
    )
    result = []
    for station in stations:
        row = warnings.get(station.parent_id, {})
        pushed, n_solved = row.get("pushed", 0), solved.get(station.parent_id, 0)
        if not (pushed or n_solved):
            continue
        on_time, judged = row.get(IN_TIME, 0), row.get(f"{IN_TIME}_of", 0)
        result.append(
            Candidate(
                category=C.POLICE_STATION,
                unit=station,
                figures=_figures(
                    warnings_pushed=pushed,
                    first_dissuasions_on_time=on_time,
                    first_dissuasions_judged=judged,
                    cases_solved=n_solved,
                ),
                sort_key=(-(on_time / judged if judged else 0), -n_solved, -pushed),
            )
        )
    return result


# --- individuals ---------------------------------------------------------------------------------------------


def _people(ids) -> dict[int, User]:
    """The people, with their unit and roles (two queries)."""
    return {
        person.pk: person
        for person in User.objects.filter(pk__in=list(ids), is_active=True, unit__isnull=False)
        .select_related("unit")
        .prefetch_related("roles")
    }


def _roles(person: User) -> set[str]:
    return {role.role for role in person.roles.all()}


def _team_category(roles: set[str]) -> str | None:
    if Role.GRID_WORKER in roles:
        return C.GRID_WORKER
    if Role.DISSUASION_TEAM in roles:
        return C.DISSUASION_TEAM
    if roles & {Role.VILLAGE_HEAD, Role.POLICE_ASSISTANT, Role.VOLUNTEER}:
        return C.VILLAGE_TEAM
    return None


def worker_candidates(*, user, period: periods.Period) -> list[Candidate]:
    """Grid workers, dissuasion team and other village team members by on-time visits and dissuasions."""
    workers = selectors.worker_nominations(user=user, period=period, limit=100)
    people = _people(w.user_id for w in workers)
    result = []
    for worker in workers:
        person = people.get(worker.user_id)
        category = _team_category(_roles(person)) if person is not None else None
        if category is None:
            continue
        result.append(
            Candidate(
                category=category,
                unit=person.unit,
                person=person,
                figures=_figures(
                    visits_on_time=worker.visits_on_time, visits_due=worker.visits_due, dissuasions=worker.dissuasions
                ),
                sort_key=(-(worker.visits_on_time + worker.dissuasions), -worker.dissuasions),
            )
        )
    return result


def _people_candidates(rows: list[dict], *, by: str, role: str, category: str, figures, sort_key) -> list[Candidate]:
    """Candidates of one role from rows aggregated per person (``by``: the person's id): the people read once."""
    people = _people(row[by] for row in rows)
    result = []
    for row in rows:
        person = people.get(row[by])
        if person is None or role not in _roles(person):
            continue
        result.append(
            Candidate(category=category, unit=person.unit, person=person, figures=figures(row), sort_key=sort_key(row))
        )
    return result


def teacher_candidates(*, user, period: periods.Period) -> list[Candidate]:
    """School staff by the education sessions they recorded (staff sessions and micro-classes) in the year."""
    from education.models import EducationSession, SessionKind

    rows = list(
        EducationSession.objects.for_user(user)
        .filter(held_on__gte=period.first_day, held_on__lte=period.last_day, recorded_by__isnull=False)
        .order_by()
        .values("recorded_by")
        .annotate(n=Count("pk"), micro=Count("pk", filter=Q(kind=SessionKind.MICRO_CLASS)))
    )
    return _people_candidates(
        rows,
        by="recorded_by",
        role=Role.SCHOOL_STAFF,
        category=C.TEACHER,
        figures=lambda row: _figures(sessions_held=row["n"], micro_classes=row["micro"]),
        sort_key=lambda row: (-row["n"], -row["micro"]),
    )


def officer_candidates(*, user, period: periods.Period) -> list[Candidate]:
    """Police officers by the first dissuasions they made in the year (and how many within the deadline, as the
    warnings' KPIs count them)."""
    rows = list(
        WarningOrder.objects.for_user(user)
        .filter(
            first_dissuasion_at__gte=period.start,
            first_dissuasion_at__lt=period.end,
            first_dissuasion_by__isnull=False,
        )
        .order_by()
        .values("first_dissuasion_by")
        .annotate(n=Count("pk"), **kpis.speed_aggregates(IN_TIME))
    )
    return _people_candidates(
        rows,
        by="first_dissuasion_by",
        role=Role.POLICE,
        category=C.OFFICER,
        figures=lambda row: _figures(first_dissuasions=row["n"], first_dissuasions_on_time=row[IN_TIME]),
        sort_key=lambda row: (-row[IN_TIME], -row["n"]),
    )


BUILDERS = {
    C.VILLAGE: village_candidates,
    C.DEPARTMENT: department_candidates,
    C.SCHOOL: school_candidates,
    C.POLICE_STATION: station_candidates,
    "team": worker_candidates,  # grid workers, dissuasion team, other village team members
    C.TEACHER: teacher_candidates,
    C.OFFICER: officer_candidates,
}
BUILDER_OF = {
    **{category: category for category in (*COLLECTIVE_CATEGORIES, C.TEACHER, C.OFFICER)},
    C.GRID_WORKER: "team",
    C.DISSUASION_TEAM: "team",
    C.VILLAGE_TEAM: "team",
}


def nominations_for(user, *, year: int):
    return (
        Nomination.objects.for_user(user)
        .filter(year=year)
        .select_related("unit", "person", "proposed_by", "decided_by")
        .order_by("kind", "category", "unit__path", "pk")
    )


def candidates(*, user, period: periods.Period, limit: int = LIMIT) -> dict[str, list[Candidate]]:
    """{category: the best ``limit`` candidates}, in the order of :class:`NominationCategory`, each with its
    nomination of the year when one is recorded."""
    found: dict[str, list[Candidate]] = {category: [] for category in (*COLLECTIVE_CATEGORIES, *INDIVIDUAL_CATEGORIES)}
    for build in BUILDERS.values():
        for candidate in build(user=user, period=period):
            found[candidate.category].append(candidate)
    recorded = {}
    for nomination in nominations_for(user, year=period.first_day.year):
        key = ("person", nomination.person_id) if nomination.person_id else ("unit", nomination.unit_id)
        recorded[key] = nomination
    for rows in found.values():
        rows.sort(key=lambda c: (c.sort_key, c.name))
        del rows[limit:]
        for candidate in rows:
            candidate.nomination = recorded.get(candidate.key)
    return found


def candidate_for(*, user, period: periods.Period, category: str, unit: Unit | None = None, person=None):
    """The candidate ``unit`` or ``person`` of ``category`` with its figures now, or None when the records do
    not put them forward (no figures in the year)."""
    builder = BUILDERS[BUILDER_OF[category]]
    for candidate in builder(user=user, period=period):
        if candidate.category != category:
            continue
        if person is not None and candidate.person is not None and candidate.person.pk == person.pk:
            return candidate
        if person is None and unit is not None and candidate.person is None and candidate.unit.pk == unit.pk:
            return candidate
    return None
