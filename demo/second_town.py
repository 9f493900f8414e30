"""The county around the demo town, and a second, small town in it (issue 18): county leadership over both.

南海区 (the county, its anti-fraud centre's account ``county``) holds 罗村镇 (the demo town) and 九江镇: two villages
with two grids each, a few households, its own police station, and accounts ``leader2`` (its leadership),
``police2`` (its police) and ``grid2`` (a grid worker). 九江镇 prints its own letter and numbers and works to its
own plan (``TownSettings``); 罗村镇 keeps the installation's. Each town sets its own semester (its school calendar).
Idempotent, like every seeder.
"""

from __future__ import annotations

import itertools

from django.db import transaction
from django.utils import timezone

from demo.education import town_semester
from demo.organization import TOWN, set_demo_password
from demo.residents import _village_plan, write_village_plan
from organization.models import Role, TownSettings, Unit, UnitKind, User, UserRole

# The county's code is that of the scale generator (demo/scale/organization.py): seed_scale finds it in place.
COUNTY = ("440605", "南海区")
SECOND_TOWN = ("440605121", "九江镇", 18_400)
SECOND_VILLAGES = [("001", "璜矶村", 9_800), ("002", "烟南村", 8_600)]
GRIDS_PER_VILLAGE = 2
HOUSEHOLDS_PER_VILLAGE = 4
SECOND_STATION = ("P01", "九江派出所")

# username, full name, unit code, roles
SECOND_ACCOUNTS = [
    ("county", "何主任", COUNTY[0], [Role.COUNTY_LEADERSHIP]),
    ("leader2", "冯镇长", SECOND_TOWN[0], [Role.LEADERSHIP_LEADER]),
    ("police2", "潘警官", f"{SECOND_TOWN[0]}{SECOND_STATION[0]}", [Role.POLICE]),
    ("grid2", "邓敏", f"{SECOND_TOWN[0]}001-01", [Role.GRID_WORKER, Role.DISSUASION_TEAM]),
]

# 九江镇's own wording and numbers (the letter's closing, the card, the plan): what differs between towns.
SECOND_TOWN_SETTINGS = {
    "plan_title": "九江镇防范治理电信网络新型违法犯罪宣防活动实施方案",
    "plan_number": "九办发〔2024〕8号",
    "letter_closing": "九江镇防范治理电信网络新型违法犯罪工作领导小组\n九江派出所",
    "card_closing": "九江派出所 · 九江镇防范治理电信网络新型违法犯罪工作领导小组",
    "police_contacts": "九江派出所值班室 0757-86501110\n全国反诈专线 96110\n报警电话 110",
}


def _unit(code, name, kind, parent=None, population=None) -> Unit:
    unit, _created = Unit.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, "population": population}
    )
    return unit


def _place_demo_town(county: Unit) -> None:
    town = Unit.objects.filter(code=TOWN[0], kind=UnitKind.TOWN).first()
    if town is not None and town.parent_id != county.pk:
        town.parent = county
        town.save()  # rewrites the paths below it


def _households(village: Unit, grids: list[Unit]) -> tuple[int, int]:
    today = timezone.localdate()
    plan = list(itertools.islice(_village_plan(village, grids, 0, set(), today), HOUSEHOLDS_PER_VILLAGE))
    return write_village_plan(village, plan)


@transaction.atomic
def seed() -> dict[str, int]:
    county_population = Unit.objects.filter(code=COUNTY[0]).values_list("population", flat=True).first()
    county = _unit(COUNTY[0], COUNTY[1], UnitKind.COUNTY, population=county_population)
    _place_demo_town(county)
    code, name, population = SECOND_TOWN
    town = _unit(code, name, UnitKind.TOWN, county, population)
    _unit(f"{code}{SECOND_STATION[0]}", SECOND_STATION[1], UnitKind.POLICE_STATION, town)
    households = residents = 0
    for suffix, village_name, village_population in SECOND_VILLAGES:
        village = _unit(f"{code}{suffix}", village_name, UnitKind.VILLAGE, town, village_population)
        grids = [
            _unit(f"{village.code}-{number:02d}", f"{village_name}第{number}网格", UnitKind.GRID, village)
            for number in range(1, GRIDS_PER_VILLAGE + 1)
        ]
        made = _households(village, grids)
        households, residents = households + made[0], residents + made[1]
    TownSettings.objects.update_or_create(unit=town, defaults=SECOND_TOWN_SETTINGS)
    town_semester(town, timezone.localdate())  # its own school calendar (no school of its own named)

    for number, (username, full_name, unit_code, roles) in enumerate(SECOND_ACCOUNTS):
        user, created = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.mobile = f"1390758{number:04d}"  # demo numbers for the SMS console backend
        user.unit = Unit.objects.get(code=unit_code)
        user.is_superuser = user.is_staff = False
        user.is_active = True
        set_demo_password(user, created=created)
        user.save()
        UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
        for role in roles:
            UserRole.objects.get_or_create(user=user, role=role)
    return {
        "towns": Unit.objects.filter(kind=UnitKind.TOWN, parent=county).count(),
        "created_households": households,
        "created_residents": residents,
    }
