"""Reads of the assessment: callbacks with what the records say, summons suggestions, nominations, the
dashboard's other panels. Scoped, and a fixed number of queries each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from core import periods
from organization.access import units_visible_to
from organization.models import Unit
from warnings_followup import kpis
from warnings_followup.models import FollowUpVisit, WarningOrder

from . import indicators
from .figures import coverage as cached_coverage
from .models import (
    ASSESSED_KINDS,
    AccountabilityItem,
    AccountabilityKind,
    AccountabilityStatus,
    Callback,
    Inspection,
    SummonsRule,
)

# --- Callbacks --------------------------------------------------------------------------------------


def callbacks_for(user):
    return Callback.objects.for_user(user).select_related("draw", "case", "case__victim", "village", "assigned_to")


@dataclass
class EducationRecord:
    """What the records say about the victim's household: door visits, pledge, app installed."""

    door_visits: int = 0
    last_visit: datetime.datetime | None = None
    someone_home_visits: int = 0
    app_installed: bool = False
    pledge_signed_at: datetime.datetime | None = None
    visits_after: int = 0  # door visits after the case was reported
    pledge_after: datetime.datetime | None = None  # a pledge signed after the case

    @property
    def educated_on_record(self) -> bool:
        return bool(self.someone_home_visits or self.pledge_signed_at)


def education_records(residents, *, before: datetime.datetime | None = None) -> dict[int, EducationRecord]:
    """{resident id: EducationRecord}: the door visits to each resident's household and their pledge — only
    those before ``before`` (the case's report) when given; later visits are counted apart. Two queries."""
    residents = list(residents)
    from django.db.models import Max

    from campaigns.models import DoorVisit, Pledge

    result = {r.pk: EducationRecord() for r in residents}
    households = {r.household_id for r in residents if r.household_id}
    in_time = Q(visited_at__lt=before) if before else Q()
    rows = (
        DoorVisit.objects.filter(household_id__in=households)
        .order_by()
        .values("household_id")
        .annotate(
            n=Count("pk", filter=in_time),
            home=Count("pk", filter=in_time & Q(someone_home=True)),
            last=Max("visited_at", filter=in_time),
            app=Count("pk", filter=in_time & Q(app_installed=True)),
            later=Count("pk", filter=~in_time) if before else Value(0, output_field=IntegerField()),
        )
    )
    members: dict[int, list[int]] = {}
    for resident in residents:
        if resident.household_id:
            members.setdefault(resident.household_id, []).append(resident.pk)
    for row in rows:
        for resident_id in members.get(row["household_id"], []):
            record = result[resident_id]
            record.door_visits, record.someone_home_visits = row["n"], row["home"]
            record.last_visit, record.app_installed = row["last"], bool(row["app"])
            record.visits_after = row["later"]
    for resident_id, signed_at in Pledge.objects.filter(resident_id__in=result).values_list("resident_id", "signed_at"):
        if before is None or signed_at < before:
            result[resident_id].pledge_signed_at = signed_at
        else:
            result[resident_id].pledge_after = signed_at
    return result


# --- Accountability and inspections -------------------------------------------------------------------


def accountability_for(user):
    return AccountabilityItem.objects.for_user(user).select_related("unit", "callback", "callback__case")


def accountability_list_for(user):
    """The list's rows: the unit, the case, the grid and the workers named (a fixed number of queries)."""
    return accountability_for(user).select_related("case", "traced_grid").prefetch_related("traced_workers")


def accountability_page(*, user, pk: int) -> AccountabilityItem:
    """One item for its page, in scope (404 otherwise), with its case, warning, grid, workers and reports."""
    from django.shortcuts import get_object_or_404

    from core.models import Attachment

    from .models import RectificationReport

    reports = RectificationReport.objects.select_related("submitted_by", "decided_by").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    return get_object_or_404(
        accountability_for(user)
        .select_related("case__victim", "warning", "traced_grid", "created_by", "closed_by")
        .prefetch_related("traced_workers", Prefetch("reports", queryset=reports)),
        pk=pk,
    )


