"""Demo data for the publicity work (run by seed_demo, idempotent): the departments' duties and
targets, activities of every department, the police station and both schools (recorded through the
services as the demo users), the volunteer roster, venues with joint inspections (some items failed,
some of them fixed since), and a work plan per unit with some tasks overdue.

Activities and inspections have fixed client ids (uuid5 of a key), plans, tasks, venues and
volunteers are found by name: a re-run, even on a later day, creates nothing new.
"""

from __future__ import annotations

import datetime
import random
import uuid

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
DUTIES = {
    "D02": Duty.PUBLICITY_OFFICE,
    "D03": Duty.ECONOMIC_OFFICE,
    "D04": Duty.GOVERNANCE_CENTRE,
    "D05": Duty.FINANCE_AUDIT,
}
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

# (key, unit suffix, username, category, days ago, title, place, channel, extra)
ACTIVITIES = [
    (
        "d02-col-1",
        "D02",
        "publicity",
        Category.COLUMN_POST,
        3,
        "公众号“反诈专栏”第12期：刷单返利骗局",
        "",
        Channel.WECHAT_ACCOUNT,
        {"links": [("https://mp.weixin.qq.com/s/luocun-fanzha-12", "反诈专栏第12期")]},
    ),
    (
        "d02-col-2",
        "D02",
        "publicity",
        Category.COLUMN_POST,
        12,
        "镇政府网站开设防骗宣传专栏",
        "",
        Channel.WEBSITE,
        {"links": [("https://www.luocun.gov.cn/fanzha/", "防骗宣传专栏")]},
    ),
    (
        "d02-col-3",
        "D02",
        "publicity",
        Category.COLUMN_POST,
        20,
        "视频号发布《冒充客服退款》短视频",
        "",
        Channel.VIDEO_CHANNEL,
        {"links": [("https://channels.weixin.qq.com/luocun/fz-07", "冒充客服退款")]},
    ),
    (
        "d02-ad-1",
        "D02",
        "publicity",
        Category.PUBLIC_SERVICE_AD,
        9,
        "镇文化广场大屏植入防骗公益广告",
        "罗村文化广场",
        Channel.LED,
        {"audience_size": 1200},
    ),
    (
        "d02-film-1",
        "D02",
        "publicity",
        Category.MICRO_FILM,
        40,
        "防骗微电影《一通电话》首映",
        "罗村镇文化站",
        Channel.ON_SITE,
        {"audience_size": 180},
    ),
    (
        "d02-mp3-1",
        "D02",
        "publicity",
        Category.MP3_BROADCAST,
        5,
        "各村居大喇叭播放防骗MP3",
        "全镇各村居",
        Channel.BROADCAST,
        {},
    ),
    (
        "d02-talk-1",
        "D02",
        "publicity",
        Category.TALK,
        6,
        "防骗宣讲进社区：老年人防骗知识讲座",
        "罗村社区党群服务中心",
        Channel.ON_SITE,
        {"audience_size": 85},
    ),
    (
        "d02-talk-2",
        "D02",
        "publicity",
        Category.TALK,
        25,
        "企业员工防骗宣讲",
        "罗村工业园",
        Channel.ON_SITE,
        {"audience_size": 140},
    ),
    (
        "d02-vol-1",
        "D02",
        "publicity",
        Category.VOLUNTEER_ACTIVITY,
        8,
        "志愿者街头派发《一封信》",
        "罗村步行街",
        Channel.ON_SITE,
        {"audience_size": 600},
    ),
    (
        "d02-youth-1",
        "D02",
        "publicity",
        Category.YOUTH_ACTIVITY,
        15,
        "团员青年“反诈青春行”主题活动",
        "罗村中学",
        Channel.ON_SITE,
        {"audience_size": 90},
    ),
    (
        "d03-guide-1",
        "D03",
        "jingfa",
        Category.VENUE_GUIDANCE,
        10,
        "指导商场超市播放防骗微广播",
        "罗村各大商超",
        Channel.ON_SITE,
        {},
    ),
    (
        "d04-meet-1",
        "D04",
        "zongzhi",
        Category.CASE_MEETING,
        4,
        "十一月电信网络诈骗案件研判会商",
        "综治中心会议室",
        Channel.ON_SITE,
        {"meeting": 1},
    ),
    (
        "d04-meet-2",
        "D04",
        "zongzhi",
        Category.CASE_MEETING,
        34,
        "十月电信网络诈骗案件研判会商",
        "综治中心会议室",
        Channel.ON_SITE,
        {"meeting": 2},
    ),
    (
        "d04-law-1",
        "D04",
        "zongzhi",
        Category.LEGAL_EDUCATION,
        7,
        "法律进乡村：反电信网络诈骗法宣讲",
        "联和村村委会",
        Channel.ON_SITE,
        {"audience_size": 70, "legal_place": LegalPlace.VILLAGES},
    ),
    (
        "d04-law-2",
        "D04",
        "zongzhi",
        Category.LEGAL_EDUCATION,
        18,
        "法律进企业：冒充领导诈骗财务人员案例",
        "罗村工业园",
        Channel.ON_SITE,
        {"audience_size": 55, "legal_place": LegalPlace.ENTERPRISES},
    ),
    (
        "d04-law-3",
        "D04",
        "zongzhi",
        Category.LEGAL_EDUCATION,
        29,
        "法律进学校：青少年防骗法治课",
        "罗村镇中心学校",
        Channel.ON_SITE,
        {"audience_size": 320, "legal_place": LegalPlace.SCHOOLS},
    ),
    (
        "d05-push-1",
        "D05",
        "caishen",
        Category.FINANCE_PUSH,
        2,
        "推送：警惕冒充领导要求转账",
        "",
        Channel.WECHAT_GROUP,
        {"push": 1},
    ),
    (
        "d05-push-2",
        "D05",
        "caishen",
        Category.FINANCE_PUSH,
        24,
        "推送：财务人员防范“假冒领导QQ”诈骗",
        "",
        Channel.QQ,
        {"push": 2},
    ),
    (
        "p01-case-1",
        "P01",
        "police",
        Category.TYPICAL_CASE,
        5,
        "以案释法：刷单返利被骗3.2万元",
        "",
        Channel.WECHAT_ACCOUNT,
        {"links": [("https://mp.weixin.qq.com/s/luocun-police-case-31", "以案释法")]},
    ),
    (
        "p01-case-2",
        "P01",
        "police",
        Category.TYPICAL_CASE,
        19,
        "典型案例：冒充公检法“安全账户”骗局",
        "",
        Channel.WEIBO,
        {"links": [("https://weibo.com/luocunpolice/48201", "典型案例")]},
    ),
    (
        "p01-save-1",
        "P01",
        "police",
        Category.DISSUASION_STORY,
        11,
        "民警上门劝阻，成功保住群众20万元",
        "",
        Channel.WECHAT_ACCOUNT,
        {"links": [("https://mp.weixin.qq.com/s/luocun-police-save-12", "成功劝阻")]},
    ),
    (
        "p01-gang-1",
        "P01",
        "police",
        Category.GANG_BUSTED,
        27,
        "打掉一个帮助信息网络犯罪团伙",
        "",
        Channel.WECHAT_ACCOUNT,
        {"links": [("https://mp.weixin.qq.com/s/luocun-police-gang-3", "打掉犯罪团伙")]},
    ),
    (
        "p01-post-1",
        "P01",
        "police",
        Category.POLICE_POST,
        1,
        "微博：年终防骗提示",
        "",
        Channel.WEIBO,
        {"links": [("https://weibo.com/luocunpolice/48388", "年终防骗提示")]},
    ),
    (
        "p01-post-2",
        "P01",
        "police",
        Category.POLICE_POST,
        13,
        "公众号：国家反诈中心APP使用指南",
        "",
        Channel.WECHAT_ACCOUNT,
        {"links": [("https://mp.weixin.qq.com/s/luocun-police-app", "APP使用指南")]},
    ),
    (
        "s02-talk-1",
        "S02",
        "school",
        Category.TALK,
        30,
        "家长会防骗宣讲",
        "罗村中学",
        Channel.ON_SITE,
        {"audience_size": 410},
    ),
    # Schools' staff education is the education app's staff sessions (recorded once), not an activity.
    (
        "s01-talk-1",
        "S01",
        "school_c",
        Category.TALK,
        21,
        "家长学校防骗专题讲座",
        "罗村镇中心学校",
        Channel.ON_SITE,
        {"audience_size": 130},
    ),
]

