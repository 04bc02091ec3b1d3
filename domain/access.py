"""Who may see and act on a concern: the people it names (a domain rule, not a Teams one)."""

from __future__ import annotations

from domain.model import EscalationThread


def is_on_thread(thread: EscalationThread, user_id: str | None) -> bool:
    """The people a thread concerns: who raised it, their line manager, the other practitioner."""
    if not user_id:
        return False
    people = (thread.raised_by, thread.line_manager, thread.other_practitioner)
    return any(person is not None and person.user_id == user_id for person in people)
