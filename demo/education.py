"""Demo data of the schools' education work (runs after the schools' demo, which creates the students).

This semester (autumn 2026, 2026-09-01 to 2027-01-20, with the National Day and New Year holidays, the
Mid-Autumn day off and a make-up Saturday), naming the middle school (S02, 罗村中学) for the micro-classes and
the daily broadcast; the centre school (S01, 罗村镇中心学校) supervises the town's schools (its staff, 孙老师
``school_c``, read the middle school's figures). For both demo schools: staff sessions (and micro-classes) with
a photo each, the middle school's broadcast days up to yesterday (a few missed; today is left for the demo user
to tap), and one parent notice per class with most return slips back. The centre school is a little behind
(one staff session in the semester), so the warnings show; its micro-class was voluntary (not required).

Fixed seed, fixed dates; a school whose semester already has sessions is left alone (idempotent).
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
from organization.models import Unit

D = datetime.date
SEMESTER = {
    "name": "2026—2027学年第一学期",
    "starts_on": D(2026, 9, 1),
    "ends_on": D(2027, 1, 20),
}
CHANGES = [
    (CalendarChange.Kind.HOLIDAY, D(2026, 9, 25), D(2026, 9, 25), "中秋节"),
    (CalendarChange.Kind.HOLIDAY, D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
    (CalendarChange.Kind.MAKEUP_DAY, D(2026, 10, 10), D(2026, 10, 10), "国庆调休"),
    (CalendarChange.Kind.HOLIDAY, D(2027, 1, 1), D(2027, 1, 1), "元旦"),
]
# school suffix -> (staff username, [(kind, date, topic, audience, size)])
SESSIONS = {
    "S02": (
        "school",
        [
            (SessionKind.STAFF, D(2026, 9, 9), "教职员工防范电信网络诈骗专题培训", "全体教职员工", 86),
            (SessionKind.MICRO_CLASS, D(2026, 9, 24), "防骗微课堂：游戏账号交易与刷单返利", "初一年级全体学生", 160),
            (SessionKind.MICRO_CLASS, D(2026, 11, 12), "防骗微课堂：拒绝出租出借“两卡”", "初二、初三年级学生", 320),
            (SessionKind.STAFF, D(2026, 11, 18), "警校共建：冒充公检法诈骗案例分析会", "班主任及行政人员", 42),
        ],
    ),
    "S01": (
        "school_c",
        [
            (SessionKind.STAFF, D(2026, 9, 16), "教职员工防骗宣传教育会", "全体教职员工", 64),
            (SessionKind.MICRO_CLASS, D(2026, 10, 20), "防骗微课堂：不给陌生人转账", "五、六年级学生", 108),
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


def _semester(schools: dict[str, Unit]) -> Semester:
    semester, created = Semester.objects.get_or_create(name=SEMESTER["name"], defaults=SEMESTER)
    if created:
        CalendarChange.objects.bulk_create(
            CalendarChange(semester=semester, kind=kind, starts_on=a, ends_on=b, name=name)
            for kind, a, b, name in CHANGES
        )
        if "S02" in schools:
            semester.student_education_schools.add(schools["S02"])
    return semester


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
        semester = _semester(schools)
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
            for index, (kind, held_on, topic, audience, size) in enumerate(sessions):
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
