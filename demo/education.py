"""Demo data of the schools' education work (runs after the schools' demo, which creates the students).

This semester follows the day the demo is seeded (:func:`semester_dates`): it began on the Monday thirteen weeks
ago and ends seven weeks ahead, with a one-day holiday, a week-long holiday and its make-up Saturday in the
past, and a holiday ahead; none falls on today, and at a weekend today is a make-up school day, so the one-tap
"broadcast done today" works whatever day the demo is run. It names the middle school (S02, 罗村中学) for the
micro-classes and the daily broadcast; the centre school (S01, 罗村镇中心学校) supervises the town's schools (its
staff, 孙老师 ``school_c``, read the middle school's figures). For both demo schools: staff sessions (and
micro-classes) with a photo each, the middle school's broadcast days up to yesterday (a few missed; today is
left for the demo user to tap), and one parent notice per class with most return slips back. The centre school
is a little behind (one staff session in the semester), so the warnings show; its micro-class was voluntary
(not required).

Fixed seed, dates counted from today; a school whose semester already has sessions is left alone (idempotent).
"""

from __future__ import annotations

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from core.uploads import IMAGE, attach, check_upload
from demo.organization import TOWN
from education.calendar import SchoolCalendar
from education.models import (
    BroadcastDay,
    CalendarChange,
    EducationSession,
    ParentNotice,
    ReturnSlip,
    Semester,
    SessionKind,
    SupervisingSchool,
)
from organization.models import Unit, UnitKind

D = datetime.date
WEEKS_BEFORE, WEEKS_AFTER = 13, 7
# The semester's changes, in days from its first Monday: (kind, first day, last day, name).
CHANGES = [
    (CalendarChange.Kind.HOLIDAY, 24, 24, "中秋节"),
    (CalendarChange.Kind.HOLIDAY, 30, 36, "国庆节"),
    (CalendarChange.Kind.MAKEUP_DAY, 40, 40, "国庆调休"),  # a Saturday
    (CalendarChange.Kind.HOLIDAY, 122, 122, "元旦"),
]
# school suffix -> (staff username, [(kind, days from the semester's first Monday, topic, audience, size)])
SESSIONS = {
    "S02": (
        "school",
        [
            (SessionKind.STAFF, 8, "教职员工防范电信网络诈骗专题培训", "全体教职员工", 86),
            (SessionKind.MICRO_CLASS, 23, "防骗微课堂：游戏账号交易与刷单返利", "初一年级全体学生", 160),
            (SessionKind.MICRO_CLASS, 72, "防骗微课堂：拒绝出租出借“两卡”", "初二、初三年级学生", 320),
            (SessionKind.STAFF, 78, "警校共建：冒充公检法诈骗案例分析会", "班主任及行政人员", 42),
        ],
    ),
    "S01": (
        "school_c",
        [
            (SessionKind.STAFF, 15, "教职员工防骗宣传教育会", "全体教职员工", 64),
            (SessionKind.MICRO_CLASS, 49, "防骗微课堂：不给陌生人转账", "五、六年级学生", 108),
        ],
    ),
}
NOTICE_TITLE = "致家长的一封信：防范电信网络诈骗预警"
NOTICE_TEXT = (
    "近期冒充客服退款、刷单返利、游戏装备交易等诈骗多发，请家长提醒孩子：不点陌生链接、不向陌生人转账、"
    "不出租出借银行卡和手机卡。阅知后请在回执联签名，由学生带回学校。"
)
SEED = 20260901


