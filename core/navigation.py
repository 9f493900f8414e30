"""The navigation menu: each entry names the capability it needs, so a role sees only what it can use.

Core entries are listed here; each feature app lists its own in ``<app>/navigation.py`` (``ENTRIES``),
placed before "Organisation" in the order of :data:`APP_MENUS`.
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


NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home"),
    NavEntry(_("Today"), "warnings_followup:today", "warnings.visit"),
    NavEntry(_("Work queue"), "warnings_followup:queue", "warnings.view"),
    NavEntry(_("Push warning"), "warnings_followup:push", "warnings.push"),
    NavEntry(_("Warning statistics"), "warnings_followup:kpi", "warnings.kpi"),
    NavEntry(_("Households"), "residents:household_list", "residents.view"),
    NavEntry(_("Residents"), "residents:resident_list", "residents.view"),
    NavEntry(_("Import"), "residents:import_start", "residents.import"),
]

TAIL: list[NavEntry] = [
    NavEntry(_("Organisation"), "organization:unit_list", "organization.view_units"),
    NavEntry(_("Access log"), "audit:access_log", "audit.view_access_log"),
    NavEntry(_("Administration"), "admin:index", staff_only=True),
]

APP_MENUS = [
    "campaigns.navigation.ENTRIES",
    "publicity.navigation.ENTRIES",
    "schools.navigation.ENTRIES",
    "education.navigation.ENTRIES",
    "fraud_cases.navigation.ENTRIES",
    "assessment.navigation.ENTRIES",
]


@cache
def all_entries() -> tuple[NavEntry, ...]:
    app_entries = [entry for path in APP_MENUS for entry in import_string(path)]
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
        items.append({"label": entry.label, "url": reverse(entry.url_name), "url_name": entry.url_name})
    return items
