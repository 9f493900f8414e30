"""This app's sources for the one-person-one-file timeline (see warnings_followup/timeline.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from organization.access import can
from warnings_followup.timeline import TimelineContext, TimelineEntry, sources_add

from .models import FraudCase


def fraud_cases(context: TimelineContext) -> Iterable[TimelineEntry]:
    """The person's fraud cases (as victim) that the user may see: one query."""
    if not can(context.user, "fraud_cases.view"):
        return
    cases = (
        FraudCase.objects.for_user(context.user)
        .filter(victim=context.person)
        .select_related("warning", "registered_by")
        .order_by("reported_at", "pk")
    )
    for case in cases:
        facts = [case.get_source_display(), _("loss ¥%(amount)s") % {"amount": case.loss_amount}]
        if case.recovered_amount:
            facts.append(_("recovered ¥%(amount)s") % {"amount": case.recovered_amount})
        if case.warning_id:
            facts.append(_("Defrauded after warning"))
        yield TimelineEntry(
            at=case.reported_at,
            kind="fraud_case",
            title=_("Fraud case %(number)s reported: %(fraud_type)s")
            % {"number": case.case_number, "fraud_type": case.get_fraud_type_display()},
            actor=str(case.registered_by) if case.registered_by else "",
            warning=case.warning,
            at_risk=True,
            facts=tuple(str(fact) for fact in facts),
        )


sources_add(fraud_cases)
