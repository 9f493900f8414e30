"""Who hears about what in the warning workflow. Messages never carry full ID or account numbers."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.channels import village_webhook_enqueue
from notifications.services import notifications_send
from organization import selectors as organization_selectors
from organization.access import LEADERSHIP_ROLES, POLICE_ROLES, VILLAGE_TEAM_ROLES
from organization.models import Role

from .models import WarningOrder


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


# What each audience is, for loading it for many villages at once: the roles, and whether it is found below the
# village itself or below its town (the same people as the functions of AUDIENCES).
_AUDIENCE_ROLES = {
    "team": (VILLAGE_TEAM_ROLES, False),
    "heads": (frozenset({Role.VILLAGE_HEAD}), False),
    "police": (POLICE_ROLES, True),
    "leadership": (LEADERSHIP_ROLES, True),
}


def _prefixes(path: str):
    """``/a/b/c/`` → ``/a/``, ``/a/b/``, ``/a/b/c/``: the paths of a unit and of every unit above it."""
    return (path[: index + 1] for index, char in enumerate(path) if char == "/" and index)


def audiences_of_villages(villages, audience: str) -> dict[int, list]:
    """``audience`` for each of ``villages`` (units with their parent), in one query whatever their number: the
    active users holding one of its roles in the village (or, for police and leadership, its town) or below.
    A village's own people (team, heads) are ordered by username, as :func:`team_of` orders them."""
    from organization.models import User

    roles, of_town = _AUDIENCE_ROLES[audience]
    roots: dict[str, list[int]] = {}
    for village in villages:
        root = organization_selectors.town_of(village) if of_town else village
        roots.setdefault(root.path, []).append(village.pk)
    found: dict[int, list] = {village_id: [] for ids in roots.values() for village_id in ids}
    if not roots:
        return found
    under = Q()
    for path in roots:
        under |= Q(unit__path__startswith=path)
    users = (
        User.objects.filter(is_active=True, roles__role__in=list(roles))
        .filter(under)
        .annotate(unit_path=F("unit__path"))
        .distinct()
        .order_by("pk" if of_town else "username")
    )
    for user in users:
        for prefix in _prefixes(user.unit_path):
            for village_id in roots.get(prefix, ()):
                found[village_id].append(user)
    return found


class Audiences:
    """Who hears about a village's cases, each audience loaded once per village (for scans over many cases).

    ``villages``: the villages a scan will ask about (units with their parent); each audience is then loaded
    for all of them in one query (:func:`audiences_of_villages`) the first time it is asked for, so a scan over
    a county's villages runs one query per audience, not one per village and audience."""

    def __init__(self, villages=()):
        self._loaded: dict[tuple[str, int], list] = {}
        self._villages = {village.pk: village for village in villages}

    def _load(self, audience: str, village) -> None:
        if village.pk not in self._villages:
            self._loaded[(audience, village.pk)] = list(AUDIENCES[audience](village))
            return
        for village_id, people in audiences_of_villages(self._villages.values(), audience).items():
            self._loaded[(audience, village_id)] = people

    def get(self, village, *audiences: str) -> list:
        """The users of ``audiences`` for ``village``, each once, in order."""
        people = {}
        for audience in audiences:
            key = (audience, village.pk)
            if key not in self._loaded:
                self._load(audience, village)
            people.update((user.pk, user) for user in self._loaded[key])
        return list(people.values())


def village_team(warning: WarningOrder):
    return team_of(warning.village)


def village_heads(warning: WarningOrder):
    return heads_of(warning.village)


def police_staff(warning: WarningOrder):
    return police_for(warning.village)


def leadership(warning: WarningOrder):
    return leadership_for(warning.village)


def _recipients(kind: str, warning: WarningOrder):
    if kind == "pushed":
        return [*village_team(warning)]
    if kind in ("at_risk", "escalation"):
        return [*village_heads(warning), *police_staff(warning)]
    if kind == "release_requested":
        return [*police_staff(warning)]
    if kind == "defrauded":
        return [*police_staff(warning), *leadership(warning), *village_heads(warning)]
    return []


def _title(kind: str, warning: WarningOrder) -> str:
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
    warning = WarningOrder.objects.select_related("person", "village__parent").get(pk=warning_id)
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
