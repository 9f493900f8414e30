from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organization.models import Unit, UnitKind, User

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = ["admin", "leader", "police", "grid_a", "grid_b", "head_a", "school", "county", "leader2", "police2"]


def test_seed_demo_builds_the_town_and_the_accounts(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    luocun = Unit.objects.filter(path__startswith="/440605/440605124/")  # the demo town, under its county
    assert luocun.filter(kind=UnitKind.VILLAGE).count() == 8
    assert luocun.filter(kind=UnitKind.GRID).count() >= 16
    assert set(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True)) == {
        "党政办",
        "宣传办",
        "经发办",
        "综治中心",
        "财审中心",
    }
    assert set(Unit.objects.filter(kind=UnitKind.SCHOOL).values_list("name", flat=True)) == {
        "罗村镇中心学校",
        "罗村中学",
    }
    assert luocun.filter(kind=UnitKind.POLICE_STATION).count() == 1
    # The county's second, small town (demo.second_town): two villages, its own police station and leadership
    jiujiang = Unit.objects.filter(path__startswith="/440605/440605121/")
    assert jiujiang.filter(kind=UnitKind.VILLAGE).count() == 2
    assert jiujiang.filter(kind=UnitKind.POLICE_STATION).count() == 1
    assert User.objects.get(username="leader2").unit.code == "440605121"
    assert User.objects.get(username="county").unit.kind == UnitKind.COUNTY
    for username in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password("demo12345")
    grid_a, grid_b = User.objects.get(username="grid_a"), User.objects.get(username="grid_b")
    assert grid_a.unit.village != grid_b.unit.village
    assert User.objects.get(username="head_a").unit == grid_a.unit.village


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Unit.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Unit.objects.count(), User.objects.count()) == counts


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Unit.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Unit.objects.exists()
