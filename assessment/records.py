"""What the records say about a victim before their case was reported, for accountability (plan 四(二)).

* :func:`education_evidence`: the anti-fraud education on record before the report — a door visit that found
  someone at home, the victim's signed pledge, a school's parent notice whose return slip names the victim (as
  the guardian, by phone, or as the student). A "not educated" callback that these contradict is "records
  disagree" (记录不符) and waits for leadership: 对确未接受防骗宣传教育的 only.
* :func:`traced_responsibility`: 倒查责任 down to the household's grid and the workers who covered it — the door
  visits' visitors and the pledge's collector before the report, the warning's follow-up visitors; with nobody
  on record, the grid's workers.

Reads only; the services store what they find on the callback and the accountability item.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from organization.models import Role, Unit


@dataclass(frozen=True)
class Evidence:
    channel: str  # an EducationChannel value
    on: datetime.date
    detail: str

    def as_json(self) -> dict:
        return {"channel": self.channel, "on": self.on.isoformat(), "detail": self.detail}


def education_evidence(case) -> list[Evidence]:
    """The education on record for ``case``'s victim before the case was reported (oldest first). Three queries."""
    from campaigns.models import DoorVisit, Pledge
    from education.models import ReturnSlip

    from .models import EducationChannel

    victim, before = case.victim, case.reported_at
    report_day = timezone.localtime(before).date()
    found: list[Evidence] = []
    if victim.household_id:
        visit = (
            DoorVisit.objects.filter(household_id=victim.household_id, someone_home=True, visited_at__lt=before)
            .order_by("-visited_at", "-pk")
            .first()
        )
        if visit is not None:
            found.append(
                Evidence(EducationChannel.DOOR_VISIT, timezone.localtime(visit.visited_at).date(), "someone_home")
            )
    pledge = Pledge.objects.filter(resident=victim, signed_at__lt=before).first()
    if pledge is not None:
        found.append(Evidence(EducationChannel.PLEDGE, timezone.localtime(pledge.signed_at).date(), "signed"))
    whose = Q(student__id_number_hash=victim.id_number_hash)
    if victim.phone_hash:
        whose |= Q(student__guardian_phone_hash=victim.phone_hash)
    slip = (
        ReturnSlip.objects.filter(whose, collected_on__lt=report_day)
        .select_related("notice")
        .order_by("-collected_on", "-pk")
        .first()
    )
    if slip is not None:
        found.append(Evidence(EducationChannel.SCHOOL_NOTICE, slip.collected_on, slip.notice.title[:100]))
    return sorted(found, key=lambda e: e.on)


def traced_responsibility(case, *, warning=None) -> tuple[Unit | None, list]:
    """(the grid of the victim's household, the workers who covered it) for ``case``."""
    from campaigns.models import DoorVisit, Pledge
    from organization.models import User
    from organization.selectors import people_in

    victim, before = case.victim, case.reported_at
    household = victim.household if victim.household_id else None
    grid = household.grid if household is not None and household.grid_id else None
    ids: set[int] = set()
    if household is not None:
        ids |= set(
            DoorVisit.visitors.through.objects.filter(
                doorvisit__household=household, doorvisit__visited_at__lt=before
            ).values_list("user_id", flat=True)
        )
    ids |= set(
        Pledge.objects.filter(resident=victim, signed_at__lt=before, collected_by__isnull=False).values_list(
            "collected_by", flat=True
        )
    )
    if warning is not None:
        from warnings_followup.models import FollowUpVisit

        ids |= set(
            FollowUpVisit.visitors.through.objects.filter(
                followupvisit__warning=warning, followupvisit__visited_at__lt=before
            ).values_list("user_id", flat=True)
        )
    workers = list(User.objects.filter(pk__in=ids).order_by("full_name", "username"))
    if not workers and grid is not None:
        workers = list(people_in(grid, [Role.GRID_WORKER]).order_by("full_name", "username"))
    return grid, workers
