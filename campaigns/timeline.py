"""This app's sources for the one-person-one-file timeline (see warnings_followup/timeline.py):
the door visits of the person's household and the person's pledge.

Each source reads through the user's scope and costs a fixed number of queries (visits: two, with
their visitors; pledge: one), however many visits there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from organization.models import User
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
        .prefetch_related(Prefetch("visitors", queryset=User.objects.order_by("username")))
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
            actor="、".join(str(user) for user in visit.visitors.all()),
            facts=tuple(facts),
        )


def pledges(context: TimelineContext) -> Iterable[TimelineEntry]:
    pledge = (
        Pledge.objects.for_user(context.user)
        .filter(resident_id=context.person.pk)
        .select_related("collected_by")
        .first()
    )
    if pledge is None:
        return
    yield TimelineEntry(
        at=pledge.signed_at,
        kind="pledge",
        title=_("Anti-fraud pledge signed"),
        actor=str(pledge.collected_by) if pledge.collected_by else "",
        facts=(str(pledge.get_method_display()),),
    )


sources_add(door_visits, pledges)
