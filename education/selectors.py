"""Reads of the education work: scoped lists and the compliance figures (a bounded number of queries).

Compliance of a school in a semester (section 三(四) of the plan):

- **Staff sessions** (every school) and **micro-classes** (only the schools the semester names,
  ``Semester.student_education_schools``): held / required (``Semester.required_*``). A requirement is
  *behind* when it is not yet met and either fewer have been held than its pro-rata share of the semester so
  far (required × school days elapsed ÷ school days in the semester, rounded down), or at most
  ``rule("FINAL_SCHOOL_DAYS")`` school days remain. Where the micro-classes do not apply they are "not
  required": never behind, never a warning.
- **Campus broadcast** (only the schools the semester names): school days logged / school days so far (the
  school days before today, and today once it is logged). Every past school day without a log is a missed
  day; one missed day is enough for a warning. A school not named has no missed days at all.
- **Return slips** per class: slips collected from the class's active students / (active students × the
  class's notices this semester); goal 100 %. A class is at risk when a notice sent more than
  ``rule("SLIP_GRACE_DAYS")`` days ago is still missing slips, or when it has had no notice yet although
  ``rule("NOTICE_LATE_PERCENT")`` % of the semester's school days have passed.

The supervising school (罗村镇中心学校, :class:`~education.models.SupervisingSchool`) reads the compliance of
its town's schools (:func:`schools_for_user`); the records behind the figures stay in each school's scope.
- **Applications by state**: from ``schools.selectors.applications_by_state``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.natural import natural_key
from core.rules import rule
from organization.access import can, unit_in_scope, units_visible_to
from organization.models import Unit, UnitKind

from .calendar import SchoolCalendar
from .models import (
    BroadcastDay,
    EducationSession,
    ParentNotice,
    ReturnSlip,
    Semester,
    SessionKind,
    SupervisingSchool,
    town_of,
)

# --- scope ----------------------------------------------------------------------------------------


def supervising_school_of(user) -> Unit | None:
    """The user's school if it supervises the town's other schools (罗村镇中心学校) and the user's role may
    read their compliance (``education.supervise``); None otherwise."""
    if not can(user, "education.supervise") or not getattr(user, "unit_id", None):
        return None
    school = user.unit.ancestor(UnitKind.SCHOOL)
    if school is None or not SupervisingSchool.objects.filter(school=school).exists():
        return None
    return school


def supervised_schools(user):
    """The schools whose compliance ``user`` reads as the supervising school's staff (its town's schools)."""
    school = supervising_school_of(user)
    if school is None:
        return Unit.objects.none()
    town = school.ancestor(UnitKind.TOWN) or school.parent or school
    return Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True, path__startswith=town.path)


def schools_for_user(user):
    """The schools whose compliance ``user`` may see: their own school for school staff, the town's schools
    for the supervising school's staff (read only), all for leadership."""
    own = units_visible_to(user).filter(kind=UnitKind.SCHOOL, is_active=True)
    supervised = supervised_schools(user)
    if supervised.exists():
        return Unit.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=supervised.values("pk"))).order_by("code")
    return own.order_by("code")


def supervises_only(user, school: Unit) -> bool:
    """``school`` is shown to ``user`` only because their school supervises it: figures, never records."""
    return not unit_in_scope(user, school)


def current_semester(town: Unit | None, today: datetime.date | None = None) -> Semester | None:
    """``town``'s semester containing ``today`` (or its last one); None without a town."""
    today = today or timezone.localdate()
    return Semester.objects.prefetch_related("calendar_changes").current(today, town)


def semester_towns_for_user(user) -> list[Unit]:
    """The towns whose semesters ``user`` sets: leadership the towns in their scope (a county's leadership every
    town of the county), the supervising school's staff their own town. Empty for everyone else."""
    towns: dict[int, Unit] = {}
    if can(user, "education.semesters"):
        for town in units_visible_to(user).filter(kind=UnitKind.TOWN).order_by("path"):
            towns[town.pk] = town
    supervisor = supervising_school_of(user)
    town = town_of(supervisor)
    if town is not None:
        towns.setdefault(town.pk, town)
    return list(towns.values())


