"""Who hears about what in the warning workflow. Messages never carry full ID or account numbers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.channels import village_webhook_enqueue
from notifications.services import notifications_send
from organization import selectors as organization_selectors
from organization.access import LEADERSHIP_ROLES
from organization.models import Role

from .models import Warning


def village_team(warning: Warning):
    return organization_selectors.village_team(village=warning.village)


def village_heads(warning: Warning):
    return village_team(warning).filter(roles__role=Role.VILLAGE_HEAD)


def police_staff(warning: Warning):
    return organization_selectors.police_of(warning.village)


def leadership(warning: Warning):
    town = organization_selectors.town_of(warning.village)
    return organization_selectors.people_in(town, LEADERSHIP_ROLES)


def _recipients(kind: str, warning: Warning):
    if kind == "pushed":
        return [*village_team(warning)]
    if kind in ("at_risk", "escalation"):
        return [*village_heads(warning), *police_staff(warning)]
    if kind == "release_requested":
        return [*police_staff(warning)]
    if kind == "defrauded":
        return [*police_staff(warning), *leadership(warning), *village_heads(warning)]
    return []


def _title(kind: str, warning: Warning) -> str:
    person = warning.person.name
    village = warning.village.name
    titles = {
        "pushed": _("New warning for %(person)s (%(village)s): acknowledge and visit"),
        "at_risk": _("%(person)s (%(village)s) is still at risk"),
        "escalation": _("Relatives of %(person)s (%(village)s) were mobilised"),
        "release_requested": _("Release of stop-payment requested for %(person)s (%(village)s)"),
        "defrauded": _("Incident: %(person)s (%(village)s) was defrauded after the warning"),
        "dissuaded": _("%(person)s (%(village)s) was dissuaded"),
    }
    return titles.get(kind, _("Warning for %(person)s (%(village)s) was updated")) % {
        "person": person,
        "village": village,
    }


def warning_event_notify(*, kind: str, warning_id: int) -> int:
    """Notify in the app and in the village's work group (group robot) about a warning event."""
    warning = Warning.objects.select_related("person", "village__parent").get(pk=warning_id)
    title = _title(kind, warning)
    dedupe_key = f"warning:{warning.pk}:{kind}:{warning.updated_at:%Y%m%d%H%M%S%f}"
    village_webhook_enqueue(village=warning.village, text=title, dedupe_key=dedupe_key, conceal=[warning.person.name])
    return notifications_send(
        recipients=_recipients(kind, warning),
        kind=f"warning.{kind}",
        title=title,
        url=reverse("warnings_followup:warning_detail", args=[warning.pk]),
        dedupe_key=dedupe_key,
    )
