"""Shared pieces of the workflows (state machines) of every app.

Each app keeps its transitions as data in its ``services.py`` (who may do what from which state); a
service that is asked for a step its record's state does not allow raises :class:`TransitionNotAllowed`,
which pages show as a message and the API answers with 409.
"""


class TransitionNotAllowed(Exception):
    """The step is not possible from the record's current state (HTTP 409)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
