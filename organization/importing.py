"""What an import needs from the organisation: who may import (a capability) and which units a row may name.

Every sheet of the feature apps is a :class:`ScopedSheet` (``core.sheets.Sheet`` plus :func:`can`), and a unit
column is a :class:`UnitCell`: a code found only inside the importing user's scope, so a unit outside it is
"unknown", the same answer as a code that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from core.cells import Cell, cell_text
from core.sheets import Column, Sheet

from .access import can, unit_in_scope
from .models import Unit, UnitKind


class ScopedSheet(Sheet):
    """A sheet imported by users holding ``capability``; its unit columns are scoped to the importing user."""

    def permitted(self, user) -> bool:
        return can(user, self.capability)


class UnitCell(Cell):
    """A unit (village, grid, school) named by its code, found only inside the user's scope (``None``: unscoped).

    Codes are looked up in one query per sheet (:meth:`preload`) and kept.
    """

    def __init__(self, kind: str, *, unknown_message, required_message=None):
        self.kind = kind
        self.unknown_message = unknown_message
        self.required_message = required_message
        self._units: dict[str, Unit | None] = {}

    def bound(self, user) -> UnitCell:
        cell = super().bound(user)
        cell._units = {}
        return cell

    def preload(self, codes: Iterable[str]) -> None:
        wanted = {code for code in codes if code and code not in self._units}
        if not wanted:
            return
        found = {unit.code: unit for unit in Unit.objects.filter(kind=self.kind, code__in=wanted)}
        for code in wanted:
            unit = found.get(code)
            in_scope = unit is not None and (self.user is None or unit_in_scope(self.user, unit))
            self._units[code] = unit if in_scope else None

    def clean(self, value):
        code = cell_text(value)
        if not code:
            if self.required_message:
                raise ValueError(str(self.required_message))
            return None
        self.preload([code])
        unit = self._units[code]
        if unit is None:
            raise ValueError(str(self.unknown_message) % {"code": code})
        return unit


def village_cell() -> UnitCell:
    """A required village code in the user's scope."""
    return UnitCell(
        UnitKind.VILLAGE,
        unknown_message=_("Unknown village code “%(code)s”."),
        required_message=_("Enter a village code."),
    )


#: The village column of the police's exports (their own spellings of its header accepted).
VILLAGE = Column(_("Village code"), village_cell(), True, ("村居编码", "村居代码"), text=True)
