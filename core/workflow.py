"""Shared pieces of the workflows (state machines) of every app.

Each app keeps its transitions as data in its ``services.py``: a dict of :class:`Transition` (which states a
step starts from, where it leads, which sides of the workflow or which capability take it). Every step runs the
same way: :func:`lock_row` reads the record again, locked until the transaction ends; the service checks who
acts (``django.core.exceptions.PermissionDenied``, HTTP 403; see ``organization.actors``), then
:meth:`Transition.check` the state (:class:`TransitionNotAllowed`, HTTP 409). Pages show either as a message;
the API's exception handler (``core.api.exception_handler``) answers 403 or 409 with the message.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models

M = TypeVar("M", bound=models.Model)


class TransitionNotAllowed(Exception):
    """The step is not possible from the record's current state (HTTP 409)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    """One step of a workflow.

    ``target``: the state it leads to (None: the state stays, or the service decides). ``actors``: the sides of
    the workflow that may take it (each app names its sides, e.g. police and the village team); ``capability``:
    the capability it needs instead (``organization.access.can``).
    """

    label: str
    sources: frozenset[str]
    target: str | None = None
    actors: frozenset[str] = frozenset()
    capability: str | None = None

    def allows(self, state: str) -> bool:
        """Does the step start from ``state``?"""
        return state in self.sources

    def taken_by(self, sides: Collection[str]) -> bool:
        """Does one of ``sides`` (those a user acts for on the record) take this step?"""
        return not self.actors.isdisjoint(sides)

    def check_side(self, sides: Collection[str], *, refusal: str) -> None:
        """Raise ``PermissionDenied(refusal)`` unless one of ``sides`` takes this step."""
        if not self.taken_by(sides):
            raise PermissionDenied(refusal)

    def check(self, state: str, *, refusal: str, state_label: str) -> None:
        """Raise :class:`TransitionNotAllowed` unless the step starts from ``state``.

        ``refusal``: the app's message, with ``%(action)s`` (this step's label) and ``%(status)s``
        (``state_label``, the state's display name).
        """
        if state not in self.sources:
            raise TransitionNotAllowed(refusal % {"action": self.label, "status": state_label})


def lock_row(instance: M, *related: str, of_self: bool = False) -> M:
    """``instance``'s row read again and locked until the transaction ends (``SELECT … FOR UPDATE``).

    ``related``: foreign keys read with it (``select_related``). ``of_self``: lock this table's row only (needed
    when a related key is nullable: PostgreSQL cannot lock the nullable side of an outer join).
    """
    manager = type(instance)._default_manager
    rows = manager.select_for_update(of=("self",)) if of_self else manager.select_for_update()
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=instance.pk)
