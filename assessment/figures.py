"""The indicators' raw figures per village and month, cached (Django's cache: Redis in production).

A period's report (:func:`assessment.indicators.indicator_report`) is the sum of its months: cases, losses and
cases defrauded after a warning by the month of the report; warnings' outcomes and follow-up visits by the
month of the push; callbacks by the month of their draw; inspections by their date (a sum and a count, so the
mean of a quarter is exact). Each month's figures for the villages compared are computed once (five grouped
queries) and kept under a key made of:

* the month's **version**: a counter in the cache, bumped whenever a fraud case, a warning, a follow-up visit,
  a callback or an inspection of that month is saved or deleted (by the signals in :func:`connect`), once at
  the write and again when its transaction commits, so a report computed between the two is not kept;
* the villages compared (ids, registered populations) and the plan's figures they depend on
  (``VISIT_INTERVAL_DAYS``, ``FOLLOW_UP_MONTHS``);
* **today**, while the month's warnings may still be in their follow-up window (a due date passed with no
  visit counts from today on): until ``FOLLOW_UP_MONTHS`` after the month's last day. After that a month only
  changes by a write, which bumps its version;
* the database's **epoch** (:class:`~assessment.models.ReportEpoch`, one row): a cache shared with another
  database (a test run, a restored backup) never answers here. :func:`invalidate_all` deletes it (seed_scale
  does, as it writes with COPY, which sends no signal).

Reports over the warnings *as they are now* (the warning KPI page, the dashboard's pipeline) are cached by
:func:`live` under one **live version**, bumped by the same writes as the months' versions, and **today**;
they also expire after ``LIVE_SECONDS``: what changes with the clock alone within a day (a push's
acknowledgement deadline passing) and writes that send no signal show within that time.

Door-visit coverage as of a closed period's end is cached the same way under one coverage version bumped by
households and by door visits dated before this month (as of now it is the door-knocking's own figures, not
cached). A registry import creates households in bulk, without signals: coverage entries also expire after
``COVERAGE_SECONDS``, so such a change shows within that time. Figures entries expire after ``FIGURES_SECONDS``
(a day): a month nobody asks for leaves the cache.
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core import periods
from core.rules import add_months, rule

FIGURES_SECONDS = 24 * 3600
COVERAGE_SECONDS = 10 * 60
PREFIX = "assessment:figures"
FORMAT = "1"  # bump when :class:`Figures` changes: entries pickled by an older release are then never read
COVERAGE_VERSION = f"{PREFIX}:coverage-version"
LIVE_VERSION = f"{PREFIX}:live-version"
LIVE_SECONDS = 5 * 60
OVERSIGHT_VERSION = f"{PREFIX}:oversight-version"  # the assessment app's own records (items, inspections …), units
EDUCATION_VERSION = f"{PREFIX}:education-version"  # the schools' and the education app's records
# The door-knocking's, publicity's and fraud cases' records, households and the towns' settings: what the
# indicators and the dashboard read besides the records the live version follows (coverage counters now,
# publicity activities, case meetings, weights chosen by a town).
ACTIVITY_VERSION = f"{PREFIX}:activity-version"


@dataclass
class Figures:
    """One village's raw figures over a month (or the sum of months)."""

    cases: int = 0
    loss: Decimal = Decimal("0")
    after_warning: int = 0
    inspection_sum: Decimal = Decimal("0")
    inspections: int = 0
    callbacks_reached: int = 0
    not_educated: int = 0
    dissuaded: int = 0
    decided: int = 0
    missed_now: int = 0
    visits_due: int = 0
    visits_on_time: int = 0

    def add(self, other: Figures) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


# --- Versions -------------------------------------------------------------------------------------------


def _version_key(month: datetime.date) -> str:
    return f"{PREFIX}:version:{month:%Y-%m}"


def _fresh() -> int:
    """A new version no earlier entry can carry (a counter the cache evicted starts again from here)."""
    return time.time_ns()


