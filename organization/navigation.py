"""The navigation menu and the home page's panels, filled by each app.

Each app declares what it adds in its own ``<app>/navigation.py``, collected when the project starts
(``autodiscover_modules("navigation")`` in :class:`organization.apps.OrganizationConfig`):

* :func:`menu` adds a section of entries; each entry names the capability it needs, so a role sees only what it
  can use. Sections are drop-downs placed by ``order``; apps that name the same section share it (schools and
  education). A section with one visible entry shows as a plain link.
* :func:`home_panel` adds a panel to the role-aware home page: ``"app.module.function"`` taking ``user`` and
  ``today`` and returning a panel for ``organization/home.html``, or None when there is nothing to show.

A new app touches only itself: nothing here lists the apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .access import can

SYSTEM = _("System")


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    capability: str | None = None  # None: every signed-in user
    staff_only: bool = False
    section: str | None = None  # set by menu()


@dataclass(frozen=True)
class HomePanel:
    capability: str
    path: str  # "app.module.function"


_ENTRIES: list[tuple[int, int, NavEntry]] = []
_PANELS: list[tuple[int, int, HomePanel]] = []


def menu(section: str | None, *entries: NavEntry, order: int) -> None:
    """Add ``entries`` to the menu under ``section`` (None: plain links), placed by ``order`` (lower first)."""
    for entry in entries:
        placed = NavEntry(entry.label, entry.url_name, entry.capability, entry.staff_only, section)
        if not any(known == placed for _order, _seq, known in _ENTRIES):
            _ENTRIES.append((order, len(_ENTRIES), placed))
    all_entries.cache_clear()


def home_panel(capability: str, path: str, *, order: int) -> None:
    """Show the panel built by ``path`` on the home page to the users who may use ``capability``."""
    panel = HomePanel(capability, path)
    if not any(known == panel for _order, _seq, known in _PANELS):
        _PANELS.append((order, len(_PANELS), panel))


@cache
def all_entries() -> tuple[NavEntry, ...]:
    return tuple(entry for _order, _seq, entry in sorted(_ENTRIES, key=lambda item: item[:2]))


def home_panels() -> list[HomePanel]:
    return [panel for _order, _seq, panel in sorted(_PANELS, key=lambda item: item[:2])]


def panels_for(user, today) -> list:
    """The home page's panels ``user`` may see, in order (a panel with nothing to show is left out)."""
    panels = []
    for panel in home_panels():
        if can(user, panel.capability):
            built = import_string(panel.path)(user=user, today=today)
            if built:
                panels.append(built)
    return panels


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
    shown = []
    for key, value in order:
        if key is None:
            shown.append({"label": None, "entries": [value]})
        elif len(sections[key]) == 1:
            shown.append({"label": None, "entries": sections[key]})
        else:
            shown.append({"label": value, "entries": sections[key]})
    return shown


# This app's own entries: the home page first, the system pages last (audit adds its access log there).
menu(None, NavEntry(_("Home"), "home"), order=0)
menu(SYSTEM, NavEntry(_("Organisation"), "organization:unit_list", "organization.view_units"), order=90)
menu(SYSTEM, NavEntry(_("Administration"), "admin:index", staff_only=True), order=99)
