"""Demo data for the assessment (run by seed_demo after the fraud cases; idempotent, fixed randomness).

Weights and the summons rule; this year's monthly callback draws (January to last month), answered except
for last month's — some victims not educated, which opens summonses and criticisms, the older ones closed
after rectification; one victim who says "not educated" although a door visit found them at home before the
report (records disagree, 记录不符: waiting for the leadership group); the incident reviews (事故复盘) the
fraud case registry opened, dated by their case; 罗村社区's head has submitted the rectification of an item
against the village (整改报告, waiting for leadership); a summons recorded by leadership; two inspections
per village and one per department.

The content is in the tables below (the weights, how victims answer, each story's words and days); the builders
under them draw, answer and follow the items up through ``assessment.services`` as the demo leader.
"""

import datetime
import random
import uuid
from dataclasses import dataclass
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
from demo.organization import TOWN
from organization.models import Role, Unit, UnitKind, User

NAMESPACE = uuid.UUID("4f1c9b1e-52a7-4d7e-9a43-0c3c7f7b2a10")
LEADER = "leader"

# --- The tables --------------------------------------------------------------------------------------------------

WEIGHTS = (
    "2026年度考评权重",
    {
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
SUMMONS_RULE = ("连续两个月万人发案数高于全镇", 2)  # name, consecutive months
CALLERS = ["leader", "zongzhi"]  # who makes the callbacks
PER_VILLAGE = 1  # cases drawn per village and month


@dataclass(frozen=True)
class Answers:
    """How the victims answer the callbacks (each case's own random sequence), called some days after the draw."""

    reached: float = 0.8
    educated: float = 0.7  # of those reached
    channels: tuple[str, ...] = (EducationChannel.DOOR_VISIT, EducationChannel.PLEDGE, EducationChannel.SCHOOL_NOTICE)
    channels_named: int = 2
    days_after_draw: tuple[int, int] = (1, 9)
    hours: tuple[int, int] = (9, 17)
    unreached_notes: str = "电话无人接听，已发短信"


ANSWERS = Answers()


@dataclass(frozen=True)
class RecordsDisagree:
    """One victim says "not educated" although a door visit found someone at home before the report (记录不符)."""

    visit_before_report: datetime.timedelta = datetime.timedelta(days=23, hours=2)
    visit_notes: str = "入户讲解刷单返利、冒充客服诈骗，本人在家。"
    called_after_draw: datetime.timedelta = datetime.timedelta(days=3, hours=10)
    callback_notes: str = "当事人称从未有人上门宣传"


RECORDS_DISAGREE = RecordsDisagree()


@dataclass(frozen=True)
class FollowUp:
    """What leadership writes on a callback's summons or criticism: held some days after the call (never after
    today), with whom, notes, a deadline; the older ones closed some days after they were held."""

    people: str  # {unit}: the unit's name
    deadline_days: int
    summons_notes: str = ""
    criticism_notes: str = ""
    closing: str = ""  # the follow-up written when closed
    closed_after_days: int | None = None


HELD_AFTER_CALL_DAYS = 5
CLOSED_BEFORE_DAYS = 62  # items of draws more than about two months back are closed
OLD_ITEMS = FollowUp(
    people="{unit}书记、主任；镇反诈领导小组",
    deadline_days=20,
    summons_notes="通报回访情况，要求补做入户宣传",
    criticism_notes="全镇通报批评",
    closing="已对该户及所在网格补做入户宣传，签订承诺书",
    closed_after_days=18,
)
RECENT_ITEMS = FollowUp(people="{unit}书记", deadline_days=15)  # some deadlines past: shown as overdue


@dataclass(frozen=True)
class Inspections:
    """Leadership's inspections of the villages and departments (against each kind's checklist): some weak, with
    a rectification deadline; one spring rectification done, the rest left to show what is overdue."""

    rounds: dict  # unit kind: ((month, day), ...) of this year, the ones not yet come skipped
    inspectors: str = "镇反诈领导小组督导组"
    weak: float = 0.35
    weak_findings: str = "承诺书备案不全，部分户未见宣传资料"
    rectify_within_days: int = 30
    score_without_checklist: tuple[int, int] = (60, 95)
    rectified_notes: str = "已补齐承诺书备案并张贴宣传资料"


INSPECTIONS = Inspections(rounds={UnitKind.VILLAGE: ((4, 15), (9, 20)), UnitKind.DEPARTMENT: ((9, 20),)})


@dataclass(frozen=True)
class Summons:
    """A summons leadership raises (from a suggestion) for the village with most cases this year."""

    reason: str
    held_days_ago: int
    people: str  # {unit}: the unit's name
    notes: str
    deadline_in_days: int


SUMMONS = Summons(
    reason="本村居案件持续高发，万人发案数连续两个月高于全镇平均",
    held_days_ago=10,
    people="{unit}书记、主任；镇反诈领导小组组长",
    notes="要求一个月内完成全村入户宣传复查",
    deadline_in_days=20,
)


@dataclass(frozen=True)
class Rectification:
    """A village head submits the rectification of an open item against the village (its incident review if there
    is one, else a summons, raised now with ``reason`` if need be): waiting for leadership to accept or return it."""

    village: str  # code suffix
    head: str  # username
    reason: str
    held_days_ago: int
    people: str  # {unit}: the unit's name
    notes: str
    deadline_in_days: int
    text: str
    photo: str = "整改照片.png"


RECTIFICATION = Rectification(
    village="001",
    head="head_a",  # 罗村社区's village head (demo.organization)
    reason="预警对象见面劝阻后仍被骗，约谈村居主要负责人",
    held_days_ago=12,
    people="{unit}书记、主任；镇反诈领导小组",
    notes="复盘预警后的见面回访记录，要求落实每三天见面回访",
    deadline_in_days=10,
    text="已召开村居反诈劝阻队复盘会；对该网格 86 户补做入户宣传，承诺书全部备案；"
    "预警对象改为每三天由网格员和警务助理共同见面回访。",
)


# --- The builders ------------------------------------------------------------------------------------------------


def _client_id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _weights() -> None:
    name, weights = WEIGHTS
    IndicatorWeights.objects.get_or_create(name=name, defaults=weights)
    name, months = SUMMONS_RULE
    SummonsRule.objects.get_or_create(name=name, defaults={"consecutive_months": months})


def _callback_settings() -> None:
    if CallbackSettings.objects.exists():
        return
    config = CallbackSettings.objects.create(per_village=PER_VILLAGE)
    config.callers.set(User.objects.filter(username__in=CALLERS))


def _drawn(callback: Callback) -> datetime.datetime:
    """The draw runs on the 1st of the following month."""
    return periods.month(callback.draw.month).end


def _answer(callback: Callback, leader) -> None:
    rng = random.Random(f"callback:{callback.case.case_number}")
    reached = rng.random() < ANSWERS.reached
    educated = rng.random() < ANSWERS.educated if reached else None
    channels = rng.sample(list(ANSWERS.channels), ANSWERS.channels_named)
    called_at = _drawn(callback) + datetime.timedelta(
        days=rng.randint(*ANSWERS.days_after_draw), hours=rng.randint(*ANSWERS.hours)
    )
    services.callback_record(
        callback=callback,
        actor=callback.assigned_to or leader,
        reached=reached,
        educated=educated,
        channels=channels if educated else [],
        notes="" if reached else ANSWERS.unreached_notes,
        called_at=min(called_at, timezone.now()),
    )


def _records_disagree(leader, before_month: datetime.date) -> bool:
    """:data:`RECORDS_DISAGREE` on the first pending callback (in draw order) whose victim lives in a registered
    household; if the door-knocking demo did not reach that household before the report, the visit is added (a
    fixed ``client_id``). Once: skipped when a callback already went through the records check."""
    from campaigns.models import DoorVisit

    story = RECORDS_DISAGREE
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
            visited_at=case.reported_at - story.visit_before_report,
            someone_home=True,
            gave_letter=True,
            gave_contact_card=True,
            gave_pledge_form=True,
            notes=story.visit_notes,
            recorded_by=visitors[0] if visitors else None,
        )
        visit.visitors.set(visitors)
    services.callback_record(
        callback=callback,
        actor=callback.assigned_to or leader,
        reached=True,
        educated=False,
        notes=story.callback_notes,
        called_at=min(_drawn(callback) + story.called_after_draw, timezone.now()),
    )
    return True


def _date_incident_reviews() -> None:
    """The incident reviews the case registry opened: dated by their case's report, not by the demo run."""
    for item in AccountabilityItem.objects.filter(
        kind=AccountabilityKind.INCIDENT_REVIEW, case__isnull=False, created_at__gt=F("case__reported_at")
    ).select_related("case"):
        AccountabilityItem.objects.filter(pk=item.pk).update(created_at=item.case.reported_at)


def _demo_png(name: str) -> list:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from core.uploads import check_upload

    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).rectangle((10, 10, 310, 190), outline="red", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return [check_upload(SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png"))]


def _rectification(leader, today: datetime.date) -> bool:
    """:data:`RECTIFICATION`, once per village."""
    story = RECTIFICATION
    village = Unit.objects.filter(code=f"{TOWN[0]}{story.village}", kind=UnitKind.VILLAGE).first()
    head = User.objects.filter(username=story.head, is_active=True, unit=village).first()
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
            reason=story.reason,
            source=AccountabilitySource.MANUAL,
            client_id=_client_id("rectification", village.code),
        )
    services.accountability_update(
        item=item,
        actor=leader,
        held_on=item.held_on or today - datetime.timedelta(days=story.held_days_ago),
        people=item.people or story.people.format(unit=village.name),
        notes=item.notes or story.notes,
        rectification_deadline=item.rectification_deadline or today + datetime.timedelta(days=story.deadline_in_days),
        follow_up=item.follow_up,
    )
    services.rectification_submit(item=item, actor=head, text=story.text, files=_demo_png(story.photo))
    return True


def _held_on(item: AccountabilityItem, today: datetime.date) -> datetime.date:
    """The summons or criticism takes place a few days after the call that found the victim not educated."""
    called_on = timezone.localtime(item.callback.called_at).date()
    return min(called_on + datetime.timedelta(days=HELD_AFTER_CALL_DAYS), today)


def _backdate(item: AccountabilityItem, *, closed_on: datetime.date | None = None) -> None:
    """Opened when the call was recorded (and closed on ``closed_on``), not when the demo ran."""
    changes = {"created_at": item.callback.called_at}
    if closed_on is not None:
        closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(16, 0)))
        changes["closed_at"] = min(closed_at, timezone.now())
    AccountabilityItem.objects.filter(pk=item.pk).update(**changes)


