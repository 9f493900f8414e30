"""The one-person-one-file timeline (一人一档全息档案): everything the town knows about one person, in time order.

The timeline is assembled from *sources*: small functions that each turn one kind of record into
:class:`TimelineEntry` items. Later features (door-to-door visits, pledges, fraud cases) add their own
sources with :func:`sources_add` in their ``timeline.py``; the page, the print view and the order stay the same.

Every source reads only what the user may see: the person's warnings come from
``WarningOrder.objects.for_user(user)``, and the other records hang off those warnings. The whole file costs
a fixed number of queries however many warnings and visits the person has.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from organization.selectors import user_names
from residents.models import Resident

from .models import (
    CloseReason,
    DissuasionMethod,
    EscalationContact,
    FollowUpVisit,
    StopPaymentAccount,
    VisitMethod,
    WarningOrder,
    WarningStatus,
)


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the person, ready to show."""

    at: datetime.datetime
    kind: str  # "push", "visit", "escalation", "release", "event" (and later sources' own kinds)
    title: str
    detail: str = ""
    actor: str = ""
    warning: WarningOrder | None = None
    at_risk: bool = False
    facts: tuple[str, ...] = ()  # short labels, such as the person's state found on a visit


@dataclass
class PersonFile:
    person: Resident
    warnings: list[WarningOrder]
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineContext:
    user: object
    person: Resident
    warnings: list[WarningOrder]  # in the user's scope, with visits, contacts and accounts prefetched


TimelineSource = Callable[[TimelineContext], Iterable[TimelineEntry]]


def _name(user) -> str:
    return str(user) if user is not None else ""


# --- Sources --------------------------------------------------------------------------------------


def warning_pushes(context: TimelineContext) -> Iterable[TimelineEntry]:
    for warning in context.warnings:
        yield TimelineEntry(
            at=warning.pushed_at,
            kind="push",
            title=_("Warning %(number)s pushed: %(fraud_type)s, %(risk)s risk")
            % {
                "number": warning.external_id,
                "fraud_type": warning.get_fraud_type_display(),
                "risk": warning.get_risk_level_display(),
            },
            detail=warning.summary,
            actor=_name(warning.pushed_by),
            warning=warning,
            at_risk=True,
        )


VISIT_FACTS = (
    ("understands_risk", gettext_lazy("understands the risk")),
    ("still_in_contact", gettext_lazy("still in contact with the fraudster")),
    ("new_transfer_attempts", gettext_lazy("new transfer attempts")),
    ("app_installed", gettext_lazy("anti-fraud app installed")),
    ("relatives_informed", gettext_lazy("relatives informed")),
)


def follow_up_visits(context: TimelineContext) -> Iterable[TimelineEntry]:
    for warning in context.warnings:
        for visit in warning.visits.all():
            if visit.method == VisitMethod.IN_PERSON:
                title = _("In-person visit: still at risk") if visit.at_risk else _("In-person visit")
            else:
                title = _("Phone call: still at risk") if visit.at_risk else _("Phone call")
            names = getattr(visit, "visitor_names", None)  # read with the visits (person_warnings)
            if names is None:
                names = [_name(user) for user in visit.visitors.all()]
            yield TimelineEntry(
                at=visit.visited_at,
                kind="visit",
                title=title,
                detail=visit.notes,
                actor="、".join(names),
                warning=warning,
                at_risk=visit.at_risk,
                facts=tuple(str(label) for name, label in VISIT_FACTS if getattr(visit, name)),
            )


def escalation_contacts(context: TimelineContext) -> Iterable[TimelineEntry]:
    for warning in context.warnings:
        for contact in warning.escalation_contacts.all():
            yield TimelineEntry(
                at=contact.contacted_at,
                kind="escalation",
                title=_("Relatives and friends mobilised: %(name)s (%(relation)s)")
                % {"name": contact.name, "relation": contact.relation},
                detail=contact.outcome,
                actor=_name(contact.recorded_by),
                warning=warning,
                facts=(contact.masked_phone,) if contact.phone else (),
            )


def stop_payment_releases(context: TimelineContext) -> Iterable[TimelineEntry]:
    for warning in context.warnings:
        for account in warning.stop_payment_accounts.all():
            if account.released_at is None:
                continue
            yield TimelineEntry(
                at=account.released_at,
                kind="release",
                title=_("Stop-payment released: %(bank)s %(account)s")
                % {"bank": account.bank, "account": account.masked_account_number},
                actor=_name(account.released_by),
                warning=warning,
            )


# Audit events already shown, more fully, by another source.
COVERED_EVENTS = frozenset({"push", "visit", "escalation"})
EVENT_TITLES = {
    # residents.services.registration_refused: someone tried to register this person's ID number again
    "registration_refused": gettext_lazy("Registration of this ID number again refused"),
    "acknowledge": gettext_lazy("Acknowledged by the village team"),
    "first_dissuasion": gettext_lazy("First dissuasion recorded"),
    "confirm_dissuaded": gettext_lazy("Dissuasion confirmed"),
    "confirm_release": gettext_lazy("Stop-payment release confirmed"),
    "report_defrauded": gettext_lazy("Defrauded after the warning"),
    "close": gettext_lazy("Case closed"),
    "window_ended": gettext_lazy("Follow-up window ended: case closed"),
}


