"""This app's sources for the one-person-one-file timeline (see warnings_followup/timeline.py):
the door visits of the person's household and the person's pledge.

Each source reads through the user's scope and costs a fixed number of queries (visits: one, with their
visitors' names; pledge: none, read with the person), however many visits there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from organization.access import unit_id_in_scope
from organization.selectors import user_names
from warnings_followup.models import FraudType
from warnings_followup.timeline import TimelineContext, TimelineEntry, sources_add

from .models import DoorVisit, Pledge


def door_visits(context: TimelineContext) -> Iterable[TimelineEntry]:
    household_id = context.person.household_id
    if household_id is None:
        return
    visits = (
        DoorVisit.objects.for_user(context.user)
        .filter(household_id=household_id)
        .annotate(visitor_names=user_names(DoorVisit.visitors.through, owner="doorvisit", order_by=("user__username",)))
        .order_by("visited_at", "pk")
    )
    for visit in visits:
        facts = [str(label) for label in visit.material_labels()]
        facts += [str(FraudType(code).label) for code in visit.fraud_types_explained if code in FraudType.values]
        if visit.app_installed:
            facts.append(_("anti-fraud app installed"))
        yield TimelineEntry(
            at=visit.visited_at,
            kind="door_visit",
            title=_("Door-knocking visit: someone at home")
            if visit.someone_home
            else _("Door-knocking visit: nobody at home"),
            detail=visit.notes,
            actor="、".join(visit.visitor_names),
            facts=tuple(facts),
        )


def pledges(context: TimelineContext) -> Iterable[TimelineEntry]:
    """The person's pledge, read with the person (``person_related`` below) and shown within the pledges' scope
    (``Pledge.scope_field``: the resident's village)."""
    if not unit_id_in_scope(context.user, context.person.village_id):
        return
    try:
        pledge = context.person.pledge
    except Pledge.DoesNotExist:
        return
    yield TimelineEntry(
        at=pledge.signed_at,
        kind="pledge",
        title=_("Anti-fraud pledge signed"),
        actor=str(pledge.collected_by) if pledge.collected_by else "",
        facts=(str(pledge.get_method_display()),),
    )


sources_add(door_visits, pledges, person_related=["pledge__collected_by"])
