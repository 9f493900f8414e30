"""Demo data of issue 19, points 3–5: the governance centre's latest case analysis meeting works on two registered
cases with their outcomes (破案, 追赃挽损, 诉讼); every school keeps a staff roster and its staff sessions record who
attended (one teacher missed them all); the leadership group inspected a school against the schools' checklist;
this year's nominations (先进集体和个人) of every kind, proposed from the records' figures, most approved, one village
rejected, a department and a dissuasion team member still waiting for the leadership group.
Idempotent: rows are found by their natural keys, the inspection by a fixed client id, the nominations by their
year and unit or person."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assessment.models import ChecklistItem, Inspection
from assessment.services import inspection_record
from education.models import EducationSession, SessionKind
from education.staff import StaffAttendance, StaffMember, StaffRole
from fraud_cases.meetings import fraud_case_outcome_update
from fraud_cases.models import FraudCase, ProsecutionStage
from organization.models import Unit, UnitKind, User
from publicity.models import Activity, Category, MeetingCase

TOWN_CODE = "440605124"
INSPECTION_ID = uuid.UUID("19b00000-0000-4000-8000-000000000001")
STAFF = [
    ("何校长", StaffRole.MANAGEMENT),
    ("刘老师", StaffRole.HEAD_TEACHER),
    ("梁老师", StaffRole.TEACHER),
    ("麦老师", StaffRole.TEACHER),
    ("罗师傅", StaffRole.SUPPORT),
]
SCHOOL_CHECKLIST = [
    ("每学期至少两次教职员工防骗宣传，留存影像资料", 40),
    ("防骗微课堂纳入安全课，每学期至少两次", 30),
    ("校园广播每天定时播放防骗MP3", 30),
]


def _meeting(users) -> int:
    meeting = (
        Activity.objects.filter(unit__path__startswith=Unit.objects.get(code=TOWN_CODE).path)
        .filter(category=Category.CASE_MEETING)
        .order_by("-held_on", "-pk")
        .first()
    )
    cases = list(FraudCase.objects.filter(village__code__startswith=TOWN_CODE).order_by("reported_at", "pk")[:2])
    police = users.get("police")
    if meeting is None or len(cases) < 2 or police is None:
        return 0
    for case in cases:
        MeetingCase.objects.get_or_create(
            activity=meeting,
            fraud_case=case,
            defaults={
                "reference": case.case_number,
                "summary": f"{case.get_fraud_type_display()} · ¥{case.loss_amount}",
            },
        )
    solved, pending = cases
    fraud_case_outcome_update(
        actor=police,
        case=solved,
        solved_on=min(meeting.held_on + datetime.timedelta(days=5), timezone.localdate()),
        recovered_amount=min(solved.loss_amount, Decimal("3000")),
        prosecution_stage=ProsecutionStage.TRANSFERRED,
        reason="研判会商后查明资金流，嫌疑人到案",
    )
    fraud_case_outcome_update(
        actor=police,
        case=pending,
        solved_on=None,
        recovered_amount=min(pending.loss_amount, Decimal("800")),
        prosecution_stage="",
        reason="冻结涉案账户，部分资金返还",
    )
    return 2


def _rosters() -> int:
    count = 0
    for school in Unit.objects.filter(kind=UnitKind.SCHOOL, path__startswith=Unit.objects.get(code=TOWN_CODE).path):
        members = []
        for name, role in STAFF:
            member, _created = StaffMember.objects.get_or_create(school=school, name=name, defaults={"role": role})
            members.append(member)
        count += len(members)
        # Everyone but the last attended the school's staff sessions: the last is listed as missing them all.
        for session in EducationSession.objects.filter(school=school, kind=SessionKind.STAFF):
            for member in members[:-1]:
                StaffAttendance.objects.get_or_create(session=session, staff=member)
    return count


def _school_inspection(users) -> int:
    items = [
        ChecklistItem.objects.get_or_create(
            unit_kind=UnitKind.SCHOOL, label=label, defaults={"points": points, "order": order}
        )[0]
        for order, (label, points) in enumerate(SCHOOL_CHECKLIST)
    ]
    leader = users.get("leader")
    school = Unit.objects.filter(kind=UnitKind.SCHOOL, code__startswith=TOWN_CODE).order_by("code").first()
    if leader is None or school is None or Inspection.objects.filter(client_id=INSPECTION_ID).exists():
        return 0
    inspection_record(
        unit=school,
        actor=leader,
        inspected_on=timezone.localdate() - datetime.timedelta(days=10),
        inspectors="陈志明、郑综治",
        results={items[0].pk: 40, items[1].pk: 30, items[2].pk: 15},
        findings="校园广播有两天未播放防骗MP3",
        rectification_deadline=timezone.localdate() + datetime.timedelta(days=10),
        client_id=INSPECTION_ID,
    )
    return 1


# (category, which candidate of the list, decision, note): "" leaves the nomination waiting for the leadership group
NOMINATIONS = [
    ("village", 0, "approve", "综合考评全镇第一，同意推荐"),
    ("village", -1, "reject", "发案数偏高，本年度不予推荐"),
    ("department", 0, "", ""),
    ("school", 0, "approve", "教职员工防骗教育覆盖，零发案"),
    ("police_station", 0, "approve", "首劝及时，破案追赃成效明显"),
    ("grid_worker", 0, "approve", "回访按时，劝阻成效好"),
    ("dissuasion_team", 0, "", ""),
    ("teacher", 0, "approve", "组织防骗教育课多"),
    ("officer", 0, "approve", "首次劝阻及时"),
]


def _nominations(users) -> int:
    from django.core.exceptions import ValidationError

    from assessment import nominations
    from assessment.models import NominationStatus
    from assessment.services import nomination_decide, nomination_propose
    from organization.access import narrowed_to

    leader = users.get("leader")
    if leader is None:
        return 0
    town = Unit.objects.get(code=TOWN_CODE)
    period = nominations.year_period(timezone.localdate().year)
    found = nominations.candidates(user=narrowed_to(leader, town), period=period)
    count = 0
    for category, index, action, note in NOMINATIONS:
        rows = found.get(category) or []
        if len(rows) < 2 and index == -1:
            continue
        candidate = rows[index] if rows else None
        if candidate is None:
            continue
        try:
            nomination, _created = nomination_propose(
                actor=leader,
                year=period.first_day.year,
                category=category,
                unit=None if candidate.person else candidate.unit,
                person=candidate.person,
            )
        except ValidationError:
            continue
        count += 1
        if action and nomination.status == NominationStatus.PROPOSED:
            nomination_decide(nomination=nomination, actor=leader, action=action, note=note)
    return count


@transaction.atomic
def seed() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=["police", "leader"])}
    return {
        "meeting_cases": _meeting(users),
        "staff": _rosters(),
        "school_inspections": _school_inspection(users),
        "nominations": _nominations(users),
    }