def _follow_up(leader, item: AccountabilityItem, story: FollowUp, today: datetime.date) -> None:
    """Write ``story`` on a callback's item (and close it when the story does), dated by its call."""
    held_on = _held_on(item, today)
    notes = story.summons_notes if item.kind == AccountabilityKind.SUMMONS else story.criticism_notes
    services.accountability_update(
        item=item,
        actor=leader,
        held_on=held_on,
        people=story.people.format(unit=item.unit.name),
        notes=notes,
        rectification_deadline=held_on + datetime.timedelta(days=story.deadline_days),
        follow_up="",
    )
    if story.closed_after_days is None:
        _backdate(item)
        return
    services.accountability_transition(item=item, actor=leader, action="close", follow_up=story.closing)
    _backdate(item, closed_on=held_on + datetime.timedelta(days=story.closed_after_days))


def _callback_items(leader, today: datetime.date) -> int:
    """The callbacks' open items: the older ones followed up and closed (:data:`OLD_ITEMS`), then the newer ones
    that have no date yet get one and a deadline (:data:`RECENT_ITEMS`). Returns how many were closed."""
    callback_items = AccountabilityItem.objects.filter(
        source=AccountabilitySource.CALLBACK, status=AccountabilityStatus.OPEN
    ).select_related("unit", "callback__draw")
    old = callback_items.filter(
        callback__draw__month__lt=today.replace(day=1) - datetime.timedelta(days=CLOSED_BEFORE_DAYS)
    )
    closed = 0
    for item in old:
        _follow_up(leader, item, OLD_ITEMS, today)
        closed += 1
    for item in callback_items.filter(held_on__isnull=True):
        _follow_up(leader, item, RECENT_ITEMS, today)
    return closed


