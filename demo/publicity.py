"""Demo data for the publicity work (run by seed_demo, idempotent): the departments' duties and
targets, activities of every department, the police station and both schools (recorded through the
services as the demo users), the volunteer roster, venues with joint inspections (some items failed,
some of them fixed since), and a work plan per unit with some tasks overdue.

The content is in the tables below (:data:`ACTIVITIES`, :data:`VENUES`, :data:`PLAN_TASKS` …); the builders
under them turn each row into records through ``publicity.services``. Days are counted back from today.
Activities and inspections have fixed client ids (uuid5 of a key), plans, tasks, venues and volunteers are
found by name: a re-run, even on a later day, creates nothing new.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from demo.organization import TOWN, VILLAGES
from organization.models import Unit, User
from publicity import services
from publicity.models import (
    Activity,
    ActivityTarget,
    Category,
    Channel,
    Duty,
    Inspection,
    InspectionItem,
    LegalPlace,
    TargetPeriod,
    TaskStatus,
    UnitDuty,
    Venue,
    VenueKind,
    Volunteer,
    VolunteerGroup,
    WorkPlan,
    WorkTask,
)

NAMESPACE = uuid.UUID("6f1b7a52-3c1e-4d8a-9a57-5b0c2f1d9e10")
TOWN_CODE = TOWN[0]

# --- The tables --------------------------------------------------------------------------------------------------

DUTIES = {
    "D02": Duty.PUBLICITY_OFFICE,
    "D03": Duty.ECONOMIC_OFFICE,
    "D04": Duty.GOVERNANCE_CENTRE,
    "D05": Duty.FINANCE_AUDIT,
}
# unit suffix: [(category, period, required)]
TARGETS = {
    "D02": [
        (Category.COLUMN_POST, TargetPeriod.MONTH, 4),
        (Category.TALK, TargetPeriod.MONTH, 2),
        (Category.VOLUNTEER_ACTIVITY, TargetPeriod.MONTH, 1),
        (Category.MP3_BROADCAST, TargetPeriod.MONTH, 1),
        (Category.YOUTH_ACTIVITY, TargetPeriod.QUARTER, 2),
        (Category.MICRO_FILM, TargetPeriod.YEAR, 2),
    ],
    "D03": [(Category.JOINT_INSPECTION, TargetPeriod.MONTH, 4), (Category.VENUE_GUIDANCE, TargetPeriod.QUARTER, 2)],
    "D04": [(Category.CASE_MEETING, TargetPeriod.MONTH, 1), (Category.LEGAL_EDUCATION, TargetPeriod.MONTH, 2)],
    "D05": [(Category.FINANCE_PUSH, TargetPeriod.MONTH, 4)],
    "P01": [(Category.TYPICAL_CASE, TargetPeriod.MONTH, 2), (Category.POLICE_POST, TargetPeriod.MONTH, 4)],
    "S01": [(Category.STAFF_EDUCATION, TargetPeriod.QUARTER, 1)],
    "S02": [(Category.STAFF_EDUCATION, TargetPeriod.QUARTER, 1)],
}


@dataclass(frozen=True)
class Meeting:
    """A case analysis meeting (研判会商): who came, the cases discussed, the decisions (text, who, due in days)."""

    attendees: tuple[tuple[str, str], ...]
    cases: tuple[tuple[str, str], ...]
    decisions: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class Act:
    """One activity, recorded by ``by`` for the unit ``unit`` (a code suffix) ``ago`` days back."""

    key: str  # its client id's seed
    unit: str
    by: str
    category: str
    ago: int
    title: str
    place: str = ""
    channel: str = Channel.ON_SITE  # on site: with a photo as evidence
    audience: int | None = None
    links: tuple[tuple[str, str], ...] = ()
    legal_place: str = ""
    meeting: Meeting | None = None
    push: bool = False  # a finance push to one finance staff member per village, 70 % confirmed read


def link(url: str, text: str) -> tuple[tuple[str, str], ...]:
    return ((url, text),)


ATTENDEES = (("陈副书记", "镇党委"), ("李警官", "罗村派出所"), ("郑综治", "综治中心"))
# fmt: off
ACTIVITIES = (
    # 宣传办 (D02)
    Act("d02-col-1", "D02", "publicity", Category.COLUMN_POST, 3, "公众号“反诈专栏”第12期：刷单返利骗局",
        channel=Channel.WECHAT_ACCOUNT, links=link("https://mp.weixin.qq.com/s/luocun-fanzha-12", "反诈专栏第12期")),
    Act("d02-col-2", "D02", "publicity", Category.COLUMN_POST, 12, "镇政府网站开设防骗宣传专栏",
        channel=Channel.WEBSITE, links=link("https://www.luocun.gov.cn/fanzha/", "防骗宣传专栏")),
    Act("d02-col-3", "D02", "publicity", Category.COLUMN_POST, 20, "视频号发布《冒充客服退款》短视频",
        channel=Channel.VIDEO_CHANNEL, links=link("https://channels.weixin.qq.com/luocun/fz-07", "冒充客服退款")),
    Act("d02-ad-1", "D02", "publicity", Category.PUBLIC_SERVICE_AD, 9, "镇文化广场大屏植入防骗公益广告",
        "罗村文化广场", Channel.LED, audience=1200),
    Act("d02-film-1", "D02", "publicity", Category.MICRO_FILM, 40, "防骗微电影《一通电话》首映", "罗村镇文化站",
        audience=180),
    Act("d02-mp3-1", "D02", "publicity", Category.MP3_BROADCAST, 5, "各村居大喇叭播放防骗MP3", "全镇各村居",
        Channel.BROADCAST),
    Act("d02-talk-1", "D02", "publicity", Category.TALK, 6, "防骗宣讲进社区：老年人防骗知识讲座",
        "罗村社区党群服务中心", audience=85),
    Act("d02-talk-2", "D02", "publicity", Category.TALK, 25, "企业员工防骗宣讲", "罗村工业园", audience=140),
    Act("d02-vol-1", "D02", "publicity", Category.VOLUNTEER_ACTIVITY, 8, "志愿者街头派发《一封信》", "罗村步行街",
        audience=600),
    Act("d02-youth-1", "D02", "publicity", Category.YOUTH_ACTIVITY, 15, "团员青年“反诈青春行”主题活动", "罗村中学",
        audience=90),
    # 经发办 (D03)
    Act("d03-guide-1", "D03", "jingfa", Category.VENUE_GUIDANCE, 10, "指导商场超市播放防骗微广播", "罗村各大商超"),
    # 综治中心 (D04): the case meetings and the legal education
    Act("d04-meet-1", "D04", "zongzhi", Category.CASE_MEETING, 4, "十一月电信网络诈骗案件研判会商", "综治中心会议室",
        meeting=Meeting(
            attendees=(*ATTENDEES, ("何律师", "镇法律顾问")),
            cases=(("LC2026110301", "刷单返利案，涉案资金流向三个一级账户"),
                   ("LC2026110917", "冒充客服退款案，追赃挽损进展")),
            decisions=(("协调银行加快冻结涉案一级账户", "罗村派出所", 10), ("对涉案村居开展集中宣传", "宣传办", 20)),
        )),
    Act("d04-meet-2", "D04", "zongzhi", Category.CASE_MEETING, 34, "十月电信网络诈骗案件研判会商", "综治中心会议室",
        meeting=Meeting(
            attendees=ATTENDEES,
            cases=(("LC2026100512", "虚假投资理财案，证据标准问题"),),
            decisions=(("与检察院沟通证据标准", "综治中心", -5),),
        )),
    Act("d04-law-1", "D04", "zongzhi", Category.LEGAL_EDUCATION, 7, "法律进乡村：反电信网络诈骗法宣讲", "联和村村委会",
        audience=70, legal_place=LegalPlace.VILLAGES),
    Act("d04-law-2", "D04", "zongzhi", Category.LEGAL_EDUCATION, 18, "法律进企业：冒充领导诈骗财务人员案例",
        "罗村工业园", audience=55, legal_place=LegalPlace.ENTERPRISES),
    Act("d04-law-3", "D04", "zongzhi", Category.LEGAL_EDUCATION, 29, "法律进学校：青少年防骗法治课", "罗村镇中心学校",
        audience=320, legal_place=LegalPlace.SCHOOLS),
    # 财审中心 (D05): pushes to the villages' finance staff
    Act("d05-push-1", "D05", "caishen", Category.FINANCE_PUSH, 2, "推送：警惕冒充领导要求转账",
        channel=Channel.WECHAT_GROUP, push=True),
    Act("d05-push-2", "D05", "caishen", Category.FINANCE_PUSH, 24, "推送：财务人员防范“假冒领导QQ”诈骗",
        channel=Channel.QQ, push=True),
    # 罗村派出所 (P01)
    Act("p01-case-1", "P01", "police", Category.TYPICAL_CASE, 5, "以案释法：刷单返利被骗3.2万元",
        channel=Channel.WECHAT_ACCOUNT, links=link("https://mp.weixin.qq.com/s/luocun-police-case-31", "以案释法")),
    Act("p01-case-2", "P01", "police", Category.TYPICAL_CASE, 19, "典型案例：冒充公检法“安全账户”骗局",
        channel=Channel.WEIBO, links=link("https://weibo.com/luocunpolice/48201", "典型案例")),
    Act("p01-save-1", "P01", "police", Category.DISSUASION_STORY, 11, "民警上门劝阻，成功保住群众20万元",
        channel=Channel.WECHAT_ACCOUNT, links=link("https://mp.weixin.qq.com/s/luocun-police-save-12", "成功劝阻")),
    Act("p01-gang-1", "P01", "police", Category.GANG_BUSTED, 27, "打掉一个帮助信息网络犯罪团伙",
        channel=Channel.WECHAT_ACCOUNT, links=link("https://mp.weixin.qq.com/s/luocun-police-gang-3", "打掉犯罪团伙")),
    Act("p01-post-1", "P01", "police", Category.POLICE_POST, 1, "微博：年终防骗提示",
        channel=Channel.WEIBO, links=link("https://weibo.com/luocunpolice/48388", "年终防骗提示")),
    Act("p01-post-2", "P01", "police", Category.POLICE_POST, 13, "公众号：国家反诈中心APP使用指南",
        channel=Channel.WECHAT_ACCOUNT, links=link("https://mp.weixin.qq.com/s/luocun-police-app", "APP使用指南")),
    # The schools (their staff education is the education app's staff sessions, recorded once, not an activity)
    Act("s02-talk-1", "S02", "school", Category.TALK, 30, "家长会防骗宣讲", "罗村中学", audience=410),
    Act("s01-talk-1", "S01", "school_c", Category.TALK, 21, "家长学校防骗专题讲座", "罗村镇中心学校", audience=130),
)
# fmt: on
FINANCE_STAFF = ["黄会计", "林出纳", "梁会计", "何出纳", "陈会计", "冯会计", "罗出纳", "邓会计"]  # one per village

# 宣传办's volunteer roster: (name, group, organisation)
VOLUNTEERS = [
    ("陈嘉怡", VolunteerGroup.LEAGUE_MEMBER, "镇团委"),
    ("梁子健", VolunteerGroup.LEAGUE_MEMBER, "镇团委"),
    ("何晓彤", VolunteerGroup.YOUTH_ORGANISATION, "罗村青年志愿者协会"),
    ("黄志明", VolunteerGroup.YOUTH_ORGANISATION, "罗村青年志愿者协会"),
    ("罗美玲", VolunteerGroup.CIVIL_SERVANT, "宣传办"),
    ("冯国强", VolunteerGroup.GRID_WORKER, "罗村社区"),
    ("林慧敏", VolunteerGroup.GRID_WORKER, "联和村"),
    ("邓伟杰", VolunteerGroup.RESIDENT, "下柏村"),
    ("潘丽华", VolunteerGroup.RESIDENT, "芦塘村"),
    ("关少华", VolunteerGroup.RESIDENT, "北湖村"),
]


@dataclass(frozen=True)
class Round:
    """A joint inspection ``ago`` days back: every item checked, ``failed`` maps the failed ones to the day they
    were fixed since (days back) or None (still open)."""

    ago: int
    failed: dict[str, int | None] = field(default_factory=dict)


INSPECTION_ITEMS = ("broadcast", "led", "qr_code")
# 经发办's venues: (name, kind, village suffix, inspections)
VENUES = [
    ("罗村广场购物中心", VenueKind.SHOPPING_CENTRE, "001", (Round(40, {"broadcast": 30}), Round(9, {"led": None}))),
    ("百佳超市罗村店", VenueKind.SUPERMARKET, "001", (Round(12, {"qr_code": None}),)),
    ("联和农贸市场", VenueKind.CROWDED_PLACE, "002", (Round(20, {"broadcast": 5, "qr_code": None}),)),
    ("下柏天虹超市", VenueKind.SUPERMARKET, "003", (Round(6),)),
    ("罗村汽车客运站", VenueKind.CROWDED_PLACE, "005", (Round(3, {"led": None}),)),
]
INSPECTORS = "吴经发、李警官、移动公司网格经理"

# A work plan for each of these units (code suffixes; "" is the town), with these tasks
PLAN_UNITS = ("D01", "D02", "D03", "D04", "D05", "P01", "S01", "S02", *(suffix for suffix, *_r in VILLAGES), "")
PLAN_TASKS = [
    # title, days from today for the deadline, status
    ("制定本单位防骗宣传具体工作方案", -60, TaskStatus.DONE),
    ("明确具体工作负责人并报领导小组", -45, TaskStatus.DONE),
    ("完成本季度防骗宣传活动并留存影像资料", -7, TaskStatus.IN_PROGRESS),
    ("报送宣传工作阶段性总结", -3, TaskStatus.TODO),
    ("开展年终防骗集中宣传", 20, TaskStatus.TODO),
]


# --- The builders ------------------------------------------------------------------------------------------------


def _photo(key: str, rng: random.Random):
    """A small placeholder photo (a coloured scene) as checked evidence."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from core.uploads import check_upload

    image = Image.new("RGB", (640, 480), (rng.randrange(40, 200), rng.randrange(80, 200), rng.randrange(120, 230)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 300, 580, 440), fill=(245, 245, 240))  # a banner
    draw.rectangle((90, 330, 550, 360), fill=(200, 30, 30))
    for index in range(8):  # the audience
        x = 70 + index * 65
        draw.ellipse((x, 200, x + 40, 240), fill=(60, 50, 45))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return check_upload(SimpleUploadedFile(f"{key}.jpg", out.getvalue(), content_type="image/jpeg"))