def semesters_for_user(user):
    """The semesters of the towns ``user`` sets them for (:func:`semester_towns_for_user`); 404 outside them."""
    towns = semester_towns_for_user(user)
    return Semester.objects.filter(town__in=towns).select_related("town")


def _towns_of_schools(schools: list[Unit]) -> dict[int, Unit]:
    """Each school's town (school pk → town), in one query: the towns whose path is a prefix of the school's."""
    prefixes = set()
    for school in schools:
        parts = school.path.strip("/").split("/")
        prefixes.update("/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts)))
    towns = sorted(
        Unit.objects.filter(kind=UnitKind.TOWN, path__in=prefixes), key=lambda town: len(town.path), reverse=True
    )
    found = {}
    for school in schools:
        town = next((town for town in towns if school.path.startswith(town.path)), None)
        if town is not None:
            found[school.pk] = town
    return found


def _current_semesters(towns: Iterable[Unit], today: datetime.date) -> dict[int, Semester]:
    """Each town's current semester (town pk → semester), as :meth:`SemesterQuerySet.current`, in two queries."""
    town_ids = {town.pk for town in towns}
    if not town_ids:
        return {}
    found: dict[int, Semester] = {}
    candidates = (
        Semester.objects.filter(town_id__in=town_ids, starts_on__lte=today)
        .select_related("town")
        .prefetch_related("calendar_changes", "student_education_schools")
        .order_by("town_id", "-starts_on")
    )
    for semester in candidates:
        if semester.ends_on >= today:
            found.setdefault(semester.town_id, semester)  # the one containing today (latest start first)
    for semester in sorted(candidates, key=lambda s: s.ends_on, reverse=True):
        found.setdefault(semester.town_id, semester)  # else the last that ended before today
    return found


# --- compliance ------------------------------------------------------------------------------------


@dataclass
class Requirement:
    kind: str
    label: str
    done: int
    required: int
    expected_by_now: int
    remaining_school_days: int
    applies: bool = True  # False: the semester does not name this school (micro-classes): "not required"

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def behind(self) -> bool:
        if not self.applies or self.met:
            return False
        return self.done < self.expected_by_now or self.remaining_school_days <= rule("FINAL_SCHOOL_DAYS")

    @property
    def percent(self) -> int:
        return 100 if not self.required else min(100, round(self.done * 100 / self.required))


@dataclass
class BroadcastCompliance:
    required: bool
    logged: int
    school_days: int
    total_school_days: int
    missed_days: list[datetime.date]
    logged_today: bool
    today_is_school_day: bool

    @property
    def missed(self) -> int:
        return len(self.missed_days)

    @property
    def rate(self) -> float | None:
        return None if not self.school_days else min(1.0, self.logged / self.school_days)

    @property
    def at_risk(self) -> bool:
        return self.required and self.missed > 0


@dataclass
class ClassCoverage:
    grade: str
    class_name: str
    students: int
    notices: int
    collected: int
    latest_notice_id: int | None = None
    latest_sent_on: datetime.date | None = None
    overdue: bool = False  # a notice older than the grace period still misses slips
    no_notice_late: bool = False

    @property
    def expected(self) -> int:
        return self.students * self.notices

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.collected)

    @property
    def rate(self) -> float:
        return min(1.0, self.collected / self.expected) if self.expected else 0.0

    @property
    def percent(self) -> float:
        return round(self.rate * 100, 1)

    @property
    def at_risk(self) -> bool:
        return self.overdue or self.no_notice_late

    @property
    def label(self) -> str:
        return f"{self.grade}{self.class_name}"


