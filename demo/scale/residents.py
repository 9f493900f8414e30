"""Scale generator, registry: households and residents until every planned village holds its target.

Households are drawn like the registry demo's (``demo.residents``: sizes, relations, names, ages, phones,
tags), one ``random.Random`` per (seed, village, household number), at apartment addresses the demo never
uses (``罗村社区兴业路105号302房``), so household ``k`` of a village is always the same household and a
re-run skips the addresses already present. They fill the village's grids to about 300 households each.
ID numbers are valid GB 11643 numbers (南海's area code ``440682`` for people born before 2003, ``440605``
after, the birth date, a sequence whose parity is the gender, the check character); a number already taken
(by the demo, an import or an earlier village) is drawn again, so every number is unique. ID and phone
numbers are encrypted and hashed by ``core.crypto``. One transaction and two COPYs per village.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Count

from core.crypto import blind_index, encrypt
from core.natural import natural_key
from core.validators import id_check_char
from demo.residents import MOBILE_PREFIXES, REFERENCE_DATE, STREETS, _age_on, _birth_date, _household_people
from demo.scale import ScaleRun, VillagePlan, copy_rows, existing, reserve_ids
from residents.models import Household, Resident, ResidentSource

ROOMS_PER_BUILDING = 24  # six floors of four flats
FIRST_BUILDING_NUMBER = 101  # the demo's addresses stop at 60
AREA_BEFORE_2003 = "440682"  # 南海市 (a county-level city until 2002)
AREA_SINCE_2003 = "440605"  # 南海区
GRID_HOUSEHOLDS = 300

HOUSEHOLD_COLUMNS = (
    "id",
    "village_id",
    "grid_id",
    "address",
    "sort_key",
    "contact_phone",
    "contact_phone_hash",
    "created_at",
    "updated_at",
)
RESIDENT_COLUMNS = (
    "name",
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "gender",
    "birth_date",
    "household_id",
    "village_id",
    "relation",
    "is_elderly",
    "is_student",
    "is_finance_staff",
    "is_volunteer",
    "is_key_group",
    "source",
    "created_at",
    "updated_at",
)


def address(village_name: str, number: int) -> str:
    """The address of the village's synthetic household ``number`` (a flat in a numbered building)."""
    building, flat = divmod(number, ROOMS_PER_BUILDING)
    street = STREETS[building % len(STREETS)]
    floor, room = divmod(flat, 4)
    return f"{village_name}{street}{FIRST_BUILDING_NUMBER + building // len(STREETS)}号{floor + 1}0{room + 1}房"


def _id_number(rng: random.Random, birth: datetime.date, gender: str) -> str:
    area = AREA_BEFORE_2003 if birth.year < 2003 else AREA_SINCE_2003
    sequence = rng.randrange(500) * 2 + (1 if gender == "male" else 0)
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def _household(rng: random.Random, today: datetime.date) -> list[dict]:
    """The members of one household, drawn as the registry demo draws them."""
    members = []
    for person in _household_people(rng):
        birth = _birth_date(rng, person.age)
        has_phone, finance, volunteer, key_group = rng.random(), rng.random(), rng.random(), rng.random()
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        age = _age_on(birth, today)
        members.append(
            {
                "name": person.name,
                "gender": person.gender,
                "birth": birth,
                "relation": person.relation,
                "id_number": _id_number(rng, birth, person.gender),
                "phone": phone if age >= 16 and has_phone < 0.9 else "",
                "is_elderly": age >= 60,
                "is_student": 6 <= age <= 22,
                "is_finance_staff": 23 <= age <= 55 and finance < 0.04,
                "is_volunteer": 18 <= age <= 70 and volunteer < 0.06,
                "is_key_group": key_group < (0.15 if age >= 60 else 0.05 if age >= 18 else 0),
            }
        )
    return members


