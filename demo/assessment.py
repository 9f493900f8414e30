"""Demo data for the assessment (run by seed_demo after the fraud cases; idempotent, fixed randomness).

Weights and the summons rule; this year's monthly callback draws (January to last month), answered except
for last month's — some victims not educated, which opens summonses and criticisms, the older ones closed
after rectification; one victim who says "not educated" although a door visit found them at home before the
report (records disagree, 记录不符: waiting for the leadership group); the incident reviews (事故复盘) the
fraud case registry opened, dated by their case; 罗村社区's head has submitted the rectification of an item
against the village (整改报告, waiting for leadership); a summons recorded by leadership; two inspections
per village and one per department.
"""

import datetime
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessment import services
from assessment.models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilitySource,
    AccountabilityStatus,
    Callback,
    CallbackReview,
    CallbackSettings,
    CallbackStatus,
    EducationChannel,
    IndicatorWeights,
    Inspection,
    RectificationReport,
    SummonsRule,
)
from core import periods
from core.uploads import files_removed_on_error
from organization.models import Role, Unit, UnitKind, User

NAMESPACE = uuid.UUID("4f1c9b1e-52a7-4d7e-9a43-0c3c7f7b2a10")
LEADER = "leader"
CALLERS = ["leader", "zongzhi"]


def _client_id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _weights() -> None:
    IndicatorWeights.objects.get_or_create(
        name="2026年度考评权重",
        defaults={
            "cases_per_10k": Decimal("3"),
            "loss": Decimal("1"),
            "defrauded_after_warning": Decimal("2"),
            "coverage_rate": Decimal("2"),
            "on_time_rate": Decimal("1.5"),
            "dissuasion_rate": Decimal("1.5"),
            "inspection_score": Decimal("2"),
            "not_educated": Decimal("2"),
        },
    )
    SummonsRule.objects.get_or_create(name="连续两个月万人发案数高于全镇", defaults={"consecutive_months": 2})


def _callback_settings() -> None:
    if CallbackSettings.objects.exists():
        return
    config = CallbackSettings.objects.create(per_village=1)
    config.callers.set(User.objects.filter(username__in=CALLERS))


def _answer(callback: Callback, leader) -> None:
    rng = random.Random(f"callback:{callback.case.case_number}")
    reached = rng.random() < 0.8
    educated = rng.random() < 0.7 if reached else None
    channels = rng.sample([EducationChannel.DOOR_VISIT, EducationChannel.PLEDGE, EducationChannel.SCHOOL_NOTICE], 2)
    drawn = periods.month(callback.draw.month).end  # the draw runs on the 1st of the following month
    called_at = drawn + datetime.timedelta(days=rng.randint(1, 9), hours=rng.randint(9, 17))
    services.callback_record(
        callback=callback,
        actor=callback.assigned_to or leader,
        reached=reached,
        educated=educated,
        channels=channels if educated else [],
        notes="" if reached else "电话无人接听，已发短信",
        called_at=min(called_at, timezone.now()),
    )


def _records_disagree(leader, before_month: datetime.date) -> bool:
    """One victim answers "not educated" although a door visit found someone at home before the report.

    The first pending callback (in draw order) whose victim lives in a registered household; if the
    door-knocking demo did not reach that household before the report, the visit is added (a fixed
    ``client_id``). Once: skipped when a callback already went through the records check."""
    from campaigns.models import DoorVisit

    if Callback.objects.exclude(review=CallbackReview.NONE).exists():
        return False
    callback = (
        Callback.objects.filter(
            status=CallbackStatus.PENDING, draw__month__lt=before_month, case__victim__household__isnull=False
        )
        .select_related("case__victim__household", "village", "assigned_to")
        .order_by("draw__month", "village__code", "pk")
        .first()
    )
    if callback is None:
        return False
    case = callback.case
    household = case.victim.household
    visited = DoorVisit.objects.filter(household=household, someone_home=True, visited_at__lt=case.reported_at)
    if not visited.exists():
        grid = household.grid or household.village
        visitors = list(
            User.objects.filter(is_active=True, unit__path__startswith=grid.path, roles__role=Role.GRID_WORKER)
            .distinct()
            .order_by("username")[:1]
        )
        visit = DoorVisit.objects.create(
            client_id=_client_id("records-disagree", case.case_number),
            household=household,
            visited_at=case.reported_at - datetime.timedelta(days=23, hours=2),
            someone_home=True,
            gave_letter=True,
            gave_contact_card=True,
            gave_pledge_form=True,
            notes="入户讲解刷单返利、冒充客服诈骗，本人在家。",
            recorded_by=visitors[0] if visitors else None,
        )
        visit.visitors.set(visitors)
    drawn = periods.month(callback.draw.month).end
    services.callback_record(
        callback=callback,
        actor=callback.assigned_to or leader,
        reached=True,
        educated=False,
        notes="当事人称从未有人上门宣传",
        called_at=min(drawn + datetime.timedelta(days=3, hours=10), timezone.now()),
    )
    return True


