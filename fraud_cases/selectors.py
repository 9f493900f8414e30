"""Reads of the fraud case registry, always through the user's scope."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from organization.access import EVERYTHING, can, scope_queryset, scope_roots
from warnings_followup.models import FollowUpVisit

from .models import FraudCase, TypicalCase


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
    """The incident review (事故复盘) the case opened, when the user may read accountability items in its unit.

    The assessment app sits above this one and keeps the reviews: read through its reverse relation, unimported.
    """
    from organization.access import can

    if case.warning_id is None or not can(user, "assessment.accountability"):
        return None
    return case.accountability_items.for_user(user).filter(kind="incident_review").first()


# --- typical cases (典型案例) -------------------------------------------------------------------------------


def _published_for(user) -> QuerySet[TypicalCase]:
    """Published typical cases of the user's town (or county): written for a unit at or above the user's scope,
    or inside it."""
    queryset = TypicalCase.objects.published()
    if not can(user, "fraud_cases.view_typical"):
        return queryset.none()
    roots = scope_roots(user)
    if roots is EVERYTHING:
        return queryset
    prefixes = set()
    for root in roots:
        parts = [part for part in root.path.split("/") if part]
        prefixes.update("/" + "/".join(parts[: index + 1]) + "/" for index in range(len(parts)))
    return queryset.filter(unit__path__in=sorted(prefixes)) | scope_queryset(queryset, user)


def typical_cases_for_user(*, user) -> QuerySet[TypicalCase]:
    """The library as ``user`` sees it: writers see every status in their scope, others the published cases."""
    visible = _published_for(user)
    if can(user, "fraud_cases.write_typical"):
        visible = visible | TypicalCase.objects.for_user(user)
    return visible.select_related("author", "unit").order_by("fraud_type", "-published_on", "-pk")


def published_typical_cases(*, user, fraud_types=None) -> list[TypicalCase]:
    """Published cases the user may read (optionally of ``fraud_types``), newest first within each type."""
    queryset = _published_for(user)
    if fraud_types is not None:
        queryset = queryset.filter(fraud_type__in=list(fraud_types))
    return list(queryset.order_by("fraud_type", "-published_on", "-pk"))


def published_typical_case(*, user, pk: int) -> TypicalCase | None:
    return _published_for(user).filter(pk=pk).first()


def typical_case_source(*, case: TypicalCase, user) -> FraudCase | None:
    """The source case, only for staff who may see that case."""
    if case.source_case_id is None or not can(user, "fraud_cases.view"):
        return None
    return cases_for_user(user=user).filter(pk=case.source_case_id).first()
