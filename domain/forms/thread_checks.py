"""The checks of the forms on a logged concern: a note, the resolution and its agreed actions,
and the request for an independent facilitator.

Each `check_*` function reads one form's submission (see `domain.forms.reading`) and answers
with a `Checked` value. Field ids and text limits come from `domain.forms.fields`, the same
constants the cards draw with and the decisions refuse longer text by. Nothing here reads the
clock: `today` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.decisions import PLANNING_HORIZON
from domain.forms.fields import (
    AGREED_ACTION_SLOTS,
    MAX_ACTION_WHAT_LENGTH,
    MAX_ACTION_WHO_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_OUTCOME_LENGTH,
    AgreedActionPart,
    ThreadFormField,
    agreed_action_field,
)
from domain.forms.reading import Checked, Submission
from domain.rethink import FacilitatorCheck

NOTE_REQUIRED = "Please write the note before adding it."
OUTCOME_REQUIRED = "Please say what was agreed: it is the record of how this was resolved."
ACTION_INCOMPLETE = "Give what, who and by when for each agreed action (or leave all three empty)."
ACTION_DATE_PAST = "An agreed action cannot be due before today."
ACTION_DATE_TOO_FAR = "An agreed action must be due within a year from today."


@dataclass(frozen=True)
class AgreedActionDraft:
    """An agreed action as typed on the resolution form, before the domain records it."""

    what: str
    who: str
    by_when: date


@dataclass(frozen=True)
class Resolution:
    """What was agreed, and the actions agreed with it."""

    outcome: str
    actions: tuple[AgreedActionDraft, ...] = ()


def check_note(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str]
) -> Checked[str]:
    """A note added to a thread: required, bounded, and checked for identifying details."""
    submission = Submission(values, confirmed_not_identifying)
    field_id = ThreadFormField.NOTE.value
    text = submission.text(field_id, max_length=MAX_NOTE_LENGTH, required=NOTE_REQUIRED)
    submission.guard(field_id, text)
    if not submission.clean or text is None:
        return submission.rejected()
    return submission.accepted(text)


def check_resolution(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str], today: date
) -> Checked[Resolution]:
    """The resolution form: what was agreed, and up to three agreed actions (what, who, by)."""
    submission = Submission(values, confirmed_not_identifying)
    outcome_id = ThreadFormField.OUTCOME.value
    outcome = submission.text(outcome_id, max_length=MAX_OUTCOME_LENGTH, required=OUTCOME_REQUIRED)
    submission.guard(outcome_id, outcome)
    actions = [
        _agreed_action(submission, slot, today) for slot in range(1, AGREED_ACTION_SLOTS + 1)
    ]
    if not submission.clean or outcome is None:
        return submission.rejected()
    return submission.accepted(
        Resolution(outcome=outcome, actions=tuple(action for action in actions if action))
    )


def _agreed_action(submission: Submission, slot: int, today: date) -> AgreedActionDraft | None:
    what_id = agreed_action_field(slot, AgreedActionPart.WHAT)
    who_id = agreed_action_field(slot, AgreedActionPart.WHO)
    by_id = agreed_action_field(slot, AgreedActionPart.BY)
    what = submission.text(what_id, max_length=MAX_ACTION_WHAT_LENGTH)
    who = submission.text(who_id, max_length=MAX_ACTION_WHO_LENGTH)
    by_text = submission.raw_text(by_id)
    if what is None and who is None and by_text is None:
        return None
    submission.guard(what_id, what)
    if what is None or who is None or by_text is None:
        missing = what_id if what is None else who_id if who is None else by_id
        submission.problem(missing, ACTION_INCOMPLETE)
        return None
    by_when = submission.day(by_id, required=ACTION_INCOMPLETE)
    if by_when is None:
        return None
    if by_when < today:
        submission.problem(by_id, ACTION_DATE_PAST)
        return None
    if by_when > today + PLANNING_HORIZON:
        submission.problem(by_id, ACTION_DATE_TOO_FAR)
        return None
    return AgreedActionDraft(what=what, who=who, by_when=by_when)


def check_facilitator_request(values: Mapping[str, Any]) -> Checked[frozenset[FacilitatorCheck]]:
    """The seed 002 pre-request checklist: every point must be ticked before requesting."""
    submission = Submission(values, frozenset())
    confirmed = frozenset(check for check in FacilitatorCheck if submission.toggle(check.value))
    for check in FacilitatorCheck:
        if check not in confirmed:
            submission.problem(
                check.value, f"Please consider this before requesting: {check.question}"
            )
    if not submission.clean:
        return submission.rejected()
    return submission.accepted(confirmed)
