"""Demo data for the assessment (run by seed_demo after the fraud cases; idempotent, fixed randomness).

Weights and the summons rule; this year's monthly callback draws (January to last month), answered except
for last month's — some victims not educated, which opens summonses and criticisms, the older ones closed
after rectification; a summons recorded by leadership; two inspections per village and one per department.
"""

import datetime
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import periods
from organization.models import Unit, UnitKind, User

from . import services
from .models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilitySource,
    AccountabilityStatus,
    Callback,
    CallbackSettings,
    CallbackStatus,
    EducationChannel,
    IndicatorWeights,
    Inspection,
    SummonsRule,
)

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
    created = 0
    units = Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.DEPARTMENT], is_active=True).order_by("code")
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
    from notifications.models import Notification

    from .models import CallbackDraw

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
        pending = Callback.objects.filter(status=CallbackStatus.PENDING, draw__month__lt=last_month).select_related(
            "case", "assigned_to", "village"
        )
        for callback in pending:
            _answer(callback, leader)
        closed = _close_old_items(leader, today)
        _recent_items(leader, today)
        inspections = _inspections(leader, today)
        _summons(leader, today)
    _mark_old_notifications_read(last_month)
    return {
        "callback_draws_created": drawn,
        "callbacks": Callback.objects.count(),
        "not_educated": Callback.objects.not_educated().count(),
        "accountability_items": AccountabilityItem.objects.count(),
        "accountability_closed_now": closed,
        "inspections_created": inspections,
    }