def _bump_keys(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (yet, or evicted)
            cache.set(key, _fresh(), None)


def _versions(keys: list[str]) -> dict[str, int]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh(), None)
            found[key] = cache.get(key)
    return found


def month_of(moment: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The first day of the local month of ``moment``."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def bump_months(*moments) -> None:
    """The months of ``moments`` (dates or datetimes) changed: now, and again when the transaction commits."""
    keys = sorted({_version_key(month) for month in map(month_of, moments) if month is not None})
    if keys:
        _bump_keys(keys)
        transaction.on_commit(lambda: _bump_keys(keys))


def bump_live() -> None:
    _bump_keys([LIVE_VERSION])
    transaction.on_commit(lambda: _bump_keys([LIVE_VERSION]))


def bump_coverage() -> None:
    _bump_keys([COVERAGE_VERSION])
    transaction.on_commit(lambda: _bump_keys([COVERAGE_VERSION]))


def epoch() -> str:
    """This database's token: one query (two the first time, when it is created)."""
    from .models import ReportEpoch

    found = ReportEpoch.objects.filter(pk=1).values_list("token", flat=True).first()
    if found is None:
        # Two first requests may race: the loser's token names only its own entries, which nobody reads.
        found = uuid.uuid4().hex
        ReportEpoch.objects.bulk_create([ReportEpoch(pk=1, token=found)], ignore_conflicts=True)
    return found


def invalidate_all() -> None:
    """Drop every cached figure of this database (after writes that send no signal: COPY, raw SQL)."""
    from .models import ReportEpoch

    ReportEpoch.objects.all().delete()


# --- Computing a month ----------------------------------------------------------------------------------


def _settled(month: datetime.date, today: datetime.date) -> bool:
    """Every warning pushed in ``month`` is past its follow-up window: ``today`` no longer changes its figures."""
    last_day = add_months(month, 1) - datetime.timedelta(days=1)
    return today > add_months(last_day, rule("FOLLOW_UP_MONTHS"))


def compute_month(month: datetime.date, village_ids: list[int], today: datetime.date) -> dict[int, Figures]:
    """The figures of every village of ``village_ids`` in ``month`` (five grouped queries)."""
    from fraud_cases.models import FraudCase
    from warnings_followup import kpis
    from warnings_followup.models import WarningOrder

    from .models import Callback, CallbackStatus, Inspection

    period = periods.month(month)
    result = {pk: Figures() for pk in village_ids}
    cases = (
        FraudCase.objects.filter(village_id__in=village_ids, reported_at__gte=period.start, reported_at__lt=period.end)
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"), loss=Sum("loss_amount"), after=Count("pk", filter=Q(warning__isnull=False)))
    )
    for row in cases:
        found = result[row["village_id"]]
        found.cases, found.loss, found.after_warning = row["n"], Decimal(row["loss"] or 0), row["after"]
    inspections = (
        Inspection.objects.filter(
            unit_id__in=village_ids, inspected_on__gte=period.first_day, inspected_on__lt=period.end_day
        )
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("score"), n=Count("pk"))
    )
    for row in inspections:
        found = result[row["unit_id"]]
        found.inspection_sum, found.inspections = Decimal(row["total"] or 0), row["n"]
    callbacks = (
        Callback.objects.filter(
            village_id__in=village_ids,
            draw__month__gte=period.first_day,
            draw__month__lt=period.end_day,
            status=CallbackStatus.DONE,
            reached=True,
        )
        .order_by()
        .values("village_id")
        .annotate(reached=Count("pk"), n=Count("pk", filter=Q(pk__in=Callback.objects.not_educated().values("pk"))))
    )
    for row in callbacks:
        found = result[row["village_id"]]
        found.callbacks_reached, found.not_educated = row["reached"], row["n"]
    warnings = WarningOrder.objects.filter(
        village_id__in=village_ids, pushed_at__gte=period.start, pushed_at__lt=period.end
    )
    for pk, kpi in kpis.status_rows(warnings, today).items():
        if pk in result:
            found = result[pk]
            found.dissuaded, found.decided, found.missed_now = kpi.dissuaded, kpi.decided, kpi.missed_now
    for pk, (due, on_time) in kpis.visit_rows(warnings).items():
        if pk in result:
            result[pk].visits_due, result[pk].visits_on_time = due, on_time
    return result


