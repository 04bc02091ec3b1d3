"""Domain errors: each carries a message a practitioner can read as it is."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the procedure refused a change. `message` is shown to the user verbatim."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionNotAllowed(DomainError):
    """The action is not one the thread's current state allows."""


class InvalidInput(DomainError):
    """A value given to the domain breaks one of its rules (e.g. a deadline in the past)."""
