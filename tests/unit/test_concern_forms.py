"""Forms on a thread card: notes, the resolution with agreed actions, the facilitator request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.concern_feature import Target, target_of
from dialogs.forms import confirmed_not_identifying, submitted_values
from domain.forms.reading import UNREADABLE, UNSTORABLE_CHARACTERS
from domain.forms.thread_checks import (
    ACTION_DATE_PAST,
    ACTION_INCOMPLETE,
    NOTE_REQUIRED,
    OUTCOME_REQUIRED,
    AgreedActionDraft,
    check_facilitator_request,
    check_note,
    check_resolution,
)
from domain.identifiers import IdentifierKind
from domain.rethink import FacilitatorCheck
from teams.clicks import Click, Sender

TODAY = date(2026, 11, 23)
NOTHING_CONFIRMED: frozenset[str] = frozenset()


def test_a_note_is_trimmed_and_accepted() -> None:
    checked = check_note(
        {"note": "  Spoke with the school DSL; meeting booked.  "}, NOTHING_CONFIRMED
    )
    assert checked.ok
    assert checked.value == "Spoke with the school DSL; meeting booked."


def test_an_empty_note_is_refused_next_to_the_field() -> None:
    checked = check_note({"note": "   "}, NOTHING_CONFIRMED)
    assert not checked.ok
    assert checked.problem_for("note") is not None
    assert checked.problem_for("note").message == NOTE_REQUIRED  # type: ignore[union-attr]


def test_a_note_of_4001_characters_is_too_long_but_4000_is_fine() -> None:
    assert check_note({"note": "a" * 4000}, NOTHING_CONFIRMED).ok
    too_long = check_note({"note": "a" * 4001}, NOTHING_CONFIRMED)
    assert "4,001" in too_long.problems[0].message


def test_a_note_with_a_postcode_warns_until_confirmed() -> None:
    values = {"note": "Visited the family at PO1 2AB today."}
    warned = check_note(values, NOTHING_CONFIRMED)
    assert not warned.ok
    assert warned.unconfirmed_warnings[0].kinds == (IdentifierKind.POSTCODE,)
    assert "PO1 2AB" not in warned.unconfirmed_warnings[0].message
    assert check_note(values, frozenset({"note"})).ok


def test_a_resolution_needs_an_outcome() -> None:
    checked = check_resolution({}, NOTHING_CONFIRMED, TODAY)
    assert checked.problem_for("outcome").message == OUTCOME_REQUIRED  # type: ignore[union-attr]


def test_a_resolution_keeps_complete_agreed_actions_and_skips_empty_slots() -> None:
    checked = check_resolution(
        {
            "outcome": "Agreed to hold an early review meeting.",
            "action_1_what": "Book the early review meeting",
            "action_1_who": "Social worker",
            "action_1_by": "2026-11-27",
            "action_3_what": "",
        },
        NOTHING_CONFIRMED,
        TODAY,
    )
    assert checked.ok
    assert checked.value is not None
    assert checked.value.actions == (
        AgreedActionDraft("Book the early review meeting", "Social worker", date(2026, 11, 27)),
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"action_2_what": "Share the plan", "action_2_by": "2026-11-30"},
            "action_2_who",
            ACTION_INCOMPLETE,
        ),
        (
            {"action_1_what": "Share the plan", "action_1_who": "HV", "action_1_by": "2026-11-20"},
            "action_1_by",
            ACTION_DATE_PAST,
        ),
        (
            {"action_1_what": "Share the plan", "action_1_who": "HV", "action_1_by": "next week"},
            "action_1_by",
            "Please give the date as a day, month and year.",
        ),
    ],
    ids=["missing who", "due in the past", "unreadable date"],
)
def test_an_incomplete_or_past_agreed_action_is_named(
    values: dict[str, str], field: str, message: str
) -> None:
    checked = check_resolution({"outcome": "Agreed.", **values}, NOTHING_CONFIRMED, TODAY)
    assert not checked.ok
    assert checked.problem_for(field).message == message  # type: ignore[union-attr]


def test_the_facilitator_request_needs_every_checklist_point() -> None:
    all_ticked = {check.value: "true" for check in FacilitatorCheck}
    assert check_facilitator_request(all_ticked).value == frozenset(FacilitatorCheck)

    one_missing = {**all_ticked, FacilitatorCheck.CONSIDERED_HIPS.value: "false"}
    checked = check_facilitator_request(one_missing)
    assert not checked.ok
    [problem] = checked.problems
    assert problem.field_id == FacilitatorCheck.CONSIDERED_HIPS.value
    assert FacilitatorCheck.CONSIDERED_HIPS.question in problem.message


# --- What a thread form's click carries (bot/concern_feature.py reads it with these) ----------

NOT_TEXT = [["Spoke", "to", "them"], True, False, 7, 2.5, {"text": "Spoke to them"}]


@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
def test_a_note_that_is_not_text_is_unreadable_not_its_python_repr(value: object) -> None:
    values = submitted_values({"formId": "ESC-2026-0001:3", "note": value})
    checked = check_note(values, confirmed_not_identifying(values))
    assert not checked.ok
    assert checked.problem_for("note").message == UNREADABLE  # type: ignore[union-attr]


@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
def test_resolution_fields_that_are_not_text_are_unreadable(value: object) -> None:
    values = submitted_values(
        {
            "outcome": value,
            "action_1_what": "Share the plan",
            "action_1_who": value,
            "action_1_by": "2026-12-01",
        }
    )
    checked = check_resolution(values, confirmed_not_identifying(values), TODAY)
    assert checked.problem_for("outcome").message == UNREADABLE  # type: ignore[union-attr]
    assert checked.problem_for("action_1_who").message == UNREADABLE  # type: ignore[union-attr]


def test_submitted_values_are_passed_on_as_sent_without_the_form_id_or_nulls() -> None:
    data = {"formId": "f", "note": "Called back.", "outcome": None, "version": 3}
    assert submitted_values(data) == {"note": "Called back.", "version": 3}


@pytest.mark.parametrize("character", ["\x00", "\ud800", "\x1b"], ids=["NUL", "surrogate", "ESC"])
def test_a_note_with_a_character_that_cannot_be_stored_is_refused(character: str) -> None:
    checked = check_note({"note": f"Called{character} them back."}, NOTHING_CONFIRMED)
    assert checked.problem_for("note").message == UNSTORABLE_CHARACTERS  # type: ignore[union-attr]


@pytest.mark.parametrize("ticked", [True, 1, ["true"], {"value": "true"}], ids=repr)
def test_a_not_identifying_toggle_that_is_not_text_is_not_ticked(ticked: object) -> None:
    assert confirmed_not_identifying({"not_identifying__note": ticked}) == frozenset()
    assert confirmed_not_identifying({"not_identifying__note": "true"}) == {"note"}


def click(**data: Any) -> Click:
    return Click(
        verb="escalate",
        data=data,
        sender=Sender(user_id="alex-object-id", name="Alex"),
        conversation_id="a:personal",
        activity_id="activity-1",
    )


def test_a_click_names_its_thread_and_the_version_its_card_showed() -> None:
    assert target_of(click(reference="ESC-2026-0001", version=3)) == Target("ESC-2026-0001", 3)


@pytest.mark.parametrize(
    "version",
    [True, False, "1", "3", 3.0, -1, None, [3], {"version": 3}],
    ids=repr,
)
def test_a_version_that_is_not_a_whole_number_names_no_version(version: object) -> None:
    """Cards send the version as a JSON number; `true` is not version 1, nor "3" version 3."""
    assert target_of(click(reference="ESC-2026-0001", version=version)) is None


@pytest.mark.parametrize("reference", ["esc-2026-0001", "ESC-2026-1", 2026, None, "ESC-2026-0001 "])
def test_a_reference_not_shaped_like_one_names_no_thread(reference: object) -> None:
    assert target_of(click(reference=reference, version=3)) is None