def _date_incident_reviews() -> None:
    """The incident reviews the case registry opened: dated by their case's report, not by the demo run."""
    for item in AccountabilityItem.objects.filter(
        kind=AccountabilityKind.INCIDENT_REVIEW, case__isnull=False, created_at__gt=F("case__reported_at")
    ).select_related("case"):
        AccountabilityItem.objects.filter(pk=item.pk).update(created_at=item.case.reported_at)


HEAD_OF_LUOCUN = "head_a"  # 罗村社区's village head (demo.organization)


def _demo_png() -> list:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from core.uploads import check_upload

    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).rectangle((10, 10, 310, 190), outline="red", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return [check_upload(SimpleUploadedFile("整改照片.png", buffer.getvalue(), content_type="image/png"))]


def _rectification(leader, today: datetime.date) -> bool:
    """罗村社区's head submits the rectification of an open item against the village (its incident review if
    there is one, else a summons, recorded now if need be): waiting for leadership to accept or return it."""
    from demo.organization import TOWN

    village = Unit.objects.filter(code=f"{TOWN[0]}001", kind=UnitKind.VILLAGE).first()
    head = User.objects.filter(username=HEAD_OF_LUOCUN, is_active=True, unit=village).first()
    if village is None or head is None or RectificationReport.objects.filter(item__unit=village).exists():
        return False
    open_items = AccountabilityItem.objects.open().filter(unit=village).order_by("-created_at", "-pk")
    item = (
        open_items.filter(kind=AccountabilityKind.INCIDENT_REVIEW).first()
        or open_items.filter(kind=AccountabilityKind.SUMMONS).first()
    )
    if item is None:
        item = services.accountability_open(
            unit=village,
            kind=AccountabilityKind.SUMMONS,
            actor=leader,
            reason="预警对象见面劝阻后仍被骗，约谈村居主要负责人",
            source=AccountabilitySource.MANUAL,
            client_id=_client_id("rectification", village.code),
        )
    held_on = item.held_on or today - datetime.timedelta(days=12)
    services.accountability_update(
        item=item,
        actor=leader,
        held_on=held_on,
        people=item.people or f"{village.name}书记、主任；镇反诈领导小组",
        notes=item.notes or "复盘预警后的见面回访记录，要求落实每三天见面回访",
        rectification_deadline=item.rectification_deadline or today + datetime.timedelta(days=10),
        follow_up=item.follow_up,
    )
    services.rectification_submit(
        item=item,
        actor=head,
        text="已召开村居反诈劝阻队复盘会；对该网格 86 户补做入户宣传，承诺书全部备案；"
        "预警对象改为每三天由网格员和警务助理共同见面回访。",
        files=_demo_png(),
    )
    return True


def _held_on(item: AccountabilityItem, today: datetime.date) -> datetime.date:
    """The summons or criticism takes place a few days after the call that found the victim not educated."""
    return min(timezone.localtime(item.callback.called_at).date() + datetime.timedelta(days=5), today)


def _backdate(item: AccountabilityItem, *, closed_on: datetime.date | None = None) -> None:
    """Opened when the call was recorded (and closed on ``closed_on``), not when the demo ran."""
    changes = {"created_at": item.callback.called_at}
    if closed_on is not None:
        closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(16, 0)))
        changes["closed_at"] = min(closed_at, timezone.now())
    AccountabilityItem.objects.filter(pk=item.pk).update(**changes)


def _close_old_items(leader, today: datetime.date) -> int:
    closed = 0
    items = AccountabilityItem.objects.filter(
        source=AccountabilitySource.CALLBACK,
        status=AccountabilityStatus.OPEN,
        callback__draw__month__lt=today.replace(day=1) - datetime.timedelta(days=62),
    ).select_related("unit", "callback__draw")
    for item in items:
        held_on = _held_on(item, today)
        services.accountability_update(
            item=item,
            actor=leader,
            held_on=held_on,
            people=f"{item.unit.name}书记、主任；镇反诈领导小组",
            notes="通报回访情况，要求补做入户宣传" if item.kind == AccountabilityKind.SUMMONS else "全镇通报批评",
            rectification_deadline=held_on + datetime.timedelta(days=20),
            follow_up="",
        )
        services.accountability_transition(
            item=item, actor=leader, action="close", follow_up="已对该户及所在网格补做入户宣传，签订承诺书"
        )
        _backdate(item, closed_on=held_on + datetime.timedelta(days=18))
        closed += 1
    return closed


def _recent_items(leader, today: datetime.date) -> None:
    """The newer callback items get a date and a deadline (some past: shown as overdue)."""
    for item in AccountabilityItem.objects.filter(
        source=AccountabilitySource.CALLBACK, status=AccountabilityStatus.OPEN, held_on__isnull=True
    ).select_related("unit", "callback__draw"):
        held_on = _held_on(item, today)
        services.accountability_update(
            item=item,
            actor=leader,
            held_on=held_on,
            people=f"{item.unit.name}书记",
            notes="",
            rectification_deadline=held_on + datetime.timedelta(days=15),
        )
        _backdate(item)


