"""Demo data of the schools: students of both demo schools (several classes each), their cards, a seal
per school, a few escort teachers, and card-opening applications in every state of the chain.

Generated from ``random.Random`` with a fixed seed per school and a fixed reference date, so every run
gives the same students; a school that already has students is left alone, which makes :func:`seed`
idempotent. Students and cards are bulk-created (with their history); applications go through the
services, so their steps, audit events and cards are exactly what the pages would have recorded.
"""

from __future__ import annotations

import datetime
import io
import math
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from simple_history.utils import bulk_create_with_history

from core.crypto import blind_index
from core.uploads import IMAGE, check_upload
from core.validators import make_id_number
from demo.organization import TOWN
from organization.models import Role, Unit, UserRole
from schools import services
from schools.models import ApplicationStatus, CardApplication, CardType, SchoolProfile, Student, StudentCard

AREA_CODE = "440605"
REFERENCE_DATE = datetime.date(2026, 1, 1)
CHANGE_REASON = "seed_demo"

# school code suffix -> (seed, staff username, [(grade, age on the reference date)], classes per grade, size)
SCHOOLS = {
    "S01": (101, "school_c", [("四年级", 10), ("五年级", 11), ("六年级", 12)], 3, 18),
    "S02": (202, "school", [("初一", 13), ("初二", 14), ("初三", 15)], 4, 20),
}
# Further staff who escort students (no password: they are names on the forms, not demo logins).
ESCORTS = {
    "S01": [("s01_huang", "黄老师"), ("s01_he", "何老师")],
    "S02": [("s02_chen", "陈老师"), ("s02_liang", "梁老师")],
}
SURNAMES = "陈陈陈黄黄李李梁梁何何张罗罗林吴刘潘冯麦区邓周谢杨叶郭关蔡卢钟"
GIVEN = "梓睿浩宇轩子俊熙泽皓铭博霖朗晨豪嘉航乐哲诗欣琪晴颖悦涵萱妍彤婧怡雅心桐语晓蕾"
GUARDIAN_GIVEN = "伟强志明建华文杰辉斌军勇峰丽芳敏静燕红玲霞婷慧娟萍艳"
BANKS = ["中国农业银行", "中国工商银行", "中国建设银行", "中国银行", "广东农信", "中国邮政储蓄银行"]
CARRIERS = ["中国移动", "中国联通", "中国电信"]
REASONS = {
    CardType.BANK: ["参加市级竞赛需开户领取奖学金", "住校生活费单独存放，家长要求开设", "学校助学金发放需要本人银行卡"],
    CardType.SIM: ["原手机卡丢失，需补办新号码", "住校期间与家长联系使用", "参加课外培训班需要联系电话"],
}
# Per school: how many applications end in each state (every state present in both schools).
STATES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCHOOL_APPROVED,
    ApplicationStatus.SCHOOL_REJECTED,
    ApplicationStatus.ESCORT_ASSIGNED,
    ApplicationStatus.ESCORT_ASSIGNED,
    ApplicationStatus.POLICE_CLEARED,
    ApplicationStatus.POLICE_REFUSED,
    ApplicationStatus.OPENED,
    ApplicationStatus.OPENED,
    ApplicationStatus.OPENED,
]