def _event_detail(event: AuditEvent, warning: WarningOrder | None) -> tuple[str, tuple[str, ...]]:
    facts = []
    if event.event == "first_dissuasion" and event.extra.get("method") in DissuasionMethod.values:
        facts.append(str(DissuasionMethod(event.extra["method"]).label))
    if event.event == "close" and event.extra.get("close_reason") in CloseReason.values:
        facts.append(str(CloseReason(event.extra["close_reason"]).label))
    if event.event == "report_defrauded" and warning is not None:
        if warning.defrauded_on:
            facts.append(_("on %(date)s") % {"date": warning.defrauded_on.isoformat()})
        if event.extra.get("loss_amount"):
            facts.append(_("loss ¥%(amount)s") % {"amount": event.extra["loss_amount"]})
    if event.new and event.new in WarningStatus.values and event.event != "report_defrauded":
        facts.append(str(WarningStatus(event.new).label))
    return event.reason, tuple(facts)


def audit_events(context: TimelineContext) -> Iterable[TimelineEntry]:
    """Workflow transitions of the person's warnings, and audit events about the person themself."""
    warning_type = ContentType.objects.get_for_model(WarningOrder)
    person_type = ContentType.objects.get_for_model(Resident)
    by_pk = {str(warning.pk): warning for warning in context.warnings}
    condition = Q(content_type=person_type, object_id=str(context.person.pk))
    if by_pk:
        condition |= Q(content_type=warning_type, object_id__in=list(by_pk))
    events = AuditEvent.objects.filter(condition).exclude(event__in=COVERED_EVENTS).select_related("actor")
    for event in events:
        warning = by_pk.get(event.object_id) if event.content_type_id == warning_type.pk else None
        detail, facts = _event_detail(event, warning)
        yield TimelineEntry(
            at=event.at,
            kind="event",
            title=str(EVENT_TITLES.get(event.event, event.event)),
            detail=detail,
            actor=_name(event.actor),
            warning=warning,
            at_risk=event.event == "report_defrauded",
            facts=facts,
        )


SOURCES: list[TimelineSource] = [
    warning_pushes,
    follow_up_visits,
    escalation_contacts,
    stop_payment_releases,
    audit_events,
]

# Other apps' sources (door visits and pledges, fraud cases): each app's ``<app>/timeline.py`` calls
# :func:`sources_add`, collected when the project starts (``autodiscover_modules("timeline")`` in
# :class:`warnings_followup.apps.WarningsFollowupConfig`), so an app that adds a source touches only itself.
APP_SOURCES: list[TimelineSource] = []
# What the sources read from the person's own row and its relations (``select_related`` paths): read with the
# person, in the query that fetches them through the user's scope, rather than one query each.
PERSON_RELATED: list[str] = []


def sources_add(*sources: TimelineSource, person_related: Iterable[str] = ()) -> None:
    """Add another app's sources to every person's file (called by ``<app>/timeline.py`` at import);
    ``person_related``: the person's relations they read (the person's pledge, for instance)."""
    for source in sources:
        if source not in APP_SOURCES:
            APP_SOURCES.append(source)
    for path in person_related:
        if path not in PERSON_RELATED:
            PERSON_RELATED.append(path)


def person_related() -> list[str]:
    """The ``select_related`` paths of the person that the file reads (:func:`sources_add`)."""
    return ["village__parent", "household", *PERSON_RELATED]


def all_sources() -> list[TimelineSource]:
    return [*SOURCES, *APP_SOURCES]


# --- Assembly -------------------------------------------------------------------------------------


def person_warnings(*, user, person: Resident) -> list[WarningOrder]:
    """The person's warnings that ``user`` may see, newest first, with everything the file shows."""
    return list(
        WarningOrder.objects.for_user(user)
        .filter(person=person)
        .select_related("village", "pushed_by", "acknowledged_by", "first_dissuasion_by")
        .prefetch_related(
            Prefetch(
                "visits",
                queryset=FollowUpVisit.objects.order_by("visited_at", "pk").annotate(
                    visitor_names=user_names(FollowUpVisit.visitors.through, owner="followupvisit")
                ),
            ),
            Prefetch(
                "escalation_contacts",
                queryset=EscalationContact.objects.select_related("recorded_by").order_by("contacted_at", "pk"),
            ),
            Prefetch("stop_payment_accounts", queryset=StopPaymentAccount.objects.select_related("released_by")),
        )
        .order_by("-pushed_at", "-pk")
    )


def person_file_build(*, user, person: Resident, sources: Iterable[TimelineSource] | None = None) -> PersonFile:
    """The person's warnings and the merged timeline, oldest first (ties keep the sources' order)."""
    warnings = person_warnings(user=user, person=person)
    context = TimelineContext(user=user, person=person, warnings=warnings)
    entries = [entry for source in (all_sources() if sources is None else sources) for entry in source(context)]
    entries.sort(key=lambda entry: entry.at)
    return PersonFile(person=person, warnings=warnings, entries=entries)