def _inspections(leader, today: datetime.date) -> int:
    from demo.organization import TOWN

    created = 0
    units = Unit.objects.filter(
        kind__in=[UnitKind.VILLAGE, UnitKind.DEPARTMENT], is_active=True, code__startswith=TOWN[0]
    ).order_by("code")  # the demo town's (the leader's): the second town (demo.second_town) keeps its own
    for unit in units:
        checklist = list(services.checklist_for(unit))
        days = [datetime.date(today.year, 4, 15), datetime.date(today.year, 9, 20)]
        if unit.kind == UnitKind.DEPARTMENT:
            days = days[1:]
        for day in days:
            if day > today:
                continue
            rng = random.Random(f"inspection:{unit.code}:{day}")
            results = {item.pk: rng.randint(item.points // 2, item.points) for item in checklist}
            weak = rng.random() < 0.35
            before = Inspection.objects.filter(client_id=_client_id("inspection", unit.code, day)).exists()
            services.inspection_record(
                unit=unit,
                actor=leader,
                inspected_on=day,
                inspectors="镇反诈领导小组督导组",
                results=results,
                score=None if checklist else Decimal(rng.randint(60, 95)),
                findings="承诺书备案不全，部分户未见宣传资料" if weak else "",
                rectification_deadline=day + datetime.timedelta(days=30) if weak else None,
                client_id=_client_id("inspection", unit.code, day),
            )
            created += int(not before)
    # One spring rectification done, the rest left to show what is overdue.
    first = (
        Inspection.objects.filter(rectification_deadline__isnull=False, rectified_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if first and first.inspected_on.month == 4:
        services.inspection_mark_rectified(inspection=first, actor=leader, notes="已补齐承诺书备案并张贴宣传资料")
    return created


def _summons(leader, today: datetime.date) -> None:
    from django.db.models import Count

    from fraud_cases.models import FraudCase

    top = (
        FraudCase.objects.filter(reported_at__year=today.year)
        .values("village_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "village_id")
        .first()
    )
    if not top:
        return
    village = Unit.objects.get(pk=top["village_id"])
    services.accountability_open(
        unit=village,
        kind=AccountabilityKind.SUMMONS,
        actor=leader,
        reason="本村居案件持续高发，万人发案数连续两个月高于全镇平均",
        source=AccountabilitySource.SUGGESTION,
        held_on=today - datetime.timedelta(days=10),
        people=f"{village.name}书记、主任；镇反诈领导小组组长",
        notes="要求一个月内完成全村入户宣传复查",
        rectification_deadline=today + datetime.timedelta(days=20),
        client_id=_client_id("summons", village.code, today.year),
    )


def _mark_old_notifications_read(last_month: datetime.date) -> None:
    """The past months' "callbacks to make" and the closed items' notices are history: read."""
    from assessment.models import CallbackDraw
    from notifications.models import Notification

    old_draws = CallbackDraw.objects.filter(month__lt=last_month).values_list("pk", flat=True)
    closed = AccountabilityItem.objects.filter(status=AccountabilityStatus.CLOSED).values_list("pk", flat=True)
    keys = [f"callback-draw:{pk}" for pk in old_draws] + [f"accountability:{pk}:open" for pk in closed]
    Notification.objects.filter(dedupe_key__in=keys, read_at__isnull=True).update(read_at=timezone.now())


def seed() -> dict:
    leader = User.objects.filter(username=LEADER, is_active=True).first()
    if leader is None:
        return {}
    today = timezone.localdate()
    _weights()
    _callback_settings()
    this_month = periods.current_month(today)
    drawn = 0
    with transaction.atomic():
        for month in periods.parse_period(str(today.year)).months():
            if month >= this_month.first_day:
                break
            _draw, created = services.callback_draw_month(
                month=month, actor=leader, seed=int(month.strftime("%Y%m")) * 7919, per_village=1
            )
            drawn += int(created)
        last_month = this_month.previous().first_day
        disagree = _records_disagree(leader, last_month)
        pending = Callback.objects.filter(status=CallbackStatus.PENDING, draw__month__lt=last_month).select_related(
            "case", "assigned_to", "village"
        )
        for callback in pending:
            _answer(callback, leader)
        closed = _close_old_items(leader, today)
        _recent_items(leader, today)
        inspections = _inspections(leader, today)
        _summons(leader, today)
        _date_incident_reviews()
    with files_removed_on_error(), transaction.atomic():
        rectified = _rectification(leader, today)
    _mark_old_notifications_read(last_month)
    return {
        "callback_draws_created": drawn,
        "callbacks": Callback.objects.count(),
        "not_educated": Callback.objects.not_educated().count(),
        "accountability_items": AccountabilityItem.objects.count(),
        "accountability_closed_now": closed,
        "inspections_created": inspections,
        "records_disagree": Callback.objects.records_disagree().count(),
        "records_disagree_created": int(disagree),
        "incident_reviews": AccountabilityItem.objects.filter(kind=AccountabilityKind.INCIDENT_REVIEW).count(),
        "rectifications_submitted_now": int(rectified),
    }