def _inspections(leader, today: datetime.date) -> int:
    plan = INSPECTIONS
    created = 0
    units = Unit.objects.filter(kind__in=list(plan.rounds), is_active=True, code__startswith=TOWN[0]).order_by(
        "code"
    )  # the demo town's (the leader's): the second town (demo.second_town) keeps its own
    for unit in units:
        checklist = list(services.checklist_for(unit))
        for month, day_of_month in plan.rounds[unit.kind]:
            day = datetime.date(today.year, month, day_of_month)
            if day > today:
                continue
            rng = random.Random(f"inspection:{unit.code}:{day}")
            results = {item.pk: rng.randint(item.points // 2, item.points) for item in checklist}
            weak = rng.random() < plan.weak
            client_id = _client_id("inspection", unit.code, day)
            before = Inspection.objects.filter(client_id=client_id).exists()
            services.inspection_record(
                unit=unit,
                actor=leader,
                inspected_on=day,
                inspectors=plan.inspectors,
                results=results,
                score=None if checklist else Decimal(rng.randint(*plan.score_without_checklist)),
                findings=plan.weak_findings if weak else "",
                rectification_deadline=day + datetime.timedelta(days=plan.rectify_within_days) if weak else None,
                client_id=client_id,
            )
            created += int(not before)
    first = (
        Inspection.objects.filter(rectification_deadline__isnull=False, rectified_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if first and first.inspected_on.month == 4:
        services.inspection_mark_rectified(inspection=first, actor=leader, notes=plan.rectified_notes)
    return created


def _summons(leader, today: datetime.date) -> None:
    """:data:`SUMMONS`, for the village of the leader's town with most cases this year (once a year: a fixed client
    id). Within the leader's scope: after ``seed_scale``, another town's village may have more."""
    from django.db.models import Count

    from fraud_cases.models import FraudCase

    top = (
        FraudCase.objects.for_user(leader)
        .filter(reported_at__year=today.year)
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
        reason=SUMMONS.reason,
        source=AccountabilitySource.SUGGESTION,
        held_on=today - datetime.timedelta(days=SUMMONS.held_days_ago),
        people=SUMMONS.people.format(unit=village.name),
        notes=SUMMONS.notes,
        rectification_deadline=today + datetime.timedelta(days=SUMMONS.deadline_in_days),
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
                month=month, actor=leader, seed=int(month.strftime("%Y%m")) * 7919, per_village=PER_VILLAGE
            )
            drawn += int(created)
        last_month = this_month.previous().first_day
        disagree = _records_disagree(leader, last_month)
        pending = Callback.objects.filter(status=CallbackStatus.PENDING, draw__month__lt=last_month).select_related(
            "case", "assigned_to", "village"
        )
        for callback in pending:
            _answer(callback, leader)
        closed = _callback_items(leader, today)
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