def seal_png(name: str) -> bytes:
    """A round red seal with a star and the school's name (Noto CJK when installed)."""
    size = 320
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 20, 30, 255)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=14)
    centre, outer, inner = size / 2, 48, 19

    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = math.pi / 2 + index * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 34)
    except OSError:
        font = ImageFont.load_default()
    draw.text((centre, 80), name, fill=red, font=font, anchor="mm")
    draw.text((centre, 250), "专用章", fill=red, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seal(school: Unit, staff) -> None:
    if SchoolProfile.objects.filter(school=school, seal__isnull=False).exists():
        return
    upload = SimpleUploadedFile("seal.png", seal_png(school.name), content_type="image/png")
    services.school_seal_set(actor=staff, school=school, image=check_upload(upload, (IMAGE,)))


def _escorts(school: Unit, suffix: str) -> list:
    User = get_user_model()
    people = []
    for username, full_name in ESCORTS[suffix]:
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            user.set_unusable_password()
            user.unit = school
            user.save()
        UserRole.objects.get_or_create(user=user, role=Role.SCHOOL_STAFF)
        people.append(user)
    return people


def _students(school: Unit, rng: random.Random, grades, classes: int, size: int) -> list[Student]:
    used: set[str] = set()
    students = []
    for grade, age in grades:
        for number in range(1, classes + 1):
            for _seat in range(size):
                surname = rng.choice(SURNAMES)
                gender = rng.choice(("male", "female"))
                birth = REFERENCE_DATE - datetime.timedelta(days=age * 365 + age // 4 + rng.randint(1, 364))
                sequence = rng.randint(0, 499) * 2 + (1 if gender == "male" else 0)
                id_number = make_id_number(AREA_CODE, birth, sequence)
                while id_number in used:
                    sequence = (sequence + 2) % 1000
                    id_number = make_id_number(AREA_CODE, birth, sequence)
                used.add(id_number)
                phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
                student = Student(
                    school=school,
                    grade=grade,
                    class_name=f"{number}班",
                    name=surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    guardian_name=surname + rng.choice(GUARDIAN_GIVEN),
                )
                student.id_number = id_number
                student.id_number_hash = blind_index(id_number, purpose="id_number")
                student.guardian_phone = phone
                student.guardian_phone_hash = blind_index(phone, purpose="phone")
                students.append(student)
    return students


def _cards(students: list[Student], rng: random.Random, *, secondary: bool, staff) -> list[StudentCard]:
    cards = []
    for student in students:
        for card_type, chance in (
            (CardType.SIM, 0.7 if secondary else 0.25),
            (CardType.BANK, 0.45 if secondary else 0.15),
        ):
            if rng.random() < chance:
                issuers = CARRIERS if card_type == CardType.SIM else BANKS
                cards.append(
                    StudentCard(
                        student=student,
                        card_type=card_type,
                        issuer=rng.choice(issuers),
                        last4=f"{rng.randint(0, 9999):04d}",
                        opened_on=REFERENCE_DATE - datetime.timedelta(days=rng.randint(60, 900)),
                        created_by=staff,
                    )
                )
    return cards


def _applications(students: list[Student], rng: random.Random, *, staff, escorts, police) -> int:
    candidates = rng.sample(students, len(STATES))
    today = timezone.localdate()
    for position, (student, state) in enumerate(zip(candidates, STATES, strict=True)):
        card_type = rng.choice((CardType.BANK, CardType.SIM))
        issuer = rng.choice(BANKS if card_type == CardType.BANK else CARRIERS)
        application = services.card_application_file(
            actor=staff,
            student=student,
            card_type=card_type,
            issuer=issuer,
            reason=rng.choice(REASONS[card_type]),
            guardian_consent=True,
        ).application
        if state == ApplicationStatus.SCHOOL_REJECTED:
            services.card_application_school_reject(
                application=application, actor=staff, reason="已有同类卡片在用，暂无必要再开"
            )
        if state in (ApplicationStatus.SUBMITTED, ApplicationStatus.SCHOOL_REJECTED):
            continue
        services.card_application_school_approve(application=application, actor=staff, reason="情况属实，同意")
        if state == ApplicationStatus.SCHOOL_APPROVED:
            continue
        appointment = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=position % 4), datetime.time(9 + position % 6))
        )
        services.card_application_assign_escort(
            application=application, actor=staff, escort=rng.choice(escorts), appointment_at=appointment
        )
        if state == ApplicationStatus.ESCORT_ASSIGNED:
            continue
        if state == ApplicationStatus.POLICE_REFUSED:
            services.card_application_police_refuse(
                application=application, actor=police, reason="该生手机号近期与涉诈号码有联系，暂不宜开卡"
            )
            continue
        services.card_application_police_clear(application=application, actor=police, reason="核查无涉卡犯罪风险")
        if state == ApplicationStatus.POLICE_CLEARED:
            continue
        services.card_application_record_opened(
            application=application, actor=staff, last4=f"{rng.randint(0, 9999):04d}", opened_on=today
        )
    return len(STATES)


def seed() -> dict:
    User = get_user_model()
    police = User.objects.filter(username="police").first()
    counts = {"students": 0, "cards": 0, "applications": 0}
    for suffix, (seed_value, username, grades, classes, size) in SCHOOLS.items():
        school = Unit.objects.filter(code=f"{TOWN[0]}{suffix}").first()
        staff = User.objects.filter(username=username).first()
        if school is None or staff is None or police is None:
            continue
        if Student.objects.filter(school=school).exists():
            continue
        rng = random.Random(seed_value)
        with transaction.atomic():
            escorts = [staff, *_escorts(school, suffix)]
            _seal(school, staff)
            students = bulk_create_with_history(
                _students(school, rng, grades, classes, size), Student, default_change_reason=CHANGE_REASON
            )
            students = list(Student.objects.filter(school=school).order_by("pk"))
            cards = bulk_create_with_history(
                _cards(students, rng, secondary=suffix == "S02", staff=staff),
                StudentCard,
                default_change_reason=CHANGE_REASON,
            )
            counts["students"] += len(students)
            counts["cards"] += len(cards)
            counts["applications"] += _applications(students, rng, staff=staff, escorts=escorts, police=police)
    counts["applications_total"] = CardApplication.objects.count()
    return counts