@dataclass
class SchoolCompliance:
    school: Unit
    semester: Semester | None
    today: datetime.date
    elapsed_school_days: int = 0
    total_school_days: int = 0
    staff_sessions: Requirement | None = None
    micro_classes: Requirement | None = None
    broadcast: BroadcastCompliance | None = None
    classes: list[ClassCoverage] = field(default_factory=list)
    applications: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def slips_collected(self) -> int:
        return sum(min(row.collected, row.expected) for row in self.classes)

    @property
    def slips_expected(self) -> int:
        return sum(row.expected for row in self.classes)

    @property
    def slip_rate(self) -> float | None:
        return self.slips_collected / self.slips_expected if self.slips_expected else None

    @property
    def slip_percent(self) -> float | None:
        rate = self.slip_rate
        return None if rate is None else round(rate * 100, 1)

    @property
    def at_risk(self) -> bool:
        return bool(self.warnings)

    @property
    def requirements(self) -> list[Requirement]:
        return [r for r in (self.staff_sessions, self.micro_classes) if r is not None]

    @property
    def applications_total(self) -> int:
        return sum(self.applications.values())


def _applications_by_state(schools: list[Unit]) -> dict[int, dict[str, int]]:
    try:
        from schools.selectors import applications_by_state
    except ImportError:  # the schools app's selectors are not there yet
        return {}
    return applications_by_state(schools)


def _class_order(item) -> tuple[str, str]:
    """A ((grade, class), size) item's natural order: 初一 before 初二, 2班 before 10班."""
    (grade, class_name), _size = item
    return natural_key(grade), natural_key(class_name)


def _requirement(kind, label, done, required, elapsed, total, *, applies: bool = True) -> Requirement:
    if not applies:
        return Requirement(kind, label, done, 0, 0, max(0, total - elapsed), applies=False)
    expected = (required * elapsed) // total if total else 0
    return Requirement(kind, label, done, required, expected, max(0, total - elapsed))


def compliance_for_schools(
    schools: Iterable[Unit], *, today: datetime.date | None = None, semester: Semester | None = None
) -> list[SchoolCompliance]:
    """The compliance of each school in its town's semester containing ``today`` (or the town's last one), in
    the schools' order, in a fixed number of queries per town whatever the number of schools, sessions, days,
    classes and students. ``semester``: that semester for every school (the schools of its town)."""
    today = today or timezone.localdate()
    schools = list(schools)
    if not schools:
        return []
    if semester is not None:
        return _compliance_in_semester(schools, today, semester)
    towns = _towns_of_schools(schools)
    semesters = _current_semesters(towns.values(), today)
    by_semester: dict[int, list[Unit]] = defaultdict(list)
    results: dict[int, SchoolCompliance] = {}
    for school in schools:
        town = towns.get(school.pk)
        found = semesters.get(town.pk) if town is not None else None
        if found is None:
            results[school.pk] = SchoolCompliance(school=school, semester=None, today=today)
        else:
            by_semester[found.pk].append(school)
    chosen = {found.pk: found for found in semesters.values()}
    for semester_pk, members in by_semester.items():
        for row in _compliance_in_semester(members, today, chosen[semester_pk]):
            results[row.school.pk] = row
    return [results[school.pk] for school in schools]