HOME_PANEL_LIMIT = 5


def home_panel(*, user, today: datetime.date | None = None) -> dict | None:
    """The home page's accountability panel.

    The summoned unit's head: its open items that wait for its rectification, overdue first. The leadership
    group: rectification reports to accept or return, and callbacks whose answer the records contradict."""
    from organization.access import can

    from .models import OWED
    from .services import headed_unit

    today = today or timezone.localdate()
    unit = headed_unit(user)
    panel = {"template": "assessment/_home_panel.html", "today": today, "owed": [], "to_decide": 0, "disagree": 0}
    if unit is not None:
        owed = (
            AccountabilityItem.objects.for_user(user)
            .open()
            .filter(unit=unit, rectification_status__in=OWED)
            .select_related("unit")
            .order_by(F("rectification_deadline").asc(nulls_last=True), "-created_at")
        )
        panel["owed"] = list(owed[:HOME_PANEL_LIMIT])
        panel["overdue"] = owed.filter(rectification_deadline__lt=today).count()
    if can(user, "assessment.summon"):
        panel["to_decide"] = AccountabilityItem.objects.for_user(user).awaiting_decision().count()
        panel["disagree"] = Callback.objects.for_user(user).records_disagree().count()
    if not (panel["owed"] or panel["to_decide"] or panel["disagree"]):
        return None
    return panel


def inspections_for(user):
    return Inspection.objects.for_user(user).select_related("unit")


def inspectable_units(user):
    return units_visible_to(user).filter(kind__in=ASSESSED_KINDS, is_active=True)


# --- Summons suggestions (通报约谈) -------------------------------------------------------------------


@dataclass
class SummonsSuggestion:
    village: Unit
    reasons: list[str] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)  # {"month", "rate", "town_rate"}
    coverage_rate: float | None = None
    inspection_score: Decimal | None = None
    open_summons: bool = False


def summons_suggestions(*, user, today: datetime.date | None = None, rule: SummonsRule | None = None) -> list:
    """Villages whose cases per 10,000 stayed above the town's rate (× the rule's factor) in each of the last
    N complete months, or whose publicity work is weak (coverage or last inspection score below the rule's)."""
    today = today or timezone.localdate()
    rule = rule or SummonsRule.current()
    villages = list(indicators.villages_for(user))
    if not villages:
        return []
    this_month = periods.current_month(today)
    months = []
    period = this_month
    for _index in range(rule.consecutive_months):
        period = period.previous()
        months.insert(0, period)
    counts = indicators.monthly_rates(user=user, months=months, villages=villages)
    population = sum(v.population or 0 for v in villages)
    town_rates = {}
    for month in months:
        total = sum(counts.get(v.pk, {}).get(month.first_day, 0) for v in villages)
        town_rates[month.first_day] = indicators.per_10k(total, population)
    now = timezone.now()
    coverage = cached_coverage(villages, as_of=now, now=now)
    latest = Inspection.objects.filter(unit=OuterRef("pk")).order_by("-inspected_on", "-pk").values("score")[:1]
    scores = dict(
        Unit.objects.filter(pk__in=[v.pk for v in villages]).annotate(s=Subquery(latest)).values_list("pk", "s")
    )
    summoned = set(
        AccountabilityItem.objects.filter(
            unit__in=villages, kind=AccountabilityKind.SUMMONS, status=AccountabilityStatus.OPEN
        ).values_list("unit_id", flat=True)
    )
    result = []
    for village in villages:
        suggestion = SummonsSuggestion(village=village, open_summons=village.pk in summoned)
        high = bool(months) and village.population
        for month in months:
            rate = indicators.per_10k(counts.get(village.pk, {}).get(month.first_day, 0), village.population)
            town = town_rates[month.first_day]
            suggestion.months.append({"month": month.key, "rate": rate, "town_rate": town})
            if rate is None or town is None or rate <= town * rule.rate_factor:
                high = False
        if high:
            suggestion.reasons.append(
                _("Cases per 10,000 people above the town's rate for %(n)d consecutive months")
                % {"n": rule.consecutive_months}
            )
        households, visited = coverage.get(village.pk, (0, 0))
        if households:
            suggestion.coverage_rate = visited / households
            if rule.min_coverage_rate is not None and suggestion.coverage_rate < rule.min_coverage_rate:
                suggestion.reasons.append(
                    _("Weak publicity: door-visit coverage %(rate).0f%% below %(min).0f%%")
                    % {"rate": suggestion.coverage_rate * 100, "min": rule.min_coverage_rate * 100}
                )
        suggestion.inspection_score = scores.get(village.pk)
        if (
            rule.min_inspection_score is not None
            and suggestion.inspection_score is not None
            and suggestion.inspection_score < rule.min_inspection_score
        ):
            suggestion.reasons.append(
                _("Weak publicity: last inspection score %(score)s below %(min)s")
                % {"score": suggestion.inspection_score, "min": rule.min_inspection_score}
            )
        if suggestion.reasons:
            result.append(suggestion)
    return result


