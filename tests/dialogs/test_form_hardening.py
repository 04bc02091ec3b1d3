"""What a card form keeps in the SQL dialog state, and what it says about values it cannot use.

Every test drives the whole bot through TestAdapter on a real database (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set) and then reads the `dialog_state` table's raw `data` column, so
"not stored" means not in the database in any form.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cards.verbs import Verb
from dialogs.forms import NOT_ONE_OF_THE_CHOICES, TOO_LONG_TO_READ
from domain.forms.reading import UNREADABLE, UNSTORABLE_CHARACTERS
from storage.db import Database
from storage.repositories import ThreadRepository
from storage.schema import dialog_state
from tests.dialogs.test_intake_dialog import CASE_DETAILS, TEMPLATE, start_hips, thread_card_data
from tests.support.card_schema import card_texts, nodes
from tests.support.dialog_driver import BotDriver

NHS_NUMBER = "943 476 5919"  # a valid NHS number (its check digit is right)
IDENTIFYING_ANSWER = f"Her NHS number is {NHS_NUMBER} and she is often late."
JUNK_CLICKS = 30
JUNK_BYTES_PER_CLICK = 200_000
# A whole template draft (seven answers of at most 2,000 characters) and the case details fit.
MAX_STORED_ROW_BYTES = 24_000


async def stored_rows(database: Database) -> list[str]:
    """The raw `data` of every dialog_state row, exactly as the database holds it."""
    async with database.session(read_only=True) as session:
        result = await session.execute(select(dialog_state.c.data))
        return [str(data) for data in result.scalars()]


async def stored_text(database: Database) -> str:
    return "\n".join(await stored_rows(database))


def input_values(card: dict[str, Any]) -> dict[str, Any]:
    return {node["id"]: node.get("value") for node in nodes(card) if "id" in node}


def messages_next_to(card: dict[str, Any], field_id: str) -> list[str]:
    """The red messages drawn straight after the input `field_id`, before the next input."""
    found: list[str] = []
    seen = False
    for node in nodes(card):
        if str(node.get("type", "")).startswith("Input."):
            if seen and not str(node.get("id", "")).startswith("not_identifying__"):
                break
            seen = seen or node.get("id") == field_id
        elif seen and node.get("color") == "Attention" and isinstance(node.get("text"), str):
            found.append(node["text"])
    return found


async def at_the_template(driver: BotDriver) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)


# --- 1. Nothing the identifier guard refused is written ---------------------------------------


async def test_a_refused_identifier_is_shown_again_but_never_written_to_dialog_state(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)

    warned = await driver.submit({**TEMPLATE, "q2": IDENTIFYING_ANSWER})

    card = warned.answer_card
    assert input_values(card)["q2"] == IDENTIFYING_ANSWER  # nothing typed is lost on the card...
    assert any("NHS number" in message for message in messages_next_to(card, "q2"))
    stored = await stored_text(database)
    assert NHS_NUMBER not in stored  # ...but it is not in the database
    assert NHS_NUMBER.replace(" ", "") not in stored
    assert TEMPLATE["q1"] in stored  # the clean answers are kept


async def test_a_case_reference_the_guard_refused_is_not_written_to_dialog_state(
    driver: BotDriver, database: Database
) -> None:
    await start_hips(driver)

    warned = await driver.submit({**CASE_DETAILS, "case_reference": NHS_NUMBER})

    assert input_values(warned.answer_card)["case_reference"] == NHS_NUMBER
    stored = await stored_text(database)
    assert NHS_NUMBER not in stored
    assert CASE_DETAILS["raiser_agency"] in stored


async def test_a_reason_for_urgency_is_guarded_even_when_urgent_is_not_ticked(
    driver: BotDriver, database: Database
) -> None:
    await start_hips(driver)

    warned = await driver.submit({**CASE_DETAILS, "urgent_reason": IDENTIFYING_ANSWER})

    assert warned.cards == []  # not accepted as it stands
    assert any("NHS number" in m for m in messages_next_to(warned.answer_card, "urgent_reason"))
    assert NHS_NUMBER not in await stored_text(database)


async def test_a_saved_draft_keeps_only_the_answers_that_passed_the_guard(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)

    saved = await driver.submit(
        {"q1": TEMPLATE["q1"], "q2": IDENTIFYING_ANSWER}, verb=Verb.SAVE_DRAFT
    )

    card = saved.answer_card
    assert "Draft saved at 10:00" in card_texts(card)
    assert input_values(card)["q2"] == IDENTIFYING_ANSWER
    assert any("NHS number" in message for message in messages_next_to(card, "q2"))
    assert not messages_next_to(card, "q6")  # unanswered questions are fine in a draft
    stored = await stored_text(database)
    assert NHS_NUMBER not in stored
    assert TEMPLATE["q1"] in stored

    resumed = await driver.say("continue my draft")
    [form] = resumed.cards
    assert input_values(form)["q1"] == TEMPLATE["q1"]
    assert not input_values(form).get("q2")


async def test_an_answer_confirmed_as_not_identifying_is_kept_in_the_draft(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)
    answer = "The family moved from PO1 2AB to another area last year."  # a postcode
    await driver.submit({"q1": answer}, verb=Verb.SAVE_DRAFT)
    assert "PO1 2AB" not in await stored_text(database)

    await driver.submit({"q1": answer, "not_identifying__q1": "true"}, verb=Verb.SAVE_DRAFT)

    assert "PO1 2AB" in await stored_text(database)
    resumed = await driver.say("continue my draft")
    values = input_values(resumed.cards[0])
    assert values["q1"] == answer
    assert values["not_identifying__q1"] == "true"


async def test_a_draft_saved_with_a_problem_says_that_answer_was_not_kept(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)

    saved = await driver.submit({"q1": "x" * 2001}, verb=Verb.SAVE_DRAFT)

    card = saved.answer_card
    assert any("2,001" in message for message in messages_next_to(card, "q1"))
    assert "not saved" in card_texts(card)
    assert "x" * 2001 not in await stored_text(database)


# --- 2. Only the form's own fields, each bounded ----------------------------------------------


def junk(click: int) -> dict[str, Any]:
    """About 200 KB of keys no form has, plus far too much in one real field."""
    keys = {f"junk_{click}_{index}": "j" * 1000 for index in range(100)}
    return {**keys, "q1": "x" * (JUNK_BYTES_PER_CLICK - 100 * 1000)}


async def test_thirty_clicks_full_of_junk_leave_the_stored_state_small(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)
    await driver.submit({"q1": TEMPLATE["q1"]}, verb=Verb.SAVE_DRAFT)
    form_id = driver.form_id

    for click in range(JUNK_CLICKS):
        verb = (Verb.CANCEL_FORM, Verb.SAVE_DRAFT, Verb.SUBMIT_FORM)[click % 3]
        await driver.click(verb, {"formId": form_id, **junk(click)})

    rows = await stored_rows(database)
    assert max(len(row.encode()) for row in rows) < MAX_STORED_ROW_BYTES
    assert "junk_" not in "".join(rows)
    kept = await driver.click(Verb.KEEP_GOING, {"formId": form_id})
    assert "junk_0_0" not in input_values(kept.answer_card)


async def test_a_value_too_long_to_read_is_named_and_not_shown_back(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)

    turn = await driver.submit({**TEMPLATE, "q2": "x" * JUNK_BYTES_PER_CLICK})

    card = turn.answer_card
    assert not input_values(card).get("q2")
    assert messages_next_to(card, "q2") == [TOO_LONG_TO_READ]
    assert len(str(card)) < 50_000
    assert "x" * 3000 not in await stored_text(database)


async def test_a_choice_not_offered_on_the_card_is_not_kept(
    driver: BotDriver, database: Database
) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})

    turn = await driver.submit({"route": "r" * 500})  # no area, and a route that is no choice

    assert messages_next_to(turn.answer_card, "route") == [NOT_ONE_OF_THE_CHOICES]
    assert "r" * 500 not in await stored_text(database)


# --- 3. Values that are not text --------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [["a", "b"], True, 9876543210123, {"text": "hello"}],
    ids=["list", "boolean", "number", "object"],
)
async def test_a_value_that_is_not_text_is_named_on_the_card_and_never_stored(
    driver: BotDriver, database: Database, value: Any
) -> None:
    await at_the_template(driver)

    turn = await driver.submit({**TEMPLATE, "q6": value})

    card = turn.answer_card
    assert turn.cards == []
    assert messages_next_to(card, "q6") == [UNREADABLE]
    assert not input_values(card).get("q6")
    assert input_values(card)["q1"] == TEMPLATE["q1"]
    stored = await stored_text(database)
    assert str(value) not in stored
    assert TEMPLATE["q1"] in stored


async def test_a_toggle_sent_as_a_boolean_is_not_read_as_ticked(driver: BotDriver) -> None:
    await at_the_template(driver)

    turn = await driver.click(
        Verb.SUBMIT_FORM,
        {
            "formId": driver.form_id,
            **TEMPLATE,
            "q2": IDENTIFYING_ANSWER,
            "not_identifying__q2": True,
        },
    )

    assert turn.cards == []  # still waiting for the practitioner to confirm
    assert any("NHS number" in m for m in messages_next_to(turn.answer_card, "q2"))


async def test_a_note_that_is_not_text_is_named_on_the_thread_form(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)
    opened = await driver.submit(TEMPLATE)
    target = thread_card_data(opened)
    await driver.click(Verb.START_NOTE, target)

    turn = await driver.click(Verb.SUBMIT_NOTE, {**target, "note": ["Spoke", "to", "them"]})

    assert messages_next_to(turn.answer_card, "note") == [UNREADABLE]
    assert not input_values(turn.answer_card).get("note")
    async with database.session(read_only=True) as session:
        events = await ThreadRepository(session).events("ESC-2026-0001")
    assert len(events) == 1  # opened, and no note


# --- 4. Characters that cannot be stored ------------------------------------------------------


@pytest.mark.parametrize(
    "character", ["\x00", "\ud800", "\x1b"], ids=["NUL", "lone surrogate", "escape"]
)
async def test_a_character_that_cannot_be_stored_is_refused_next_to_its_field(
    driver: BotDriver, database: Database, character: str
) -> None:
    await at_the_template(driver)
    typed = f"The plan{character} was not followed."

    turn = await driver.submit({**TEMPLATE, "q1": typed})

    assert turn.cards == []  # no concern opened
    assert messages_next_to(turn.answer_card, "q1") == [UNSTORABLE_CHARACTERS]
    assert input_values(turn.answer_card)["q1"] == "The plan was not followed."
    assert not turn.said("something went wrong")
    async with database.session(read_only=True) as session:
        assert await ThreadRepository(session).get("ESC-2026-0001") is None

    again = await driver.submit({**TEMPLATE, "q1": "The plan was not followed."})

    assert "ESC-2026-0001" in card_texts(again.cards[0])


async def test_a_note_with_a_nul_byte_is_refused_on_the_thread_form(
    driver: BotDriver, database: Database
) -> None:
    await at_the_template(driver)
    opened = await driver.submit(TEMPLATE)
    target = thread_card_data(opened)

    turn = await driver.click(Verb.SUBMIT_NOTE, {**target, "note": "Called\x00 them back."})

    assert messages_next_to(turn.answer_card, "note") == [UNSTORABLE_CHARACTERS]
    assert input_values(turn.answer_card)["note"] == "Called them back."
    async with database.session(read_only=True) as session:
        events = await ThreadRepository(session).events("ESC-2026-0001")
    assert len(events) == 1
