"""Demo data of issue 19: the villages' own publicity (五(三)) and the finance and audit centre's roster and a push
(三(七)). Idempotent: activities carry fixed client ids, roster entries are found by their mobile's keyed hash, the
push by its activity's client id.

The demo push is stored as already sent (its SMS marked sent, a few recipients confirmed through their link): the
seeder itself sends nothing. A push sent from the page (``caishen`` → 推送) goes out for real.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from core.crypto import blind_index
from organization.models import Unit, UnitKind, User
from publicity import finance, services
from publicity.models import (
    Activity,
    Category,
    Channel,
    FinancePush,
    FinanceStaff,
    PushRecipient,
    SmsStatus,
)

TOWN_CODE = "440605124"
NAMESPACE = uuid.UUID("5f1d2c1e-19a0-4c55-9d1e-0a19a0a19a19")

# village suffix, key, category, days ago, title, place, audience size
VILLAGE_ACTIVITIES = [
    ("001", "talk", Category.TALK, 6, "社区长者防骗讲座", "罗村社区长者饭堂", 60),
    ("001", "banner", Category.BANNER, 12, "社区出入口悬挂反诈横幅", "罗村社区各出入口", None),
    ("002", "group", Category.GROUP_POST, 3, "村民微信群转发“冒充客服退款”提醒", "联和村村民群", 420),
    ("002", "stall", Category.MARKET_STALL, 20, "赶集日设反诈宣传摊位", "联和村农贸市场", 150),
    ("003", "banner", Category.BANNER, 9, "村委会门前张贴反诈海报", "下柏村村委会", None),
    ("005", "talk", Category.TALK, 15, "祠堂夜话：防范刷单返利诈骗", "芦塘村祠堂", 45),
]

# unit suffix, name, position, mobile (demo numbers)
ROSTER = [
    ("001", "黄会计", "会计", "13902570001"),
    ("002", "林出纳", "出纳", "13902570002"),
    ("002", "何会计", "会计", "13902570003"),
    ("003", "陈会计", "会计", "13902570004"),
    ("004", "梁会计", "会计", "13902570005"),
    ("005", "罗出纳", "出纳", "13902570006"),
    ("006", "邓会计", "会计", "13902570007"),
    ("007", "冯会计", "会计", "13902570008"),
    ("008", "谢会计", "会计", "13902570009"),
    ("D01", "苏会计", "会计", "13902570010"),
    ("D03", "叶出纳", "出纳", "13902570011"),
]
PUSH = (
    "d05-finance-push-real",
    "警惕冒充领导要求转账",
    "凡是自称领导在微信、QQ上要求转账汇款的，一律先电话或当面核实，不核实不转账。",
)
PUSH_DAYS_AGO = 4
CONFIRMED = {"13902570001", "13902570002", "13902570004", "13902570010"}


def _client_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def _units() -> dict[str, Unit]:
    return {unit.code.removeprefix(TOWN_CODE): unit for unit in Unit.objects.filter(code__startswith=TOWN_CODE)}


def _seed_village_activities(units, admin, today) -> int:
    heads = {
        user.unit_id: user for user in User.objects.filter(roles__role="village_head", unit__kind=UnitKind.VILLAGE)
    }
    created = 0
    for suffix, key, category, days_ago, title, place, audience in VILLAGE_ACTIVITIES:
        village = units.get(suffix)
        if village is None:
            continue
        result = services.activity_record(
            actor=heads.get(village.pk, admin),
            unit=village,
            category=category,
            title=title,
            held_on=today - datetime.timedelta(days=days_ago),
            client_id=_client_id(f"village-{suffix}-{key}"),
            place=place,
            audience_size=audience,
            channel=Channel.WECHAT_GROUP if category == Category.GROUP_POST else Channel.ON_SITE,
        )
        created += result.created
    return created


def _seed_roster(units, keeper) -> list[FinanceStaff]:
    staff = []
    for suffix, name, position, mobile in ROSTER:
        unit = units.get(suffix)
        if unit is None:
            continue
        found = FinanceStaff.objects.filter(keeper=keeper, mobile_hash=blind_index(mobile, purpose="phone")).first()
        if found is None:
            found = FinanceStaff(keeper=keeper, unit=unit, name=name, position=position)
            found.set_mobile(mobile)
            found.save()
        staff.append(found)
    return staff


def _seed_push(keeper, sender, staff, now) -> int:
    key, title, message = PUSH
    if Activity.objects.filter(client_id=_client_id(key)).exists():
        return 0
    sent_at = now - datetime.timedelta(days=PUSH_DAYS_AGO)
    activity = Activity.objects.create(
        client_id=_client_id(key),
        unit=keeper,
        category=Category.FINANCE_PUSH,
        title=title,
        held_on=timezone.localtime(sent_at).date(),
        channel=Channel.SMS,
        audience_size=len(staff),
        description=message,
        recorded_by=sender,
    )
    push = FinancePush.objects.create(
        activity=activity,
        message=message,
        sent_by=sender,
        sent_at=sent_at,
        links_expire_at=sent_at + datetime.timedelta(days=finance.LINK_DAYS),
    )
    push.audience.set({member.unit_id for member in staff})
    for member in staff:
        confirmed = member.mobile in CONFIRMED
        PushRecipient.objects.create(
            activity=activity,
            staff=member,
            name=member.name,
            organisation=member.unit.name,
            recipient_unit=member.unit,
            sms_status=SmsStatus.SENT,
            sms_attempts=1,
            sms_sent_at=sent_at,
            read_confirmed_at=sent_at + datetime.timedelta(hours=3) if confirmed else None,
            confirmed_via_link=confirmed,
        )
    return 1


def seed() -> dict:
    units = _units()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    keeper = units.get("D05")
    if not units or admin is None or keeper is None:
        return {}
    sender = User.objects.filter(username="caishen").first() or admin
    now = timezone.now()
    with transaction.atomic():
        activities = _seed_village_activities(units, admin, timezone.localdate())
        staff = _seed_roster(units, keeper)
        pushes = _seed_push(keeper, sender, staff, now)
    return {"village_activities": activities, "finance_staff": len(staff), "finance_pushes": pushes}
