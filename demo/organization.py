"""The demo town: a believable Luocun with its villages, grids, offices, schools, police and accounts."""

from contextlib import contextmanager

from django.db import transaction

from organization.models import Role, Unit, UnitKind, User, UserRole
from organization.passwords import DEMO_PASSWORD  # with DEBUG on only: seed_demo --force without DEBUG picks another

_run_password = DEMO_PASSWORD


@contextmanager
def accounts_password(password: str):
    """The password the seeders give demo accounts while this block runs (seed_demo chooses it)."""
    global _run_password
    previous, _run_password = _run_password, password
    try:
        yield
    finally:
        _run_password = previous


def demo_password() -> str:
    return _run_password


def set_demo_password(user: User, *, created: bool) -> bool:
    """Give a demo account this run's password; returns whether it was set (the caller saves the user).

    With the demo password (DEBUG on) an account that lost it gets it back. With a random one, only new
    accounts and those still holding the demo password get it: a password someone chose is kept.
    """
    password = demo_password()
    if password == DEMO_PASSWORD:
        needed = created or not user.check_password(DEMO_PASSWORD)
    else:
        needed = created or user.check_password(DEMO_PASSWORD)
    if needed:
        user.set_password(password)
    return needed


TOWN = ("440605124", "罗村镇", 168_000)
VILLAGES = [
    # code suffix, name, registered population, number of grids
    ("001", "罗村社区", 31_200, 4),
    ("002", "联和村", 18_600, 3),
    ("003", "下柏村", 15_400, 3),
    ("004", "上柏村", 14_900, 3),
    ("005", "芦塘村", 21_300, 3),
    ("006", "沙坑村", 12_800, 2),
    ("007", "北湖村", 16_700, 3),
    ("008", "塱沙村", 13_500, 2),
]
DEPARTMENTS = [
    ("D01", "党政办"),
    ("D02", "宣传办"),
    ("D03", "经发办"),
    ("D04", "综治中心"),
    ("D05", "财审中心"),
]
SCHOOLS = [("S01", "罗村镇中心学校"), ("S02", "罗村中学")]
POLICE_STATION = ("P01", "罗村派出所")

# username, full name, unit code, roles, is_superuser
ACCOUNTS = [
    ("admin", "系统管理员", None, [Role.SYSTEM_ADMIN], True),
    ("leader", "陈志明", "440605124", [Role.LEADERSHIP_LEADER], False),
    ("police", "李警官", "440605124P01", [Role.POLICE], False),
    ("grid_a", "王丽", "440605124001-01", [Role.GRID_WORKER, Role.DISSUASION_TEAM], False),
    ("grid_b", "张伟", "440605124002-01", [Role.GRID_WORKER, Role.DISSUASION_TEAM], False),
    ("head_a", "黄建国", "440605124001", [Role.VILLAGE_HEAD], False),
    ("school", "刘老师", "440605124S02", [Role.SCHOOL_STAFF], False),
    ("school_c", "孙老师", "440605124S01", [Role.SCHOOL_STAFF], False),
    ("publicity", "周宣", "440605124D02", [Role.DEPARTMENT_STAFF], False),
    ("jingfa", "吴经发", "440605124D03", [Role.DEPARTMENT_STAFF], False),
    ("zongzhi", "郑综治", "440605124D04", [Role.DEPARTMENT_STAFF, Role.GOVERNANCE], False),
    ("caishen", "钱财审", "440605124D05", [Role.DEPARTMENT_STAFF], False),
    # A volunteer of 罗村社区, not on its dissuasion team: records visits she takes part in, never confirms.
    ("volunteer_a", "梁秀英", "440605124001", [Role.VOLUNTEER], False),
]


def _unit(code, name, kind, parent=None, population=None) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "parent": parent, "population": population},
    )
    return unit


@transaction.atomic
def seed_organization() -> dict[str, int]:
    code, name, population = TOWN
    # The town stays where it is: seed_scale puts it under a county (and may raise its population).
    placed = Unit.objects.filter(code=code).values("parent", "population").first() or {}
    town = _unit(
        code,
        name,
        UnitKind.TOWN,
        parent=Unit.objects.filter(pk=placed.get("parent")).first(),
        population=max(population, placed.get("population") or 0),
    )
    for suffix, village_name, village_population, grids in VILLAGES:
        village = _unit(f"{code}{suffix}", village_name, UnitKind.VILLAGE, town, village_population)
        for number in range(1, grids + 1):
            _unit(f"{village.code}-{number:02d}", f"{village_name}第{number}网格", UnitKind.GRID, village)
    for suffix, department_name in DEPARTMENTS:
        _unit(f"{code}{suffix}", department_name, UnitKind.DEPARTMENT, town)
    for suffix, school_name in SCHOOLS:
        _unit(f"{code}{suffix}", school_name, UnitKind.SCHOOL, town)
    _unit(f"{code}{POLICE_STATION[0]}", POLICE_STATION[1], UnitKind.POLICE_STATION, town)

    for number, (username, full_name, unit_code, roles, is_superuser) in enumerate(ACCOUNTS):
        user, created = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.mobile = f"1390757{number:04d}"  # demo numbers for the SMS console backend
        user.unit = Unit.objects.get(code=unit_code) if unit_code else None
        user.is_superuser = is_superuser
        user.is_staff = is_superuser
        user.is_active = True
        set_demo_password(user, created=created)
        user.save()
        UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
        for role in roles:
            UserRole.objects.get_or_create(user=user, role=role)
    return {"units": Unit.objects.count(), "users": User.objects.count()}