def _unique_id_numbers(run: ScaleRun, village: VillagePlan, people: list[dict]) -> None:
    """Give every person an ID number nobody holds yet (in the database or in this village), with its hash."""
    rng = run.rng("id-redraw", village.unit.code)
    for person in people:
        person["id_number_hash"] = blind_index(person["id_number"], purpose="id_number")
    pending = people
    taken: set[str] = set()
    while pending:
        clash = existing(
            "SELECT id_number_hash FROM residents_resident WHERE id_number_hash = ANY(%s)",
            [person["id_number_hash"] for person in pending],
        )
        again = []
        for person in pending:
            if person["id_number_hash"] in clash or person["id_number_hash"] in taken:
                person["id_number"] = _id_number(rng, person["birth"], person["gender"])
                person["id_number_hash"] = blind_index(person["id_number"], purpose="id_number")
                again.append(person)
            else:
                taken.add(person["id_number_hash"])
        pending = again


def _grid_slots(village: VillagePlan) -> list[int]:
    """The grid of each next household: the village's grids filled in order to about 300 households each."""
    counts = dict(
        Household.objects.filter(village=village.unit).order_by().values_list("grid_id").annotate(n=Count("pk"))
    )
    return [grid.pk for grid in village.grids for _ in range(max(0, GRID_HOUSEHOLDS - counts.get(grid.pk, 0)))]


def fill_village(run: ScaleRun, village: VillagePlan) -> tuple[int, int]:
    """Add households to ``village`` until it holds its target of residents; returns (households, residents)."""
    unit = village.unit
    have = Resident.objects.filter(village=unit).count()
    if have >= village.target:
        return 0, 0
    addresses = set(Household.objects.filter(village=unit).values_list("address", flat=True))
    today = REFERENCE_DATE  # ages and tags as the demo computes them, so a later run draws the same people
    households, people, number = [], [], 0
    while have < village.target:
        where = address(unit.name, number)
        if where not in addresses:
            members = _household(run.rng("household", unit.code, number), today)
            households.append((where, members))
            people.extend(members)
            have += len(members)
        number += 1
    _unique_id_numbers(run, village, people)

    slots = _grid_slots(village)
    grids = [grid.pk for grid in village.grids] or [None]
    ids = reserve_ids(Household._meta.db_table, len(households))
    now = run.now
    household_rows, resident_rows = [], []
    for position, (household_id, (where, members)) in enumerate(zip(ids, households, strict=True)):
        grid = slots[position] if position < len(slots) else grids[position % len(grids)]
        contact = next((m["phone"] for m in members if m["phone"]), "")
        household_rows.append(
            (
                household_id,
                unit.pk,
                grid,
                where,
                natural_key(where),
                encrypt(contact) if contact else "",
                blind_index(contact, purpose="phone") if contact else "",
                now,
                now,
            )
        )
        for m in members:
            phone = m["phone"]
            resident_rows.append(
                (
                    m["name"],
                    encrypt(m["id_number"]),
                    m["id_number_hash"],
                    encrypt(phone) if phone else "",
                    blind_index(phone, purpose="phone") if phone else "",
                    m["gender"],
                    m["birth"],
                    household_id,
                    unit.pk,
                    m["relation"],
                    m["is_elderly"],
                    m["is_student"],
                    m["is_finance_staff"],
                    m["is_volunteer"],
                    m["is_key_group"],
                    ResidentSource.REGISTRY.value,
                    now,
                    now,
                )
            )
    with transaction.atomic():
        copy_rows(Household._meta.db_table, HOUSEHOLD_COLUMNS, household_rows)
        copy_rows(Resident._meta.db_table, RESIDENT_COLUMNS, resident_rows)
    return len(household_rows), len(resident_rows)


def scale(run: ScaleRun) -> dict[str, int]:
    """Fill every planned village to its target of residents."""
    households = residents = 0
    for village in run.villages:
        h, r = fill_village(run, village)
        households += h
        residents += r
        if r:
            run.log(f"  {village.town.name} {village.unit.name}: +{r} residents in +{h} households")
    return {"created_households": households, "created_residents": residents}