def _client_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _units() -> dict[str, Unit]:
    return {unit.code.removeprefix(TOWN_CODE): unit for unit in Unit.objects.filter(code__startswith=TOWN_CODE)}


def _seed_config(units) -> None:
    for suffix, duty in DUTIES.items():
        if suffix in units:
            UnitDuty.objects.get_or_create(unit=units[suffix], duty=duty)
    for suffix, targets in TARGETS.items():
        if suffix not in units:
            continue
        for category, period, required in targets:
            ActivityTarget.objects.get_or_create(
                unit=units[suffix], category=category, defaults={"period": period, "required": required}
            )


def _activity_details(row: Act, held_on: datetime.date, villages: list[Unit]) -> dict:
    """What the row adds to the activity: links, audience, legal place; a meeting's record; a push's recipients."""
    details = {"links": list(row.links), "audience_size": row.audience, "legal_place": row.legal_place}
    if row.meeting is not None:
        details["attendees"] = list(row.meeting.attendees)
        details["cases"] = list(row.meeting.cases)
        details["decisions"] = [
            (text, who, held_on + datetime.timedelta(days=due)) for text, who, due in row.meeting.decisions
        ]
        details["audience_size"] = len(row.meeting.attendees)
    if row.push:
        details["recipients"] = [(FINANCE_STAFF[i], village.name) for i, village in enumerate(villages)]
        details["audience_size"] = len(villages)
    return details


