"""Demo registry: a few hundred households per demo village, with believable residents.

Everything is generated from ``random.Random`` seeded per village and from a fixed reference date, so
every run produces the same people with the same ID numbers; residents already present (matched by
the ID number's keyed hash) and households already present (matched by village and address) are
skipped, which makes :func:`seed_registry` idempotent. Rows are written with ``bulk_create`` (plus their
history rows), so a full seed takes seconds.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.validators import make_id_number
from demo.organization import TOWN, VILLAGES
from organization.models import Unit, UnitKind
from residents.models import Household, Resident, ResidentSource

AREA_CODE = "440605"  # 佛山市南海区
# Birth dates are computed from this fixed date (not today) so that re-runs give the same ID numbers.
REFERENCE_DATE = datetime.date(2026, 1, 1)
CHANGE_REASON = "seed_demo"

SURNAMES = "陈陈陈陈黄黄黄李李梁梁何何张罗罗林吴刘潘冯麦区邓周谢杨叶郭关蔡卢钟曾邱彭"  # weighted towards local names
GIVEN = {
    # generation -> gender -> characters
    "old": {
        "male": "炳根添旺福财容昌松伯达全成金灿锦荣棠耀基强",
        "female": "桂英秀兰凤妹好娣珍彩娇群玉銮爱卿琼月笑",
    },
    "middle": {
        "male": "伟强志明建华文杰辉锦斌军勇峰俊健永德国雄",
        "female": "丽芳敏静燕红玲霞婷慧娟萍艳洁琳丹莹翠碧",
    },
    "young": {
        "male": "梓睿浩宇轩子俊熙泽皓铭博霖朗晨豪嘉航乐哲",
        "female": "诗欣琪晴嘉颖悦涵梓萱妍彤婧怡雅心桐语晓蕾",
    },
}
STREETS = (
    "东街",
    "西街",
    "南街",
    "北街",
    "大街",
    "新街",
    "中心路",
    "文明路",
    "兴业路",
    "幸福路",
    "龙船巷",
    "大塘巷",
    "祠堂巷",
    "榕树头巷",
    "新村一巷",
    "新村二巷",
    "新村三巷",
    "工业大道",
    "市场路",
    "学堂路",
)
MOBILE_PREFIXES = (
    "134 135 136 137 138 139 150 151 152 157 158 159 182 183 187 188 130 131 132 155 156 185 186 133 153 180 "
    "181 189 177 199 198"
).split()
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
HOUSEHOLD_SIZE_WEIGHTS = (8, 22, 27, 26, 17)


@dataclass
class Person:
    name: str
    gender: str
    age: int
    relation: str


def _households_for(population: int) -> int:
    return max(150, min(300, population // 100))


def _name(rng: random.Random, surname: str, gender: str, age: int) -> str:
    generation = "old" if age >= 55 else "middle" if age >= 25 else "young"
    chars = GIVEN[generation][gender]
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
    return surname + given


def _other_gender(gender: str) -> str:
    return "female" if gender == "male" else "male"


def _household_people(rng: random.Random) -> list[Person]:
    """A believable household: a head, maybe a spouse, then children, grandchildren or parents."""
    size = rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_SIZE_WEIGHTS)[0]
    head_age = rng.randint(58, 90) if size == 1 and rng.random() < 0.6 else rng.randint(26, 78)
    head_gender = "male" if rng.random() < 0.75 else "female"
    family_surname = rng.choice(SURNAMES)
    people = [Person(_name(rng, family_surname, head_gender, head_age), head_gender, head_age, "户主")]
    if size >= 2:
        spouse_age = max(20, head_age + rng.randint(-6, 4))
        spouse_gender = _other_gender(head_gender)
        people.append(
            Person(_name(rng, rng.choice(SURNAMES), spouse_gender, spouse_age), spouse_gender, spouse_age, "配偶")
        )
    while len(people) < size:
        gender = rng.choice(("male", "female"))
        kind = rng.random()
        if head_age < 50 and kind < 0.25 and not any(p.relation == "父母" for p in people):
            relation, age = "父母", min(95, head_age + rng.randint(22, 32))
        elif head_age >= 56 and kind < 0.45:
            relation, age = "孙子女", max(0, head_age - rng.randint(46, 58))
        else:
            relation, age = "子女", max(0, head_age - rng.randint(22, 34))
        surname = family_surname if relation != "父母" or gender == "male" else rng.choice(SURNAMES)
        people.append(Person(_name(rng, surname, gender, age), gender, age, relation))
    return people


def _birth_date(rng: random.Random, age: int) -> datetime.date:
    return REFERENCE_DATE - datetime.timedelta(days=age * 365 + age // 4 + rng.randint(1, 364))


def _id_number(rng: random.Random, birth: datetime.date, gender: str, used: set[str]) -> str:
    sequence = rng.randint(0, 499) * 2 + (1 if gender == "male" else 0)  # odd for men, even for women
    number = make_id_number(AREA_CODE, birth, sequence)
    while number in used:
        sequence = (sequence + 2) % 1000
        number = make_id_number(AREA_CODE, birth, sequence)
    used.add(number)
    return number


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _resident(rng: random.Random, person: Person, *, village: Unit, used: set[str], today) -> Resident:
    birth = _birth_date(rng, person.age)
    resident = Resident(name=person.name, village=village, relation=person.relation, source=ResidentSource.REGISTRY)
    resident.set_id_number(_id_number(rng, birth, person.gender, used))
    # Draw every random number whatever the outcome, so that the sequence never depends on today's date.
    has_phone, finance, volunteer, key_group = rng.random(), rng.random(), rng.random(), rng.random()
    phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    age = _age_on(birth, today)
    if age >= 16 and has_phone < 0.9:
        resident.set_phone(phone)
    resident.is_elderly = age >= 60
    resident.is_student = 6 <= age <= 22
    resident.is_finance_staff = 23 <= age <= 55 and finance < 0.04
    resident.is_volunteer = 18 <= age <= 70 and volunteer < 0.06
    resident.is_key_group = key_group < (0.15 if age >= 60 else 0.05 if age >= 18 else 0)
    return resident


def _village_plan(village: Unit, grids: list[Unit], population: int, used: set[str], today):
    """Yield (address, grid, residents) for every demo household of ``village``, deterministically."""
    rng = random.Random(f"luocun-registry-{village.code}")
    n_streets = min(len(STREETS), max(3, 3 * max(1, len(grids))))
    streets = rng.sample(STREETS, k=n_streets)
    slots = [(s, number) for s in range(len(streets)) for number in range(1, 61)]
    chosen = sorted(rng.sample(slots, k=_households_for(population)))
    for street_index, number in chosen:
        address = f"{village.name}{streets[street_index]}{number}号"
        grid = grids[street_index % len(grids)] if grids else None
        people = _household_people(rng)
        residents = [_resident(rng, person, village=village, used=used, today=today) for person in people]
        yield address, grid, residents


@transaction.atomic
def seed_registry() -> dict[str, int]:
    """Give every demo village its households and residents. Idempotent; returns counts."""
    today = timezone.localdate()
    town_code = TOWN[0]
    codes = {f"{town_code}{suffix}": population for suffix, _name_, population, _grids in VILLAGES}
    villages = {unit.code: unit for unit in Unit.objects.filter(code__in=codes, kind=UnitKind.VILLAGE)}
    grids_by_village: dict[int, list[Unit]] = {}
    for grid in Unit.objects.filter(parent__in=villages.values(), kind=UnitKind.GRID).order_by("code"):
        grids_by_village.setdefault(grid.parent_id, []).append(grid)

    used: set[str] = set()
    created_households = created_residents = 0
    for code, population in codes.items():  # the order of VILLAGES, so ID numbers never change
        village = villages.get(code)
        if village is None:
            continue  # demo.organization.seed_organization runs first and creates it
        plan = list(_village_plan(village, grids_by_village.get(village.pk, []), population, used, today))

        households, residents = write_village_plan(village, plan)
        created_households += households
        created_residents += residents

    demo_villages = list(villages.values())
    return {
        "households": Household.objects.filter(village__in=demo_villages).count(),
        "residents": Resident.objects.filter(village__in=demo_villages).count(),
        "created_households": created_households,
        "created_residents": created_residents,
    }


def write_village_plan(village: Unit, plan: list) -> tuple[int, int]:
    """Write a village's planned households and their members (the ones not there yet): how many of each were
    created. ``plan`` holds ``(address, grid, residents)`` as :func:`_village_plan` yields them."""
    existing = dict(Household.objects.filter(village=village).values_list("address", "pk"))
    new_households = []
    for address, grid, residents in plan:
        if address not in existing:
            household = Household(village=village, grid=grid, address=address)
            household.set_contact_phone(next((r.phone for r in residents if r.phone), ""))
            new_households.append(household)
    if new_households:
        bulk_create_with_history(new_households, Household, default_change_reason=CHANGE_REASON)
        existing = dict(Household.objects.filter(village=village).values_list("address", "pk"))
    candidates = []
    for address, _grid, residents in plan:
        for resident in residents:
            resident.household_id = existing[address]
            candidates.append(resident)
    known = set(
        Resident.objects.filter(id_number_hash__in=[r.id_number_hash for r in candidates]).values_list(
            "id_number_hash", flat=True
        )
    )
    new_residents = [r for r in candidates if r.id_number_hash not in known]
    if new_residents:
        bulk_create_with_history(new_residents, Resident, default_change_reason=CHANGE_REASON)
    return len(new_households), len(new_residents)