def _photo(text: str, seed: int) -> SimpleUploadedFile:
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 320), (rng.randint(30, 90), rng.randint(90, 150), rng.randint(140, 200)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 200, 460, 300), fill=(250, 250, 250))
    draw.text((30, 220), text.encode("ascii", "ignore").decode() or "Luocun", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def semester_dates(today: datetime.date) -> dict:
    """The demo semester around ``today``: its name, first and last day (a Monday thirteen weeks back, a Friday
    seven weeks ahead)."""
    starts_on = today - datetime.timedelta(days=today.weekday(), weeks=WEEKS_BEFORE)
    ends_on = today + datetime.timedelta(days=4 - today.weekday(), weeks=WEEKS_AFTER)
    year = starts_on.year if starts_on.month >= 8 else starts_on.year - 1
    term = "一" if starts_on.month >= 8 or starts_on.month == 1 else "二"
    return {"name": f"{year}—{year + 1}学年第{term}学期", "starts_on": starts_on, "ends_on": ends_on}


def _day(semester: Semester, offset: int) -> datetime.date:
    return semester.starts_on + datetime.timedelta(days=offset)


def _school_day(semester: Semester, offset: int) -> datetime.date:
    """The weekday ``offset`` days into ``semester`` (a weekend moves to the Monday after)."""
    day = _day(semester, offset)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _changes(semester: Semester, today: datetime.date) -> list[CalendarChange]:
    """The semester's holidays and make-up days, none on today; at a weekend today is a make-up school day."""
    changes = [
        CalendarChange(semester=semester, kind=kind, starts_on=_day(semester, a), ends_on=_day(semester, b), name=name)
        for kind, a, b, name in CHANGES
        if not (kind == CalendarChange.Kind.HOLIDAY and _day(semester, a) <= today <= _day(semester, b))
    ]
    if today.weekday() >= 5 and not any(change.starts_on == today for change in changes):
        changes.append(
            CalendarChange(
                semester=semester, kind=CalendarChange.Kind.MAKEUP_DAY, starts_on=today, ends_on=today, name="补课日"
            )
        )
    return changes


def town_semester(town: Unit, today: datetime.date, *, named: list[Unit] = ()) -> Semester:
    """``town``'s demo semester around ``today`` (each town sets its own), naming ``named`` when created."""
    dates = semester_dates(today)
    semester, created = Semester.objects.get_or_create(town=town, name=dates["name"], defaults=dates)
    if created:
        CalendarChange.objects.bulk_create(_changes(semester, today))
        if named:
            semester.student_education_schools.add(*named)
    return semester


def _semester(schools: dict[str, Unit], today: datetime.date) -> Semester:
    town = Unit.objects.get(code=TOWN[0], kind=UnitKind.TOWN)
    return town_semester(town, today, named=[schools["S02"]] if "S02" in schools else [])


def seed() -> dict:
    today = timezone.localdate()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["school", "school_c"])}
    schools = {
        suffix: unit
        for suffix in ("S01", "S02")
        if (unit := Unit.objects.filter(code=f"{TOWN[0]}{suffix}").first()) is not None
    }
    counts = {"semesters": 0, "sessions": 0, "broadcast_days": 0, "notices": 0, "return_slips": 0}
    if not schools:
        return counts
    with transaction.atomic():
        semester = _semester(schools, today)
        if "S01" in schools:
            SupervisingSchool.objects.get_or_create(school=schools["S01"])
    counts["semesters"] = 1
    calendar = SchoolCalendar(semester)
    rng = random.Random(SEED)
    for suffix, school in schools.items():
        username, sessions = SESSIONS[suffix]
        actor = users.get(username)
        if EducationSession.objects.filter(school=school, semester=semester).exists():
            continue
        with transaction.atomic():
            for index, (kind, offset, topic, audience, size) in enumerate(sessions):
                held_on = _school_day(semester, offset)
                if held_on > today:
                    continue
                session = EducationSession.objects.create(
                    school=school,
                    semester=semester,
                    kind=kind,
                    held_on=held_on,
                    topic=topic,
                    audience=audience,
                    audience_size=size,
                    recorded_by=actor,
                )
                attach(session, [check_upload(_photo(f"{suffix} {held_on}", SEED + index), (IMAGE,))], user=actor)
                counts["sessions"] += 1
            if school.pk in set(semester.student_education_schools.values_list("pk", flat=True)):
                past = calendar.days_until(today, inclusive=False)
                missed = set(rng.sample(past, min(4, len(past) // 15))) if past else set()
                rows = [
                    BroadcastDay(school=school, semester=semester, day=day, logged_by=actor)
                    for day in past
                    if day not in missed
                ]
                BroadcastDay.objects.bulk_create(rows, ignore_conflicts=True)
                counts["broadcast_days"] += len(rows)
            _notices(school, semester, actor, today, rng, counts)
    return counts


def _notices(school: Unit, semester: Semester, actor, today: datetime.date, rng: random.Random, counts: dict) -> None:
    from schools.models import Student

    classes: dict[tuple[str, str], list[int]] = {}
    for pk, grade, class_name in (
        Student.objects.filter(school=school, is_active=True)
        .order_by("grade", "class_name", "pk")
        .values_list("pk", "grade", "class_name")
    ):
        classes.setdefault((grade, class_name), []).append(pk)
    school_days = SchoolCalendar(semester).days_until(today, inclusive=False)
    if not school_days:
        return
    for index, ((grade, class_name), students) in enumerate(sorted(classes.items())):
        if index % 7 == 6:
            continue  # a class that has not sent its notice yet
        recent = index % 5 == 4 and len(school_days) > 3
        sent_on = school_days[-2] if recent else school_days[min(len(school_days) - 1, 5 + index % 8)]
        notice = ParentNotice.objects.create(
            school=school,
            semester=semester,
            grade=grade,
            class_name=class_name,
            sent_on=sent_on,
            title=NOTICE_TITLE,
            text=NOTICE_TEXT,
            recorded_by=actor,
        )
        counts["notices"] += 1
        share = rng.uniform(0.4, 0.7) if recent else (rng.uniform(0.85, 0.97) if index % 4 == 3 else 1.0)
        back = rng.sample(students, round(len(students) * share))
        ReturnSlip.objects.bulk_create(
            ReturnSlip(
                notice=notice,
                student_id=pk,
                collected_on=min(today, sent_on + datetime.timedelta(days=rng.randint(1, 4))),
                recorded_by=actor,
            )
            for pk in back
        )
        counts["return_slips"] += len(back)
