"""A click on a concern is one transaction: load, check the form, decide, persist, answer.

Counted with SQLAlchemy's engine events on the bot's own database. Besides the click's own
transaction, every turn records its activity id once (bot/deliveries.py): two in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from cards.verbs import Verb
from settings import Settings
from storage.db import Database
from tests.dialogs.test_intake_dialog import CASE_DETAILS, TEMPLATE, start_hips, thread_card_data
from tests.support.card_schema import card_texts
from tests.support.databases import sqlite_url
from tests.support.dialog_driver import BotDriver, FixedClock

DELIVERY_RECORD = 1


@contextmanager
def transactions(database: Database) -> Iterator[list[int]]:
    """Counts the transactions begun while the block runs (the list holds one number)."""
    begun = [0]

    def count(*_: Any) -> None:
        begun[0] += 1

    event.listen(database.engine.sync_engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(database.engine.sync_engine, "begin", count)


async def _opened(driver: BotDriver) -> dict[str, Any]:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    return thread_card_data(await driver.submit(TEMPLATE))


async def test_an_escalate_click_is_one_transaction(driver: BotDriver, database: Database) -> None:
    target = await _opened(driver)

    with transactions(database) as begun:
        turn = await driver.click(Verb.ESCALATE, target)

    assert "Stage 2" in card_texts(turn.answer_card)
    assert begun[0] == 1 + DELIVERY_RECORD


async def test_a_note_form_checked_and_saved_is_one_transaction(
    driver: BotDriver, database: Database
) -> None:
    target = await _opened(driver)
    form_id = f"{target['reference']}:{target['version']}"

    with transactions(database) as begun:
        turn = await driver.click(
            Verb.SUBMIT_NOTE, {**target, "formId": form_id, "note": "Spoke to the school."}
        )

    assert "Note added" in card_texts(turn.answer_card)
    assert begun[0] == 1 + DELIVERY_RECORD


async def test_a_refused_action_is_answered_from_the_same_transaction(
    driver: BotDriver, database: Database
) -> None:
    target = await _opened(driver)

    with transactions(database) as begun:
        turn = await driver.click(Verb.STILL_STUCK, target)  # not a Re-think concern

    assert turn.answer is not None
    assert begun[0] == 1 + DELIVERY_RECORD


@contextmanager
def write_transactions(database: Database) -> Iterator[list[int]]:
    """Counts SQLite write transactions (BEGIN IMMEDIATE) begun while the block runs."""
    begun = [0]

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.strip().upper() == "BEGIN IMMEDIATE":
            begun[0] += 1

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield begun
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def test_a_message_from_a_known_conversation_takes_no_write_lock_to_remember_it(
    tmp_path: Path, clock: FixedClock
) -> None:
    """SQLite only: it counts SQLite's BEGIN IMMEDIATE, the write lock."""
    url = sqlite_url(tmp_path)
    database = Database(url)
    await database.migrate_to_head()
    values: dict[str, Any] = {"_env_file": None, "local_mode": True}
    driver = BotDriver(Settings(**values, database_url=url), database, clock)
    try:
        await driver.say("hello")  # first contact: the conversation is stored
        with write_transactions(database) as begun:
            await driver.say("my concerns")
    finally:
        await database.dispose()

    assert begun[0] == DELIVERY_RECORD
