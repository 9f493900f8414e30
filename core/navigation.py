"""The navigation menu: each entry names the capability it needs, so a role sees only what it can use.

Core entries are listed here; each feature app lists its own in ``<app>/navigation.py`` (``ENTRIES``).
Entries are grouped into sections (a drop-down each); :data:`APP_MENUS` names each app's section and
places it before "Organisation". A section with one visible entry shows as a plain link.
"""

from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from organization.access import can


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    capability: str | None = None  # None: every signed-in user
    staff_only: bool = False
    section: str | None = None  # set from APP_MENUS for the apps' entries


WARNINGS = _("Warnings and dissuasion")
REGISTRY = _("Registry")
SYSTEM = _("System")

NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home"),
    NavEntry(_("Today"), "warnings_followup:today", "warnings.visit", section=WARNINGS),
    NavEntry(_("Work queue"), "warnings_followup:queue", "warnings.view", section=WARNINGS),
    NavEntry(_("Push warning"), "warnings_followup:push", "warnings.push", section=WARNINGS),
    NavEntry(_("Warning statistics"), "warnings_followup:kpi", "warnings.kpi", section=WARNINGS),
    NavEntry(_("Households"), "residents:household_list", "residents.view", section=REGISTRY),
    NavEntry(_("Residents"), "residents:resident_list", "residents.view", section=REGISTRY),
    NavEntry(_("Import"), "residents:import_start", "residents.import", section=REGISTRY),
]

TAIL: list[NavEntry] = [
    NavEntry(_("Organisation"), "organization:unit_list", "organization.view_units", section=SYSTEM),
    NavEntry(_("Access log"), "audit:access_log", "audit.view_access_log", section=SYSTEM),
    NavEntry(_("Administration"), "admin:index", staff_only=True, section=SYSTEM),
]

# Each app's entries and the section they form (apps sharing a label share a section).
APP_MENUS = [
    ("campaigns.navigation.ENTRIES", _("Door-knocking")),
    ("publicity.navigation.ENTRIES", _("Publicity work")),
    ("schools.navigation.ENTRIES", _("Schools")),
    ("education.navigation.ENTRIES", _("Schools")),
    ("fraud_cases.navigation.ENTRIES", _("Fraud cases")),
    ("assessment.navigation.ENTRIES", _("Assessment")),
]


@cache
def all_entries() -> tuple[NavEntry, ...]:
    app_entries = [
        entry if entry.section else NavEntry(entry.label, entry.url_name, entry.capability, entry.staff_only, section)
        for path, section in APP_MENUS
        for entry in import_string(path)
    ]
    return (*NAVIGATION, *app_entries, *TAIL)


def entries_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for entry in all_entries():
        if entry.staff_only and not user.is_staff:
            continue
        if entry.capability and not can(user, entry.capability):
            continue
        items.append(
            {"label": entry.label, "url": reverse(entry.url_name), "url_name": entry.url_name, "section": entry.section}
        )
    return items


def menu_for(entries: list[dict]) -> list[dict]:
    """The visible entries as the menu shows them: ``{"label", "entries"}`` sections, in order.

    A section is a drop-down when it has two or more visible entries; otherwise its entry is a plain link
    (``label`` None).
    """
    sections: dict[str, list[dict]] = {}
    order: list[tuple[str | None, object]] = []
    for entry in entries:
        key = str(entry["section"]) if entry["section"] else None
        if key is None:
            order.append((None, entry))
        elif key not in sections:
            sections[key] = [entry]
            order.append((key, entry["section"]))
        else:
            sections[key].append(entry)
    menu = []
    for key, value in order:
        if key is None:
            menu.append({"label": None, "entries": [value]})
        elif len(sections[key]) == 1:
            menu.append({"label": None, "entries": sections[key]})
        else:
            menu.append({"label": value, "entries": sections[key]})
    return menu
