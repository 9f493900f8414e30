"""What the field app keeps on the phone, read through the user's scope (organization.access).

Only what a visit needs: the warned person's name, masked phone, address, due date, risk and fraud type; the
to-visit households of the worker's grid with their members' names (no ID numbers); the pledge wording; the
dissuasion scripts (劝阻话术) of the published typical cases for the fraud types the worker will talk about. Never
a full ID, phone or bank number: the phone may lose signal, and may be lost.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch

from campaigns.materials import material_for
from campaigns.models import Material, Pledge
from campaigns.selectors import households_to_visit, outreach_params
from fraud_cases.selectors import published_typical_cases
from organization.access import can
from residents.models import Resident
from warnings_followup.models import FraudType, RiskLevel, VisitMethod
from warnings_followup.selectors import RISK_RANK, warnings_for_user

UPCOMING_DAYS = 7  # follow-ups due within a week are kept, with today's and the overdue ones
MAX_WARNINGS = 200
MAX_HOUSEHOLDS = 300
SCRIPTS_PER_TYPE = 2  # the newest published cases of each fraud type: enough to talk from, small on the phone


def field_warnings(*, user, today: datetime.date) -> list[dict]:
    """Follow-up visits due today, overdue, or due in the coming week, nearest first."""
    if not can(user, "warnings.visit"):
        return []
    rows = (
        warnings_for_user(user=user)
        .due_on_or_before(today + datetime.timedelta(days=UPCOMING_DAYS))
        .order_by("next_visit_due", RISK_RANK, "pushed_at", "pk")[:MAX_WARNINGS]
    )
    return [
        {
            "id": warning.pk,
            "name": warning.person.name,
            "phone": warning.person.masked_phone,
            "address": warning.address or (warning.person.household.address if warning.person.household else ""),
            "due": warning.next_visit_due.isoformat() if warning.next_visit_due else None,
            "overdue": bool(warning.next_visit_due and warning.next_visit_due < today),
            "risk": warning.risk_level,
            "risk_label": str(RiskLevel(warning.risk_level).label),
            "fraud_type": warning.fraud_type,
            "fraud_type_label": str(FraudType(warning.fraud_type).label),
            "village": warning.village.name,
        }
        for warning in rows.select_related("person__household")
    ]


def field_households(*, user) -> list[dict]:
    """The households of the worker's grid still to visit, with their members (names and relation only)."""
    if not can(user, "campaigns.visit"):
        return []
    members = (
        Resident.objects.order_by("pk")
        .annotate(pledged=Exists(Pledge.objects.filter(resident=OuterRef("pk"))))
        .only("pk", "name", "relation", "household_id")
    )
    households = households_to_visit(user=user, params=outreach_params(user, {})).prefetch_related(
        Prefetch("members", queryset=members)
    )[:MAX_HOUSEHOLDS]
    return [
        {
            "id": household.pk,
            "reference": household.reference,
            "address": household.address,
            "village": household.village.name,
            "grid": household.grid.name if household.grid_id else "",
            "visits": household.visit_count,
            "members": [
                {"id": member.pk, "name": member.name, "relation": member.relation, "pledged": member.pledged}
                for member in household.members.all()
            ],
        }
        for household in households
    ]


def field_choices() -> dict:
    """The labels of the codes the forms post (the API's field values)."""
    return {
        "methods": [{"code": code, "label": str(label)} for code, label in VisitMethod.choices],
        "materials": [{"code": code, "label": str(label)} for code, label in Material.choices],
        "fraud_types": [{"code": code, "label": str(label)} for code, label in FraudType.choices],
    }


def field_pledge_text() -> dict:
    material = material_for(Material.PLEDGE_FORM)
    return {"title": material.title, "paragraphs": material.paragraphs}


def field_scripts(*, user, warnings: list[dict]) -> dict:
    """The dissuasion scripts of the published typical cases, by fraud type: the types of the due follow-ups,
    and every type for a door-knocker (a door visit may explain any of them). Title and script only."""
    if can(user, "campaigns.visit"):
        fraud_types = None
    else:
        fraud_types = sorted({warning["fraud_type"] for warning in warnings})
        if not fraud_types:
            return {}
    scripts: dict[str, list[dict]] = {}
    for case in published_typical_cases(user=user, fraud_types=fraud_types):
        cases = scripts.setdefault(case.fraud_type, [])
        if len(cases) < SCRIPTS_PER_TYPE and case.script:
            cases.append({"title": case.title, "script": [str(line) for line in case.script]})
    return scripts
