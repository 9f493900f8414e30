"""Who hears about what in the warning workflow. Messages never carry full ID or account numbers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.channels import village_webhook_enqueue
from notifications.services import notifications_send
from organization import selectors as organization_selectors
from organization.access import LEADERSHIP_ROLES
from organization.models import Role

from .models import Warning


def team_of(village):
    """A village's team (head, dissuasion team, grid workers, assistants, volunteers)."""
    return organization_selectors.village_team(village=village)


def heads_of(village):
    return team_of(village).filter(roles__role=Role.VILLAGE_HEAD)


def police_for(village):
    """The police of the village's town (``village.parent`` is read: select it with the village)."""
    return organization_selectors.police_of(village)


def leadership_for(village):
    return organization_selectors.people_in(organization_selectors.town_of(village), LEADERSHIP_ROLES)


AUDIENCES = {"team": team_of, "heads": heads_of, "police": police_for, "leadership": leadership_for}


class Audiences:
    """Who hears about a village's cases, each audience loaded once per village (for scans over many cases)."""

    def __init__(self):
        self._loaded: dict[tuple[str, int], list] = {}

    def get(self, village, *audiences: str) -> list:
        """The users of ``audiences`` for ``village``, each once, in order."""
        people = {}
        for audience in audiences:
            key = (audience, village.pk)
            if key not in self._loaded:
                self._loaded[key] = list(AUDIENCES[audience](village))
            people.update((user.pk, user) for user in self._loaded[key])
        return list(people.values())


def village_team(warning: Warning):
    return team_of(warning.village)


def village_heads(warning: Warning):
    return heads_of(warning.village)


def police_staff(warning: Warning):
    return police_for(warning.village)


def leadership(warning: Warning):
    return leadership_for(warning.village)


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
