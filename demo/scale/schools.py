"""Scale generator, schools: the town's children become the students of its schools, with their cards.

As in the demo, primary schools teach grades 4-6 (ages 10-12 on the registry's reference date) and middle
schools grades 7-9 (ages 13-15); the generator's residents of those ages in each town are spread over the
town's schools of that kind (``demo.scale.organization`` sized them at about 1,200 students), in classes of
:data:`CLASS_SIZE`, with the household head as guardian and the household's phone. The student keeps the
resident's ID number: its ``core.crypto`` token and blind index are copied, not made again. Cards are drawn at
the demo's rates. A student already on file (by ID number) is skipped, so a re-run adds nothing.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from core.natural import natural_key
from demo.residents import REFERENCE_DATE
from demo.scale import ScaleRun, TownPlan, copy_rows, existing, reserve_ids
from schools.models import CardType, Student, StudentCard

CLASS_SIZE = 45
# The issuers the demo draws from (demo.schools, which imports the services: not needed here).
BANKS = ["中国农业银行", "中国工商银行", "中国建设银行", "中国银行", "广东农信", "中国邮政储蓄银行"]
CARRIERS = ["中国移动", "中国联通", "中国电信"]
GRADES = {
    "primary": [("四年级", 10), ("五年级", 11), ("六年级", 12)],
    "middle": [("初一", 13), ("初二", 14), ("初三", 15)],
}
STUDENT_COLUMNS = (
    "id",
    "school_id",
    "grade",
    "class_name",
    "grade_key",
    "class_key",
    "name",
    "id_number",
    "id_number_hash",
    "guardian_name",
    "guardian_phone",
    "guardian_phone_hash",
    "is_active",
    "created_at",
    "updated_at",
)
CARD_COLUMNS = ("student_id", "card_type", "issuer", "last4", "opened_on", "is_active", "created_at")

CHILDREN_SQL = """
SELECT r.id_number, r.id_number_hash, r.name, r.birth_date, h.contact_phone, h.contact_phone_hash,
       COALESCE((SELECT head.name FROM residents_resident head
                 WHERE head.household_id = h.id AND head.relation = '户主' ORDER BY head.id LIMIT 1), '')
FROM residents_resident r
JOIN residents_household h ON h.id = r.household_id
JOIN organization_unit v ON v.id = r.village_id
WHERE v.parent_id = %s AND h.address LIKE %s AND r.birth_date > %s AND r.birth_date <= %s
ORDER BY r.birth_date DESC, r.id
"""


def _born_between(age_low: int, age_high: int) -> tuple[datetime.date, datetime.date]:
    """Birth dates of people aged ``age_low``..``age_high`` on the reference date: (after, up to)."""
    return REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age_high - 1), REFERENCE_DATE.replace(
        year=REFERENCE_DATE.year - age_low
    )


def _age(birth: datetime.date) -> int:
    day = REFERENCE_DATE
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def fill_town(run: ScaleRun, town: TownPlan) -> tuple[int, int]:
    students, cards = [], []
    for kind, schools in (("primary", town.primary_schools), ("middle", town.middle_schools)):
        if not schools:
            continue
        grades = dict((age, grade) for grade, age in GRADES[kind])
        after, up_to = _born_between(min(grades), max(grades))
        with connection.cursor() as cursor:
            cursor.execute(CHILDREN_SQL, [town.unit.pk, "%房", after, up_to])
            children = cursor.fetchall()
        known = existing(
            "SELECT id_number_hash FROM schools_student WHERE id_number_hash = ANY(%s)", [c[1] for c in children]
        )
        seats: dict[tuple[int, str], int] = {}
        for position, (token, digest, name, birth, phone, phone_hash, guardian) in enumerate(children):
            grade = grades.get(_age(birth))
            school = schools[position % len(schools)]
            if grade is None:
                continue
            seat = seats.get((school.pk, grade), 0)
            seats[(school.pk, grade)] = seat + 1
            if digest in known:
                continue
            rng = run.rng("student", digest)
            students.append(
                [
                    school.pk,
                    grade,
                    class_name := f"{seat // CLASS_SIZE + 1}班",
                    natural_key(grade),
                    natural_key(class_name),
                    name,
                    token,
                    digest,
                    guardian,
                    phone,
                    phone_hash,
                    True,
                    run.now,
                    run.now,
                ]
            )
            secondary = kind == "middle"
            for card_type, chance in (
                (CardType.SIM, 0.7 if secondary else 0.25),
                (CardType.BANK, 0.45 if secondary else 0.15),
            ):
                if rng.random() < chance:
                    issuer = rng.choice(CARRIERS if card_type == CardType.SIM else BANKS)
                    opened = REFERENCE_DATE - datetime.timedelta(days=rng.randint(60, 900))
                    cards.append([len(students) - 1, card_type.value, issuer, f"{rng.randint(0, 9999):04d}", opened])
    ids = reserve_ids(Student._meta.db_table, len(students))
    for student_id, row in zip(ids, students, strict=True):
        row.insert(0, student_id)
    card_rows = [(students[c[0]][0], c[1], c[2], c[3], c[4], True, run.now) for c in cards]
    with transaction.atomic():
        copy_rows(Student._meta.db_table, STUDENT_COLUMNS, students)
        copy_rows(StudentCard._meta.db_table, CARD_COLUMNS, card_rows)
    return len(students), len(card_rows)


def scale(run: ScaleRun) -> dict[str, int]:
    students = cards = 0
    for town in run.plan:
        s, c = fill_town(run, town)
        students += s
        cards += c
    return {"created_students": students, "created_student_cards": cards}
