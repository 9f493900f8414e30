"""The monthly bulletin's section per kind of unit (四(一)、四(三)): departments, schools and the police station are
assessed like villages, each kind with its own figures and with the period's supervision inspections and
accountability items of its units.

* villages: the indicators' rows (the dashboard's report, as before);
* departments: publicity activities logged against their targets, work-plan tasks done and overdue;
* schools: staff coverage by the staff sessions, micro-classes and the campus broadcast, card applications,
  fraud cases of students and staff (零发案);
* the police station: warnings pushed in the period, the police's first dissuasion in time, stop-payment
  releases, fraud cases recorded and solved in its jurisdiction.

Every figure comes from the selectors of the app that keeps it (publicity, education, warnings' KPIs, fraud
cases); :func:`sections` runs a fixed number of queries whatever the number of units, inspections and items.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from core import periods
from fraud_cases.models import FraudCase
from organization.access import units_visible_to
from organization.models import Unit, UnitKind
from warnings_followup import kpis
from warnings_followup.models import WarningOrder as WarningOrder
from warnings_followup.models import WarningStatus

from . import figures, selectors
from .models import ASSESSED_KINDS, AccountabilityItem, Inspection

# Pending card applications: every state before the card is opened or the application refused.
APPLICATION_PENDING = ("submitted", "school_approved", "escort_assigned", "police_cleared")


@dataclass
class UnitRow:
    """One unit's line in its kind's section; ``figures`` depends on the kind (see the module's docstring)."""

    unit: Unit
    figures: dict = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    items: list[AccountabilityItem] = field(default_factory=list)

    @property
    def scores(self) -> str:
        return "、".join(str(inspection.score) for inspection in self.inspections)


@dataclass
class KindSection:
    """The units of one kind, with the period's inspections and accountability items of that kind."""

    kind: str
    rows: list[UnitRow] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    items: list[AccountabilityItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return UnitKind(self.kind).label


def sections(*, user, period: periods.Period, schools: list | None = None) -> dict[str, KindSection]:
    """{kind: its section} for every kind of assessed unit in ``user``'s scope, in ``period``: cached
    (``figures.live``) under the user's scope, the period, today and the versions the dashboard's context is kept
    under (every record read here bumps one of them: warnings and cases the live version, inspections, items and
    units the oversight version, the schools' records the education version, publicity's the activity version)."""
    from .dashboard import DASHBOARD_VERSIONS

    today = timezone.localdate()
    return figures.live(
        "bulletin-sections",
        [figures.user_scope_key(user), period.key],
        lambda: _sections(user=user, period=period, schools=schools),
        today=today,
        also=DASHBOARD_VERSIONS,
    )


def _sections(*, user, period: periods.Period, schools: list | None = None) -> dict[str, KindSection]:
    """{kind: its section} for every kind of assessed unit in ``user``'s scope, in ``period``.

    ``schools``: the schools' compliance already worked out for the page (the dashboard's, cached), else read
    here. Queries: the units, the period's inspections and items, the publicity summary (five), the work-plan
    tasks, the staff coverage (two per town's semester), the schools' cases, the period's warnings and fraud
    cases: fixed, whatever the number of units of a town.
    """
    today = timezone.localdate()
    last = min(period.last_day, today)
    units = list(
        units_visible_to(user).filter(kind__in=ASSESSED_KINDS, is_active=True).select_related("parent").order_by("path")
    )
    result = {kind: KindSection(kind=kind) for kind in ASSESSED_KINDS}
    rows = {}
    for unit in units:
        rows[unit.pk] = UnitRow(unit=unit)
        result[unit.kind].rows.append(rows[unit.pk])
    for inspection in (
        selectors.inspections_for(user)
        .filter(inspected_on__gte=period.first_day, inspected_on__lte=period.last_day, unit__kind__in=ASSESSED_KINDS)
        .order_by("inspected_on", "pk")
    ):
        result[inspection.unit.kind].inspections.append(inspection)
        if inspection.unit_id in rows:
            rows[inspection.unit_id].inspections.append(inspection)
    for item in (
        selectors.accountability_for(user)
        .filter(created_at__gte=period.start, created_at__lt=period.end, unit__kind__in=ASSESSED_KINDS)
        .order_by("created_at", "pk")
    ):
        result[item.unit.kind].items.append(item)
        if item.unit_id in rows:
            rows[item.unit_id].items.append(item)
    logging = [unit for unit in units if unit.kind != UnitKind.VILLAGE]
    _publicity(user, rows, logging, period.first_day, last, today)
    _schools(rows, result[UnitKind.SCHOOL].rows, schools, period)
    _stations(user, rows, units, result[UnitKind.POLICE_STATION].rows, period, today)
    return result


def _publicity(user, rows: dict, units: list[Unit], first: datetime.date, last: datetime.date, today) -> None:
    """Departments', schools' and the station's publicity activities against their targets (the publicity app's
    summary), and their work plans' tasks done and overdue (as of today)."""
    from publicity.selectors import department_activity_summary, plan_overview

    if not units:
        return
    for summary in department_activity_summary(first, last, units=units):
        rows[summary.unit.pk].figures.update(
            activities=summary.done, required=summary.required, completion=summary.completion, weak=summary.is_weak
        )
    for task_row in plan_overview(user=user, today=today):
        if task_row["unit_id"] in rows:
            rows[task_row["unit_id"]].figures.update(
                tasks=task_row["total"], tasks_done=task_row["done"], tasks_overdue=task_row["overdue"]
            )


def _schools(rows: dict, school_rows: list[UnitRow], schools: list | None, period: periods.Period) -> None:
    """Staff coverage, micro-classes and the broadcast (the semester's), card applications, students' and staff's
    fraud cases reported in the period."""
    from education.selectors import compliance_for_schools
    from education.staff_services import school_case_counts_by_school, staff_coverages

    if not school_rows:
        return
    if schools is None:
        schools = compliance_for_schools(
            [row.unit for row in school_rows], today=min(period.last_day, timezone.localdate())
        )
    compliance = {c.school.pk: c for c in schools}
    ids = [row.unit.pk for row in school_rows]
    # Each town keeps its own semesters: the staff coverage is read per semester (one town's schools at a time).
    by_semester = defaultdict(list)
    semesters = {}
    for pk in ids:
        semester = getattr(compliance.get(pk), "semester", None)
        key = semester.pk if semester is not None else None
        semesters[key] = semester
        by_semester[key].append(pk)
    coverage = {}
    for key, school_ids in by_semester.items():
        coverage.update(staff_coverages(schools=school_ids, semester=semesters[key]))
    cases = school_case_counts_by_school(school_ids=ids, start=period.first_day, end=period.last_day)
    for pk in ids:
        c = compliance.get(pk)
        applications = c.applications if c is not None else {}
        rows[pk].figures.update(
            semester=getattr(c, "semester", None),
            staff=coverage[pk],
            micro_classes=c.micro_classes if c is not None else None,
            broadcast=c.broadcast if c is not None else None,
            applications=sum(applications.values()),
            applications_opened=applications.get("opened", 0),
            applications_pending=sum(applications.get(status, 0) for status in APPLICATION_PENDING),
            student_cases=cases[pk]["students"],
            staff_cases=cases[pk]["staff"],
        )


def _stations(user, rows: dict, units: list[Unit], station_rows: list[UnitRow], period, today) -> None:
    """Per police station, over the villages of its jurisdiction (the town it sits in): the warnings pushed in the
    period and their first dissuasion in time and releases (the warnings' KPIs), the fraud cases reported and
    solved in the period."""
    if not station_rows:
        return
    villages = {unit.pk: unit for unit in units if unit.kind == UnitKind.VILLAGE}
    jurisdiction = {
        row.unit.pk: (row.unit.parent.path if row.unit.parent_id else row.unit.path) for row in station_rows
    }

    def stations_of(village_id) -> list[int]:
        village = villages.get(village_id)
        if village is None:
            return []
        return [pk for pk, path in jurisdiction.items() if village.path.startswith(path)]

    totals = defaultdict(kpis.KpiRow)
    warnings = WarningOrder.objects.for_user(user).filter(pushed_at__gte=period.start, pushed_at__lt=period.end)
    for village_id, kpi_row in kpis.status_rows(warnings, today).items():
        for pk in stations_of(village_id):
            totals[pk].add_counts(kpi_row)
    cases = defaultdict(lambda: {"recorded": 0, "solved": 0})
    reported = Q(reported_at__gte=period.start, reported_at__lt=period.end)
    solved = Q(solved_on__gte=period.first_day, solved_on__lte=period.last_day)
    for row in (
        FraudCase.objects.for_user(user)
        .filter(reported | solved)
        .values("village_id")
        .annotate(recorded=Count("pk", filter=reported), solved=Count("pk", filter=solved))
        .order_by()
    ):
        for pk in stations_of(row["village_id"]):
            cases[pk]["recorded"] += row["recorded"]
            cases[pk]["solved"] += row["solved"]
    for row in station_rows:
        total = totals[row.unit.pk]
        pushed = sum(total.by_status.values()) + total.closed
        row.figures.update(
            warnings=pushed,
            dissuaded_in_time=total.dissuaded_in_time,
            dissuaded_in_time_of=total.dissuaded_in_time_of,
            dissuaded_in_time_rate=total.dissuaded_in_time_rate,
            releases=total.by_status[WarningStatus.RELEASED],
            releases_pending=total.pending_releases,
            cases=cases[row.unit.pk]["recorded"],
            solved=cases[row.unit.pk]["solved"],
        )