# --- Reading through the cache --------------------------------------------------------------------------


def _villages_key(villages) -> str:
    """The villages compared and their registered populations, hashed (a key stays short at county scale)."""
    text = ",".join(f"{v.pk}:{v.population or 0}" for v in sorted(villages, key=lambda v: v.pk))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def period_figures(
    period: periods.Period, villages, today: datetime.date, *, token: str | None = None
) -> dict[int, Figures]:
    """{village id: Figures} over ``period`` (the sum of its months), from the cache where it can."""
    villages = list(villages)
    ids = [v.pk for v in villages]
    months = period.months()
    token = token or epoch()
    versions = _versions([_version_key(month) for month in months])
    rules = f"{rule('VISIT_INTERVAL_DAYS')}:{rule('FOLLOW_UP_MONTHS')}"
    where = _villages_key(villages)
    keys = {
        month: ":".join(
            [
                PREFIX,
                FORMAT,
                token,
                f"{month:%Y-%m}",
                str(versions[_version_key(month)]),
                "settled" if _settled(month, today) else today.isoformat(),
                rules,
                where,
            ]
        )
        for month in months
    }
    cached = cache.get_many(list(keys.values()))
    total = {pk: Figures() for pk in ids}
    for month, key in keys.items():
        found = cached.get(key)
        if found is None:
            found = compute_month(month, ids, today)
            cache.set(key, found, FIGURES_SECONDS)
        for pk, figures in found.items():
            if pk in total:
                total[pk].add(figures)
    return total


def coverage(
    villages, *, as_of: datetime.datetime, now: datetime.datetime | None = None, token: str | None = None
) -> dict[int, tuple[int, int]]:
    """{village id: (households, households visited)} as of ``as_of`` (``indicators.coverage_for``).

    As of now (``as_of`` at or after ``now``): the door-knocking's own figures, uncached (its counters answer
    in a few rows). As of a moment past (a closed period): cached under the coverage version."""
    from . import indicators

    villages = list(villages)
    if not villages:
        return {}
    now = now or timezone.now()
    if as_of >= now:
        return indicators.coverage_for(villages, as_of=None)
    version = _versions([COVERAGE_VERSION])[COVERAGE_VERSION]
    key = ":".join(
        [PREFIX, "coverage", FORMAT, token or epoch(), str(version), as_of.isoformat(), _villages_key(villages)]
    )
    found = cache.get(key)
    if found is None:
        found = indicators.coverage_for(villages, as_of=as_of)
        cache.set(key, found, COVERAGE_SECONDS)
    return found


def scope_key(units) -> str:
    """The units (or unit ids) a report covers, hashed: part of a cache key."""
    ids = sorted(getattr(unit, "pk", unit) for unit in units)
    return hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()


def user_scope_key(user) -> str:
    """What a user's reports depend on: the roots of their scope, their unit and roles (a cache key's part)."""
    from organization.access import EVERYTHING, scope_roots

    roots = scope_roots(user)
    where = "everything" if roots is EVERYTHING else scope_key(roots)
    return f"{where}:{user.unit_id}:{'.'.join(sorted(map(str, user.role_codes)))}"