# --- Year-end nominations (先进集体和个人) ----------------------------------------------------------------


@dataclass
class WorkerNomination:
    user_id: int
    name: str
    unit: str
    visits_on_time: int = 0
    visits_due: int = 0
    dissuasions: int = 0


def worker_nominations(*, user, period: periods.Period, limit: int = 20) -> list[WorkerNomination]:
    """Workers by on-time in-person follow-up visits and by dissuasions confirmed, in ``period``: two queries."""
    from organization.models import User

    warnings = WarningOrder.objects.for_user(user)
    visits = (
        kpis.timed_in_person_visits(
            FollowUpVisit.objects.filter(
                warning__in=warnings.order_by().values("pk"),
                visited_at__gte=period.start,
                visited_at__lt=period.end,
                recorded_by__isnull=False,
            )
        )
        .order_by()
        .values("recorded_by")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=kpis.on_time()))
    )
    found: dict[int, WorkerNomination] = {}
    for row in visits:
        found[row["recorded_by"]] = WorkerNomination(
            user_id=row["recorded_by"], name="", unit="", visits_on_time=row["on_time"], visits_due=row["due"]
        )
    dissuasions = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(WarningOrder),
            event="confirm_dissuaded",
            at__gte=period.start,
            at__lt=period.end,
            actor__isnull=False,
            object_id__in=warnings.order_by().annotate(key=Cast("pk", output_field=CharField())).values("key"),
        )
        .order_by()
        .values("actor")
        .annotate(n=Count("pk"))
    )
    for row in dissuasions:
        found.setdefault(row["actor"], WorkerNomination(user_id=row["actor"], name="", unit="")).dissuasions = row["n"]
    people = User.objects.filter(pk__in=found).select_related("unit")
    for person in people:
        found[person.pk].name = str(person)
        found[person.pk].unit = person.unit.name if person.unit_id else ""
    ranked = sorted(found.values(), key=lambda w: (-(w.visits_on_time + w.dissuasions), -w.dissuasions, w.name))
    return ranked[:limit]


def draws_with_counts(user, limit: int = 12) -> list:
    """The latest draws, each with its callbacks in the user's scope counted (two queries)."""
    from .models import CallbackDraw, CallbackStatus

    draws = list(CallbackDraw.objects.select_related("drawn_by")[:limit])
    counts = {
        row["draw_id"]: row
        for row in Callback.objects.for_user(user)
        .filter(draw__in=draws)
        .order_by()
        .values("draw_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=CallbackStatus.DONE)),
            not_educated=Count("pk", filter=Q(status=CallbackStatus.DONE, reached=True, educated=False)),
        )
    }
    for draw in draws:
        row = counts.get(draw.pk, {})
        draw.n, draw.done, draw.not_educated = row.get("n", 0), row.get("done", 0), row.get("not_educated", 0)
    return draws
