"""Reminders of the education work, to the school's staff (in the app, through ``notifications``):

- **Broadcast not logged**: on a school day, once the semester's ``broadcast_deadline`` (10:00 by default,
  Asia/Shanghai) has passed and the school (one the semester names for the micro-classes and the daily
  broadcast) has not logged the day's broadcast. Scanned every 15 minutes in school hours; once per school
  and day.
- **Falling behind**: every week, each school with a requirement at risk (see ``selectors``: staff sessions,
  or the named schools' micro-classes, behind their pro-rata share, missed broadcast days, return slips
  missing) hears what is behind; once per school and ISO week. The supervising school's staff (罗村镇中心学校)
  get one list of the town's other schools at risk the same week (督导各级各类学校).

Each reminder's notifications carry one key per school, kind and period; the database keeps one notification
per recipient and key (``notifications.Notification``'s unique constraint), so a reminder goes out once
however often the scan runs, is retried, or runs on two workers at once.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notifications_send
from organization.models import Role, Unit, UnitKind
from organization.selectors import people_in

from .calendar import SchoolCalendar
from .models import BroadcastDay, Semester, SupervisingSchool
from .selectors import compliance_for_schools


def school_staff(school: Unit):
    return people_in(school, {Role.SCHOOL_STAFF})


BROADCAST = "broadcast"
BEHIND = "behind"
SUPERVISE = "supervise"


def _send_once(*, school: Unit, kind: str, period: str, title: str, body: str = "", url: str | None = None) -> bool:
    """Notify the school's staff unless this reminder (school, kind, period) already went out."""
    created = notifications_send(
        recipients=list(school_staff(school)),
        kind=f"education.{kind}",
        title=title,
        body=body,
        url=url or reverse("education:school", args=[school.pk]),
        dedupe_key=f"education:{kind}:{school.pk}:{period}",
    )
    return created > 0


def broadcast_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind each broadcasting school whose broadcast of today is not logged by its town's deadline."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    sent = 0
    logged = None
    for semester in Semester.objects.containing(today).select_related("town").order_by("town__path", "-starts_on"):
        if now.time() < semester.broadcast_deadline or not SchoolCalendar(semester).is_school_day(today):
            continue
        if logged is None:
            logged = set(BroadcastDay.objects.filter(day=today).values_list("school_id", flat=True))
        schools = semester.student_education_schools.filter(is_active=True, path__startswith=semester.town.path)
        for school in schools.exclude(pk__in=logged):
            title = _("%(school)s: the anti-fraud broadcast of %(day)s is not logged yet (due by %(time)s).") % {
                "school": school.name,
                "day": today.isoformat(),
                "time": semester.broadcast_deadline.strftime("%H:%M"),
            }
            sent += _send_once(school=school, kind=BROADCAST, period=today.isoformat(), title=title)
    return sent


def requirement_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell each school what is falling behind in its town's semester; once a week per school."""
    today = today or timezone.localdate()
    sent = 0
    for semester in Semester.objects.containing(today).select_related("town").order_by("town__path", "-starts_on"):
        sent += _requirement_reminders_in(semester, today)
    return sent


def _requirement_reminders_in(semester: Semester, today: datetime.date) -> int:
    town = semester.town
    schools = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True, path__startswith=town.path).order_by("code")
    year, week, _day = today.isocalendar()
    period = f"{year}-W{week:02d}"
    sent = 0
    rows = compliance_for_schools(schools, today=today, semester=semester)
    for row in rows:
        if not row.warnings:
            continue
        title = _("%(school)s: education work falling behind in %(semester)s") % {
            "school": row.school.name,
            "semester": semester.name,
        }
        body = "\n".join(f"· {warning}" for warning in row.warnings)
        sent += _send_once(school=row.school, kind=BEHIND, period=period, title=title, body=body)
    supervisions = SupervisingSchool.objects.select_related("school").filter(
        school__is_active=True, school__path__startswith=town.path
    )
    for supervision in supervisions:
        supervisor = supervision.school
        behind = [row.school.name for row in rows if row.warnings and row.school.pk != supervisor.pk]
        if behind:
            title = _("Schools falling behind in %(semester)s: %(schools)s") % {
                "semester": semester.name,
                "schools": "、".join(behind),
            }
            sent += _send_once(
                school=supervisor, kind=SUPERVISE, period=period, title=title, url=reverse("education:overview")
            )
    return sent
