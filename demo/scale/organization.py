"""Scale generator, units: the county, the demo town filled out, and further towns of the same shape.

Every town has the demo town's shape: its eight villages with their registered populations (罗村社区 31,200 …
塱沙村 13,500), further villages of about :data:`EXTRA_VILLAGE_SIZE` people up to the town's population, grids
of about :data:`GRID_HOUSEHOLDS` households, five offices, a police station and schools (primary and middle
schools sized like the demo's: about the residents of their grades' ages). A town below the eight villages'
sum keeps only them, each scaled down. The demo town goes under the county 南海区 (``440605``); the further
towns get codes ``440605125``, ``440605126``, … so the demo town stays first. Units are written with their
history (they are few); the demo accounts keep their units, hence their scopes.
"""

from __future__ import annotations

import math

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from demo.organization import DEPARTMENTS, POLICE_STATION, TOWN, VILLAGES
from demo.scale import ScaleRun, TownPlan, VillagePlan, split
from organization.access import unit_tree_changed
from organization.models import PATH_SEPARATOR, Role, Unit, UnitKind, User

COUNTY = ("440605", "南海区")
EXTRA_VILLAGE_SIZE = 6_000  # people in each village added beyond the demo's eight
GRID_HOUSEHOLDS = 300  # households per grid
PEOPLE_PER_HOUSEHOLD = 3.22  # the registry demo's mean household size (demo.residents.HOUSEHOLD_SIZE_WEIGHTS)
# Students per resident in the demo town's schools (162 in grades 4-6 and 240 in grades 7-9 for 4,736
# residents), and how many students one school takes at scale.
PRIMARY_SHARE = 162 / 4736
MIDDLE_SHARE = 240 / 4736
STUDENTS_PER_SCHOOL = 1_200
FIRST_TOWN_NUMBER = 125  # the demo town is 440605124
TOWN_NAMES = "西樵 九江 丹灶 大沥 里水 和顺 松岗 官窑 小塘 平洲 盐步 黄岐 沙头 金沙 大岗 桂城 罗洞 南庄 石门".split()
NAME_CHARS = "东西南北上下新大小沙塘岗龙凤石岭湖田桥头涌边冲坑洲水竹荔松柏".strip()
VILLAGE_ENDINGS = ("村", "村", "村", "社区")
TEAM_ROLES = (Role.DISSUASION_TEAM, Role.GRID_WORKER)


class ScaleError(Exception):
    """The generator cannot run on this database (say why)."""


def village_targets(population: int) -> list[int]:
    """The residents of each village of a town of ``population`` people (the demo's eight first)."""
    registered = [row[2] for row in VILLAGES]
    if population <= sum(registered):
        return split(population, registered)
    rest = population - sum(registered)
    return registered + split(rest, [1] * max(1, round(rest / EXTRA_VILLAGE_SIZE)))


def _grid_count(residents: int) -> int:
    return max(1, math.ceil(residents / PEOPLE_PER_HOUSEHOLD / GRID_HOUSEHOLDS))


def _school_count(students: float) -> int:
    return max(1, round(students / STUDENTS_PER_SCHOOL))


def _town_name(number: int) -> str:
    if number < len(TOWN_NAMES):
        return TOWN_NAMES[number] + "镇"
    return NAME_CHARS[number % len(NAME_CHARS)] + NAME_CHARS[(number // len(NAME_CHARS)) % len(NAME_CHARS)] + "镇"


def _village_name(run: ScaleRun, town_code: str, index: int, used: set[str]) -> str:
    rng = run.rng("village-name", town_code, index)
    while True:
        name = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS) + rng.choice(VILLAGE_ENDINGS)
        if name not in used:
            used.add(name)
            return name


class _Units:
    """The units below the county, by code; new ones are collected and written in one go per level."""

    def __init__(self):
        self.by_code = {unit.code: unit for unit in Unit.objects.filter(code__startswith=COUNTY[0])}
        self.pending: list[Unit] = []

    def ensure(self, code: str, name: str, kind: str, parent: Unit | None, population: int | None = None) -> Unit:
        unit = self.by_code.get(code)
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, parent=parent, population=population)
            unit.path = (parent.path if parent else PATH_SEPARATOR) + code + PATH_SEPARATOR
            self.by_code[code] = unit
            self.pending.append(unit)
        return unit

    def flush(self) -> int:
        created = len(self.pending)
        if self.pending:
            bulk_create_with_history(self.pending, Unit, default_change_reason="seed_scale")
            unit_tree_changed()  # no post_save signal for a bulk write
            saved = {unit.code: unit for unit in Unit.objects.filter(code__in=[u.code for u in self.pending])}
            self.by_code.update(saved)
            self.pending = []
        return created


def _children(units: _Units, parent: Unit, kind: str) -> list[Unit]:
    prefix = parent.code
    return sorted(
        (
            u
            for u in units.by_code.values()
            if u.kind == kind and u.parent_id == parent.pk and u.code.startswith(prefix)
        ),
        key=lambda u: u.code,
    )