def _compliance_in_semester(schools: list[Unit], today: datetime.date, semester: Semester) -> list[SchoolCompliance]:
    school_ids = [school.pk for school in schools]
    calendar = SchoolCalendar(semester, semester.calendar_changes.all())
    before_today = calendar.days_until(today, inclusive=False)
    elapsed = len(before_today)
    named_ids = {school.pk for school in semester.student_education_schools.all()}

    sessions = defaultdict(int)
    for row in (
        EducationSession.objects.filter(school_id__in=school_ids, semester=semester, held_on__lte=today)
        .values("school_id", "kind")
        .annotate(n=Count("pk"))
    ):
        sessions[(row["school_id"], row["kind"])] = row["n"]

    logged_days = defaultdict(set)
    for school_id, day in BroadcastDay.objects.filter(
        school_id__in=school_ids, semester=semester, day__lte=today
    ).values_list("school_id", "day"):
        logged_days[school_id].add(day)

    from schools.models import Student

    class_sizes: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in (
        Student.objects.filter(school_id__in=school_ids, is_active=True)
        .order_by()  # no join to the school for the model's ordering: counted from the students alone
        .values("school_id", "grade", "class_name")
        .annotate(n=Count("pk"))
    ):
        class_sizes[row["school_id"]][(row["grade"], row["class_name"])] = row["n"]

    notices = defaultdict(list)
    for row in (
        ParentNotice.objects.filter(school_id__in=school_ids, semester=semester)
        .values("pk", "school_id", "grade", "class_name", "sent_on")
        .annotate(collected=Count("return_slips", filter=Q(return_slips__student__is_active=True)))
        .order_by("sent_on", "pk")
    ):
        notices[(row["school_id"], row["grade"], row["class_name"])].append(row)

    applications = _applications_by_state(schools)
    notice_late = calendar.total and elapsed * 100 >= calendar.total * rule("NOTICE_LATE_PERCENT")
    grace_days = rule("SLIP_GRACE_DAYS")
    results = []
    for school in schools:
        named = school.pk in named_ids
        result = SchoolCompliance(
            school=school,
            semester=semester,
            today=today,
            elapsed_school_days=elapsed,
            total_school_days=calendar.total,
            applications=dict(applications.get(school.pk, {})),
        )
        result.staff_sessions = _requirement(
            SessionKind.STAFF,
            _("Staff education sessions"),
            sessions[(school.pk, SessionKind.STAFF)],
            semester.required_staff_sessions,
            elapsed,
            calendar.total,
        )
        result.micro_classes = _requirement(
            SessionKind.MICRO_CLASS,
            _("Anti-fraud micro-classes"),
            sessions[(school.pk, SessionKind.MICRO_CLASS)],
            semester.required_micro_classes,
            elapsed,
            calendar.total,
            applies=named,
        )
        days = logged_days[school.pk]
        logged_today = today in days
        result.broadcast = BroadcastCompliance(
            required=named,
            logged=sum(1 for day in days if calendar.is_school_day(day)),
            school_days=elapsed + (1 if logged_today and calendar.is_school_day(today) else 0),
            total_school_days=calendar.total,
            # A school the semester does not name misses nothing: "not required" and "N days missed" never meet.
            missed_days=[day for day in before_today if day not in days] if named else [],
            logged_today=logged_today,
            today_is_school_day=calendar.is_school_day(today),
        )
        for (grade, class_name), size in sorted(class_sizes[school.pk].items(), key=_class_order):
            rows = notices.get((school.pk, grade, class_name), [])
            coverage = ClassCoverage(
                grade=grade,
                class_name=class_name,
                students=size,
                notices=len(rows),
                collected=sum(min(row["collected"], size) for row in rows),
            )
            if rows:
                coverage.latest_notice_id = rows[-1]["pk"]
                coverage.latest_sent_on = rows[-1]["sent_on"]
                coverage.overdue = any(
                    row["collected"] < size and (today - row["sent_on"]).days > grace_days for row in rows
                )
            else:
                coverage.no_notice_late = bool(notice_late)
            result.classes.append(coverage)
        result.warnings = _warnings(result)
        results.append(result)
    return results


def _warnings(result: SchoolCompliance) -> list[str]:
    warnings = []
    for requirement in result.requirements:
        if requirement.behind:
            warnings.append(
                _(
                    "%(label)s: %(done)d of %(required)d held, %(expected)d expected by now, "
                    "%(remaining)d school days left."
                )
                % {
                    "label": requirement.label,
                    "done": requirement.done,
                    "required": requirement.required,
                    "expected": requirement.expected_by_now,
                    "remaining": requirement.remaining_school_days,
                }
            )
    if result.broadcast and result.broadcast.at_risk:
        warnings.append(
            _("Campus broadcast: %(missed)d school days without a logged broadcast.")
            % {"missed": result.broadcast.missed}
        )
    overdue = [row.label for row in result.classes if row.overdue]
    if overdue:
        warnings.append(
            _("Return slips missing more than %(days)d days after the notice: %(classes)s.")
            % {"days": rule("SLIP_GRACE_DAYS"), "classes": "、".join(overdue)}
        )
    unsent = [row.label for row in result.classes if row.no_notice_late]
    if unsent:
        warnings.append(
            _("No parent notice yet this semester, %(percent)d%% of it gone: %(classes)s.")
            % {"percent": rule("NOTICE_LATE_PERCENT"), "classes": "、".join(unsent)}
        )
    return warnings