def live_key(
    name: str, parts, *, today: datetime.date | None = None, token: str | None = None, also: tuple[str, ...] = ()
) -> str:
    """The key :func:`live` keeps ``name`` under: ``parts`` (strings: the scope, the options), today, the epoch,
    the live version and the versions ``also`` names, hashed (a key stays short). It changes whenever what the
    report reads may have changed: a page may key what it renders from the report with it."""
    today = today or timezone.localdate()
    names = [LIVE_VERSION, *also]
    versions = _versions(names)
    varying = ":".join(
        [token or epoch(), *(str(versions[item]) for item in names), today.isoformat(), *map(str, parts)]
    )
    digest = hashlib.sha1(varying.encode(), usedforsecurity=False).hexdigest()
    return ":".join([PREFIX, "live", FORMAT, name, digest])


def live(
    name: str,
    parts,
    compute,
    *,
    today: datetime.date | None = None,
    token: str | None = None,
    also: tuple[str, ...] = (),
    key: str | None = None,
):
    """``compute()``, cached under ``name``, ``parts`` (strings: the scope, the options), today and the live
    version (see the module's docstring) and the versions ``also`` names (``OVERSIGHT_VERSION``,
    ``EDUCATION_VERSION``, ``ACTIVITY_VERSION``): one cache read and one query (the epoch, none when ``token`` is
    given) when cached. ``key``: :func:`live_key`'s answer for the same arguments, already asked for."""
    key = key or live_key(name, parts, today=today, token=token, also=also)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, LIVE_SECONDS)
    return found


def by_month(name: str, months: list, parts, compute, *, today: datetime.date | None = None, token: str | None = None):
    """{first day: value} for ``months`` (periods), where ``compute(missing)`` answers for a list of months.

    Months closed before today are cached under their month's version (bumped by the writes of :func:`connect`)
    and the epoch, as :func:`period_figures` does; the open month (and any later) is computed at every call,
    with the closed months nobody cached yet, in one ``compute`` call bounded to those months."""
    today = today or timezone.localdate()
    closed = [m for m in months if m.last_day < today]
    token = token or (epoch() if closed else "")
    versions = _versions([_version_key(m.first_day) for m in closed]) if closed else {}
    keys = {
        m.first_day: ":".join(
            [
                PREFIX,
                "month",
                FORMAT,
                name,
                token,
                f"{m.first_day:%Y-%m}",
                str(versions[_version_key(m.first_day)]),
                *map(str, parts),
            ]
        )
        for m in closed
    }
    cached = cache.get_many(list(keys.values())) if keys else {}
    result = {day: cached[key] for day, key in keys.items() if key in cached}
    missing = [m for m in months if m.first_day not in result]
    if missing:
        computed = compute(missing)
        for m in missing:
            result[m.first_day] = computed[m.first_day]
        cache.set_many(
            {keys[m.first_day]: result[m.first_day] for m in missing if m.first_day in keys}, FIGURES_SECONDS
        )
    return result


# --- Signals --------------------------------------------------------------------------------------------


DATED = {"fraud_cases.fraudcase": "reported_at", "assessment.inspection": "inspected_on"}


def _remember(sender, instance, **kwargs) -> None:
    """post_init: the date an instance had when loaded, so a change of its date bumps both months (read from the
    instance's own fields: a deferred date is not fetched)."""
    instance._figures_month = instance.__dict__.get(DATED[sender._meta.label_lower])


def _moment(instance):
    from fraud_cases.models import FraudCase
    from warnings_followup.models import FollowUpVisit, WarningOrder

    from .models import Callback, Inspection

    if isinstance(instance, FraudCase):
        return instance.reported_at
    if isinstance(instance, WarningOrder):
        return instance.pushed_at
    if isinstance(instance, Inspection):
        return instance.inspected_on
    if isinstance(instance, FollowUpVisit):
        field = FollowUpVisit._meta.get_field("warning")
        if field.is_cached(instance):
            return instance.warning.pushed_at
        return WarningOrder.objects.filter(pk=instance.warning_id).values_list("pushed_at", flat=True).first()
    if isinstance(instance, Callback):
        from .models import CallbackDraw

        field = Callback._meta.get_field("draw")
        if field.is_cached(instance):
            return instance.draw.month
        return CallbackDraw.objects.filter(pk=instance.draw_id).values_list("month", flat=True).first()
    return None