def _seed_activities(units, users, today, rng) -> int:
    created = 0
    existing = set(
        Activity.objects.filter(client_id__in=[_client_id(row.key) for row in ACTIVITIES]).values_list(
            "client_id", flat=True
        )
    )
    villages = [units[suffix] for suffix, *_rest in VILLAGES if suffix in units]
    for row in ACTIVITIES:
        if _client_id(row.key) in existing or row.unit not in units or row.by not in users:
            continue
        held_on = _days_ago(today, row.ago)
        result = services.activity_record(
            actor=users[row.by],
            unit=units[row.unit],
            category=row.category,
            title=row.title,
            held_on=held_on,
            client_id=_client_id(row.key),
            place=row.place,
            channel=row.channel,
            uploads=[_photo(row.key, rng)] if row.channel == Channel.ON_SITE else [],
            **_activity_details(row, held_on, villages),
        )
        if row.push:  # most recipients confirm they read it, the afternoon it was sent
            recipients = list(result.activity.recipients.order_by("pk"))
            held = datetime.datetime.combine(result.activity.held_on, datetime.time(16, 30))
            services.recipients_confirm_read(
                actor=users[row.by],
                activity=result.activity,
                recipient_ids=[r.pk for r in recipients if rng.random() < 0.7],
                confirmed_at=timezone.make_aware(held),
            )
        created += result.created
    return created