def compliance_for_school(school: Unit, *, today: datetime.date | None = None) -> SchoolCompliance:
    return compliance_for_schools([school], today=today)[0]


# --- lists for the school's page ------------------------------------------------------------------------


def sessions_for_school(*, user, school: Unit, semester: Semester | None):
    sessions = EducationSession.objects.for_user(user).filter(school=school)
    if semester is not None:
        sessions = sessions.filter(semester=semester)
    return sessions.select_related("recorded_by").prefetch_related("attachments").order_by("-held_on", "-pk")


def notices_for_school(*, user, school: Unit, semester: Semester | None):
    notices = ParentNotice.objects.for_user(user).filter(school=school)
    if semester is not None:
        notices = notices.filter(semester=semester)
    return notices.annotate(collected=Count("return_slips", filter=Q(return_slips__student__is_active=True))).order_by(
        "-sent_on", "grade", "class_name", "-pk"
    )


def notice_for_page(*, user, pk: int):
    return (
        ParentNotice.objects.for_user(user)
        .select_related("school", "semester", "recorded_by")
        .prefetch_related("attachments")
        .filter(pk=pk)
    )


@dataclass
class SlipRow:
    student_id: int
    name: str
    collected_on: datetime.date | None


def notice_slips(notice: ParentNotice) -> list[SlipRow]:
    """The class's active students, each with the date their return slip came back (or None): two queries."""
    from schools.models import Student

    students = Student.objects.filter(
        school_id=notice.school_id, grade=notice.grade, class_name=notice.class_name, is_active=True
    ).order_by("name", "pk")
    collected = dict(ReturnSlip.objects.filter(notice=notice).values_list("student_id", "collected_on"))
    return [SlipRow(student.pk, student.name, collected.get(student.pk)) for student in students.only("pk", "name")]


def classes_of_school(school: Unit) -> list[tuple[str, str]]:
    from schools.models import Student

    return list(
        Student.objects.filter(school=school, is_active=True)
        .values_list("grade", "class_name")
        .distinct()
        .order_by("grade_key", "class_key", "grade", "class_name")  # 初一 before 初二, 2班 before 10班
    )


def broadcast_days_for_school(*, school: Unit, semester: Semester, limit: int = 30):
    return BroadcastDay.objects.filter(school=school, semester=semester).select_related("logged_by")[:limit]


def session_for_page(*, user, pk: int):
    return (
        EducationSession.objects.for_user(user)
        .select_related("school", "semester", "recorded_by")
        .prefetch_related(Prefetch("attachments"), "staff_attendance__staff")
        .filter(pk=pk)
    )


def home_panel(*, user, today: datetime.date | None = None) -> dict | None:
    """The home page's panel for a school's staff: today's broadcast (with the one-tap button), sessions held,
    return slips and the warnings. None for users without a school."""
    from .services import can_log, school_of

    today = today or timezone.localdate()
    school = school_of(user)
    if school is None:
        return None
    return {
        "template": "education/_home_panel.html",
        "school": school,
        "c": compliance_for_school(school, today=today),
        "can_log": can_log(user, school),
        "today": today,
    }


def staff_sessions_held(*, school_ids, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Staff education sessions held per school in [start, end] (one query): the publicity summary counts
    a school's staff education from here, so it is recorded once (罗办发〔2023〕12号 三(四))."""
    rows = (
        EducationSession.objects.filter(
            school_id__in=list(school_ids), kind=SessionKind.STAFF, held_on__gte=start, held_on__lte=end
        )
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["school_id"]: row["n"] for row in rows}