def _changed(sender, instance, **kwargs) -> None:
    bump_months(_moment(instance), getattr(instance, "_figures_month", None))
    bump_live()


def _coverage_changed(sender, instance, **kwargs) -> None:
    """A household registered, moved or deleted; a door visit recorded, changed or deleted *on or before the start
    of this month* (a closed period's coverage counts visits up to its end: one recorded now changes none)."""
    from campaigns.models import DoorVisit

    if isinstance(instance, DoorVisit):
        visited_at = instance.__dict__.get("visited_at")
        this_month = periods.current_month(timezone.localdate()).start
        if visited_at is not None and visited_at > this_month:
            return
    bump_coverage()


def _oversight_changed(sender, instance=None, **kwargs) -> None:
    bump_live_of(OVERSIGHT_VERSION)


def _education_changed(sender, **kwargs) -> None:
    bump_live_of(EDUCATION_VERSION)


def _education_m2m_changed(sender, **kwargs) -> None:
    if sender._meta.app_label in EDUCATION_APPS:
        bump_live_of(EDUCATION_VERSION)


def _activity_changed(sender, **kwargs) -> None:
    bump_live_of(ACTIVITY_VERSION)


def _activity_m2m_changed(sender, **kwargs) -> None:
    if sender._meta.app_label in ACTIVITY_APPS:
        bump_live_of(ACTIVITY_VERSION)


def bump_live_of(key: str) -> None:
    _bump_keys([key])
    transaction.on_commit(lambda: _bump_keys([key]))


EDUCATION_APPS = ("education", "schools")
ACTIVITY_APPS = ("campaigns", "publicity", "fraud_cases")


def connect() -> None:
    """Called by the app's ready(): the writes that change a month's figures or the coverage bump versions."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

    from campaigns.models import DoorVisit
    from fraud_cases.models import FraudCase
    from organization.models import TownSettings, Unit
    from residents.models import Household
    from warnings_followup.models import FollowUpVisit, WarningOrder

    from .models import Callback, Inspection, ReportEpoch

    for model in (FraudCase, WarningOrder, FollowUpVisit, Callback, Inspection):
        uid = f"assessment.figures.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for model in (FraudCase, Inspection):  # their date can be corrected
        post_init.connect(_remember, sender=model, dispatch_uid=f"assessment.figures.{model._meta.label_lower}.init")
    for model in (DoorVisit, Household):
        uid = f"assessment.figures.coverage.{model._meta.label_lower}"
        post_save.connect(_coverage_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_coverage_changed, sender=model, dispatch_uid=f"{uid}.delete")
    # The dashboard's oversight block (accountability items, inspections, callbacks, summons suggestions) and the
    # schools' compliance: any write of the assessment app's records or of a unit; of the schools' records.
    for model in [*apps.get_app_config("assessment").get_models(), Unit]:
        if model is not ReportEpoch:
            uid = f"assessment.figures.oversight.{model._meta.label_lower}"
            post_save.connect(_oversight_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(_oversight_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for label in EDUCATION_APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"assessment.figures.education.{model._meta.label_lower}"
            post_save.connect(_education_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(_education_changed, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(_education_m2m_changed, dispatch_uid="assessment.figures.education.m2m")
    # The whole dashboard and the indicators' report (``live(..., also=(ACTIVITY_VERSION, …))``): the coverage
    # counters as of now (door visits, pledges, households), publicity activities and case meetings, the cases'
    # outcomes, a town's own weights.
    activity = [model for label in ACTIVITY_APPS for model in apps.get_app_config(label).get_models()]
    for model in [*activity, Household, TownSettings]:
        uid = f"assessment.figures.activity.{model._meta.label_lower}"
        post_save.connect(_activity_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_activity_changed, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(_activity_m2m_changed, dispatch_uid="assessment.figures.activity.m2m")