MEETINGS = {
    1: {
        "attendees": [
            ("陈副书记", "镇党委"),
            ("李警官", "罗村派出所"),
            ("郑综治", "综治中心"),
            ("何律师", "镇法律顾问"),
        ],
        "cases": [
            ("LC2026110301", "刷单返利案，涉案资金流向三个一级账户"),
            ("LC2026110917", "冒充客服退款案，追赃挽损进展"),
        ],
        "decisions": [("协调银行加快冻结涉案一级账户", "罗村派出所", 10), ("对涉案村居开展集中宣传", "宣传办", 20)],
    },
    2: {
        "attendees": [("陈副书记", "镇党委"), ("李警官", "罗村派出所"), ("郑综治", "综治中心")],
        "cases": [("LC2026100512", "虚假投资理财案，证据标准问题")],
        "decisions": [("与检察院沟通证据标准", "综治中心", -5)],
    },
}
FINANCE_STAFF = ["黄会计", "林出纳", "梁会计", "何出纳", "陈会计", "冯会计", "罗出纳", "邓会计"]

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

# name, kind, village suffix, [(days ago, {item: (passed, fixed days ago or None)})]
VENUES = [
    (
        "罗村广场购物中心",
        VenueKind.SHOPPING_CENTRE,
        "001",
        [
            (40, {"broadcast": (False, 30), "led": (True, None), "qr_code": (True, None)}),
            (9, {"broadcast": (True, None), "led": (False, None), "qr_code": (True, None)}),
        ],
    ),
    (
        "百佳超市罗村店",
        VenueKind.SUPERMARKET,
        "001",
        [(12, {"broadcast": (True, None), "led": (True, None), "qr_code": (False, None)})],
    ),
    (
        "联和农贸市场",
        VenueKind.CROWDED_PLACE,
        "002",
        [(20, {"broadcast": (False, 5), "led": (True, None), "qr_code": (False, None)})],
    ),
    (
        "下柏天虹超市",
        VenueKind.SUPERMARKET,
        "003",
        [(6, {"broadcast": (True, None), "led": (True, None), "qr_code": (True, None)})],
    ),
    (
        "罗村汽车客运站",
        VenueKind.CROWDED_PLACE,
        "005",
        [(3, {"broadcast": (True, None), "led": (False, None), "qr_code": (True, None)})],
    ),
]

