"""Reads of the fraud case registry, always through the user's scope."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from organization.access import scope_queryset
from warnings_followup.models import FollowUpVisit

from .models import FraudCase


def cases_for_user(*, user) -> QuerySet[FraudCase]:
    """The cases ``user`` may see, with what the list shows (a fixed number of queries per page)."""
    return FraudCase.objects.for_user(user).select_related("village", "victim", "warning")


def case_for_page(*, user, pk: int) -> QuerySet[FraudCase]:
    return cases_for_user(user=user).select_related("registered_by", "warning__pushed_by").filter(pk=pk)


def _visits_prefetch(user) -> Prefetch:
    """The warning's visits the user may see (a victim warned in another village than the case's: its
    visit record stays with that village)."""
    visitors = Prefetch("visitors", queryset=get_user_model().objects.order_by("username"))
    return Prefetch(
        "warning__visits",
        queryset=scope_queryset(FollowUpVisit.objects.order_by("visited_at", "pk"), user).prefetch_related(visitors),
    )


def accountability_for_user(*, user) -> QuerySet[FraudCase]:
    """Cases defrauded after a warning (预后被骗), with the warning's visit record, newest first."""
    return (
        cases_for_user(user=user)
        .defrauded_after_warning()
        .select_related("warning__pushed_by", "warning__acknowledged_by")
        .prefetch_related(_visits_prefetch(user))
        .order_by("-reported_at", "-pk")
    )


def case_visits(*, case: FraudCase, user) -> list[FollowUpVisit]:
    """The follow-up visits of the case's warning that ``user`` may see (empty when the victim was not warned
    before)."""
    if case.warning_id is None:
        return []
    visitors = Prefetch("visitors", queryset=get_user_model().objects.order_by("username"))
    return list(
        scope_queryset(FollowUpVisit.objects.filter(warning_id=case.warning_id), user)
        .select_related("recorded_by")
        .prefetch_related(visitors)
        .order_by("visited_at", "pk")
    )


def incident_review(*, case: FraudCase, user):
    """The incident review (事故复盘) the case opened, when the user may read accountability items in its unit."""
    from assessment.models import AccountabilityItem, AccountabilityKind
    from organization.access import can

    if case.warning_id is None or not can(user, "assessment.accountability"):
        return None
    return AccountabilityItem.objects.for_user(user).filter(case=case, kind=AccountabilityKind.INCIDENT_REVIEW).first()