def _seed_volunteers(unit) -> int:
    created = 0
    for index, (name, group, organisation) in enumerate(VOLUNTEERS):
        _volunteer, was_created = Volunteer.objects.get_or_create(
            unit=unit,
            name=name,
            defaults={
                "group": group,
                "organisation": organisation,
                "phone": f"1380757{index:04d}",
                "joined_on": datetime.date(2026, 3, 1) + datetime.timedelta(days=index * 9),
            },
        )
        created += was_created
    return created


def _inspect(user, venue, key: str, round_: Round, today, rng) -> int:
    """One joint inspection of ``venue`` (once, by its client id), and the fixes of its failed items since."""
    client_id = _client_id(key)
    if Inspection.objects.filter(client_id=client_id).exists():
        return 0
    day = _days_ago(today, round_.ago)
    items = [
        {"item": item, "passed": True, "note": "", "fix_deadline": None}
        if item not in round_.failed
        else {"item": item, "passed": False, "note": "现场检查未落实", "fix_deadline": day + datetime.timedelta(days=7)}
        for item in INSPECTION_ITEMS
    ]
    result = services.inspection_record(
        actor=user,
        venue=venue,
        inspected_on=day,
        items=items,
        client_id=client_id,
        inspectors=INSPECTORS,
        with_police=True,
        carriers="中国移动、中国电信",
        uploads=[_photo(key, rng)],
    )
    for item, fixed_ago in round_.failed.items():
        if fixed_ago is None:
            continue
        row = InspectionItem.objects.get(inspection=result.inspection, item=item)
        if row.is_open:
            services.inspection_item_fix(
                actor=user, item=row, fixed_on=_days_ago(today, fixed_ago), fix_note="已整改，复查通过"
            )
    return result.created