@transaction.atomic
def plan_units(run: ScaleRun) -> dict[str, int]:
    """Create the county, towns, villages, grids, offices, police stations and schools; fill ``run.plan``."""
    demo_town = Unit.objects.filter(code=TOWN[0], kind=UnitKind.TOWN).first()
    if demo_town is None:
        raise ScaleError("The demo town is missing: run `manage.py seed_demo` first.")
    per_town = split(run.residents, [1] * run.towns)
    units = _Units()
    county = units.ensure(COUNTY[0], COUNTY[1], UnitKind.COUNTY, None)
    created = units.flush()
    county = units.by_code[COUNTY[0]]
    county_population = sum(per_town[1:]) + max(demo_town.population or 0, per_town[0])
    if county.population != county_population:
        county.population = county_population
        county.save(update_fields=["population"])
    if demo_town.parent_id != county.pk:
        demo_town.parent = county
        demo_town.save()  # rewrites the paths below it
        units = _Units()
    demo_town = units.by_code[TOWN[0]]
    if per_town[0] > (demo_town.population or 0):
        demo_town.population = per_town[0]
        demo_town.save(update_fields=["population"])

    # Towns, then their villages and offices, then grids: one bulk write per level.
    towns = [demo_town]
    for number in range(1, run.towns):
        code = f"{COUNTY[0]}{FIRST_TOWN_NUMBER + number - 1:03d}"
        towns.append(units.ensure(code, _town_name(number - 1), UnitKind.TOWN, county, per_town[number]))
    created += units.flush()
    towns = [units.by_code[town.code] for town in towns]

    shapes = []
    for number, (town, population) in enumerate(zip(towns, per_town, strict=True)):
        targets = village_targets(population)
        used_names = {row[1] for row in VILLAGES}
        villages = []
        for index, target in enumerate(targets):
            code = f"{town.code}{index + 1:03d}"
            if number == 0 and index < len(VILLAGES):
                name = VILLAGES[index][1]
            else:
                name = _village_name(run, town.code, index, used_names)
            villages.append((units.ensure(code, name, UnitKind.VILLAGE, town, target), target))
        for suffix, department in DEPARTMENTS:
            units.ensure(f"{town.code}{suffix}", department, UnitKind.DEPARTMENT, town)
        units.ensure(f"{town.code}{POLICE_STATION[0]}", f"{town.name[:-1]}派出所", UnitKind.POLICE_STATION, town)
        short = town.name[:-1]
        primary = [f"{short}镇中心学校"] + [
            f"{short}第{n}小学" for n in range(2, 1 + _school_count(population * PRIMARY_SHARE))
        ]
        middle = [f"{short}中学"] + [
            f"{short}第{n}中学" for n in range(2, 1 + _school_count(population * MIDDLE_SHARE))
        ]
        # S01 is the central primary school and S02 the middle school, as in the demo town; then alternating.
        codes = {"primary": [], "middle": []}
        for kind, names in (("primary", primary), ("middle", middle)):
            for position, name in enumerate(names):
                number_ = 1 + (0 if kind == "primary" else 1) + 2 * position
                code = f"{town.code}S{number_:02d}"
                existing = units.by_code.get(code)
                units.ensure(code, name if existing is None else existing.name, UnitKind.SCHOOL, town)
                codes[kind].append(code)
        shapes.append((town, population, villages, codes))
    created += units.flush()

    for _town, _population, villages, _codes in shapes:
        for village, target in villages:
            village = units.by_code[village.code]
            have = _children(units, village, UnitKind.GRID)
            for number in range(len(have) + 1, _grid_count(target) + 1):
                units.ensure(f"{village.code}-{number:02d}", f"{village.name}第{number}网格", UnitKind.GRID, village)
    created += units.flush()

    police = User.objects.filter(username="police", is_active=True, unit__code=f"{TOWN[0]}{POLICE_STATION[0]}").first()
    run.plan = []
    for number, (town, population, villages, codes) in enumerate(shapes):
        town = units.by_code[town.code]
        plan = TownPlan(
            unit=town,
            target=population,
            primary_schools=[units.by_code[code] for code in codes["primary"]],
            middle_schools=[units.by_code[code] for code in codes["middle"]],
            police_user_id=police.pk if (police and number == 0) else None,
            is_demo=number == 0,
        )
        for index, (village, target) in enumerate(villages):
            village = units.by_code[village.code]
            team = (
                User.objects.filter(is_active=True, unit__path__startswith=village.path, roles__role__in=TEAM_ROLES)
                .order_by("username")
                .values_list("pk", flat=True)
                .first()
            )
            plan.villages.append(
                VillagePlan(
                    unit=village,
                    town=town,
                    target=target,
                    grids=_children(units, village, UnitKind.GRID),
                    team_user_id=team,
                    index=index,
                )
            )
        run.plan.append(plan)
    return {
        "towns": len(towns),
        "villages": sum(len(t.villages) for t in run.plan),
        "grids": sum(len(v.grids) for v in run.villages),
        "created_units": created,
    }