PLAN_TASKS = [
    # title, days from today for the deadline, status
    ("制定本单位防骗宣传具体工作方案", -60, TaskStatus.DONE),
    ("明确具体工作负责人并报领导小组", -45, TaskStatus.DONE),
    ("完成本季度防骗宣传活动并留存影像资料", -7, TaskStatus.IN_PROGRESS),
    ("报送宣传工作阶段性总结", -3, TaskStatus.TODO),
    ("开展年终防骗集中宣传", 20, TaskStatus.TODO),
]


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


def _seed_activities(units, users, today, rng) -> int:
    created = 0
    existing = set(
        Activity.objects.filter(client_id__in=[_client_id(a[0]) for a in ACTIVITIES]).values_list(
            "client_id", flat=True
        )
    )
    villages = [units[suffix] for suffix, *_rest in VILLAGES if suffix in units]
    for key, suffix, username, category, days_ago, title, place, channel, extra in ACTIVITIES:
        if _client_id(key) in existing or suffix not in units or username not in users:
            continue
        arguments = {
            "links": extra.get("links", []),
            "audience_size": extra.get("audience_size"),
            "legal_place": extra.get("legal_place", ""),
        }
        if "meeting" in extra:
            meeting = MEETINGS[extra["meeting"]]
            arguments["attendees"] = meeting["attendees"]
            arguments["cases"] = meeting["cases"]
            arguments["decisions"] = [
                (text, who, today - datetime.timedelta(days=days_ago) + datetime.timedelta(days=offset))
                for text, who, offset in meeting["decisions"]
            ]
            arguments["audience_size"] = len(meeting["attendees"])
        if "push" in extra:
            arguments["recipients"] = [(FINANCE_STAFF[i], village.name) for i, village in enumerate(villages)]
            arguments["audience_size"] = len(villages)
        result = services.activity_record(
            actor=users[username],
            unit=units[suffix],
            category=category,
            title=title,
            held_on=today - datetime.timedelta(days=days_ago),
            client_id=_client_id(key),
            place=place,
            channel=channel,
            description=extra.get("description", ""),
            uploads=[_photo(key, rng)] if channel == Channel.ON_SITE else [],
            **arguments,
        )
        if "push" in extra:
            recipients = list(result.activity.recipients.order_by("pk"))
            confirmed = [r.pk for r in recipients if rng.random() < 0.7]
            held = datetime.datetime.combine(result.activity.held_on, datetime.time(16, 30))
            services.recipients_confirm_read(
                actor=users[username],
                activity=result.activity,
                recipient_ids=confirmed,
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


def _seed_venues(units, user, today, rng) -> tuple[int, int]:
    unit = units["D03"]
    venues = inspections = 0
    for index, (name, kind, village_suffix, visits) in enumerate(VENUES):
        venue = Venue.objects.filter(unit=unit, name=name).first()
        if venue is None:
            venue = services.venue_create(
                actor=user, unit=unit, name=name, kind=kind, village=units.get(village_suffix), contact="值班经理"
            )
            venues += 1
        for number, (days_ago, results) in enumerate(visits):
            client_id = _client_id(f"venue-{index}-{number}")
            if Inspection.objects.filter(client_id=client_id).exists():
                continue
            day = today - datetime.timedelta(days=days_ago)
            items = [
                {
                    "item": item,
                    "passed": passed,
                    "note": "" if passed else "现场检查未落实",
                    "fix_deadline": None if passed else day + datetime.timedelta(days=7),
                }
                for item, (passed, _fixed) in results.items()
            ]
            result = services.inspection_record(
                actor=user,
                venue=venue,
                inspected_on=day,
                items=items,
                client_id=client_id,
                inspectors="吴经发、李警官、移动公司网格经理",
                with_police=True,
                carriers="中国移动、中国电信",
                uploads=[_photo(f"venue-{index}-{number}", rng)],
            )
            inspections += result.created
            for item, (passed, fixed_days_ago) in results.items():
                if not passed and fixed_days_ago is not None:
                    row = InspectionItem.objects.get(inspection=result.inspection, item=item)
                    if row.is_open:
                        services.inspection_item_fix(
                            actor=user,
                            item=row,
                            fixed_on=today - datetime.timedelta(days=fixed_days_ago),
                            fix_note="已整改，复查通过",
                        )
    return venues, inspections


def _seed_plans(units, admin, today) -> tuple[int, int]:
    plans = tasks = 0
    codes = ["D01", "D02", "D03", "D04", "D05", "P01", "S01", "S02", *(suffix for suffix, *_r in VILLAGES), ""]
    for suffix in codes:
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
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=["publicity", "jingfa", "zongzhi", "caishen", "police", "school", "school_c", "admin"]
        )
    }
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