def _seed_venues(units, user, today, rng) -> tuple[int, int]:
    unit = units["D03"]
    venues = inspections = 0
    for index, (name, kind, village_suffix, rounds) in enumerate(VENUES):
        venue = Venue.objects.filter(unit=unit, name=name).first()
        if venue is None:
            venue = services.venue_create(
                actor=user, unit=unit, name=name, kind=kind, village=units.get(village_suffix), contact="值班经理"
            )
            venues += 1
        for number, round_ in enumerate(rounds):
            inspections += _inspect(user, venue, f"venue-{index}-{number}", round_, today, rng)
    return venues, inspections


def _seed_plans(units, admin, today) -> tuple[int, int]:
    plans = tasks = 0
    for suffix in PLAN_UNITS:
        unit = units.get(suffix)
        if unit is None:
            continue
        title = f"{unit.name}防范电信网络诈骗宣传工作方案（{today.year}年）"
        plan = WorkPlan.objects.filter(unit=unit, title=title).first()
        if plan is None:
            plan = services.work_plan_create(
                actor=admin, unit=unit, title=title, year=today.year, description="根据镇实施方案进行任务再分解。"
            )
            plans += 1
        members = list(User.objects.filter(unit=unit, is_active=True).order_by("pk")[:2])
        for index, (task_title, offset, status) in enumerate(PLAN_TASKS):
            if WorkTask.objects.filter(plan=plan, title=task_title).exists():
                continue
            # Half the units are on time with the report: its task is done.
            if status == TaskStatus.TODO and offset < 0 and sum(map(ord, unit.code)) % 2 == 0 and suffix != "D05":
                status = TaskStatus.DONE
            responsible = members[index % len(members)] if members else None
            task = services.work_task_create(
                actor=admin,
                plan=plan,
                title=task_title,
                due_on=today + datetime.timedelta(days=offset),
                responsible=responsible,
                responsible_name="" if responsible else "办公室负责人",
            )
            if status == TaskStatus.IN_PROGRESS:
                services.work_task_transition(actor=admin, task=task, action="start")
            elif status == TaskStatus.DONE:
                services.work_task_transition(actor=admin, task=task, action="complete")
            tasks += 1
    return plans, tasks


def _seed_decision_tasks(units, users) -> None:
    """The governance centre follows the latest meeting's decisions up in its work plan."""
    meeting = Activity.objects.filter(client_id=_client_id("d04-meet-1")).first()
    plan = WorkPlan.objects.filter(unit=units.get("D04")).order_by("-year", "-pk").first()
    if meeting is None or plan is None or "zongzhi" not in users:
        return
    for decision in meeting.decisions.order_by("pk"):
        services.meeting_decision_to_task(actor=users["zongzhi"], decision=decision, plan=plan)


def seed() -> dict:
    units = _units()
    usernames = {row.by for row in ACTIVITIES} | {"jingfa", "admin"}
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    admin = users.get("admin") or User.objects.filter(is_superuser=True).order_by("pk").first()
    if not units or admin is None:
        return {}
    today = timezone.localdate()
    rng = random.Random(20231201)
    with transaction.atomic():
        _seed_config(units)
        activities = _seed_activities(units, users, today, rng)
        volunteers = _seed_volunteers(units["D02"]) if "D02" in units else 0
        venues, inspections = _seed_venues(units, users.get("jingfa", admin), today, rng) if "D03" in units else (0, 0)
        plans, tasks = _seed_plans(units, admin, today)
        _seed_decision_tasks(units, users)
    return {
        "activities": activities,
        "volunteers": volunteers,
        "venues": venues,
        "inspections": inspections,
        "work_plans": plans,
        "tasks": tasks,
    }
