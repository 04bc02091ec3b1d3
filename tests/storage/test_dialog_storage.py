"""SqlDialogStorage: botbuilder's storage contract, eTags, restarts, and what it will not decode."""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    NumberPrompt,
    PromptOptions,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import ActivityTypes, InputHints
from botbuilder.testing import StorageBaseTests
from sqlalchemy import select

from domain.model import Person
from storage.db import Database
from storage.dialog_storage import (
    MAX_STATE_CHARACTERS,
    MAX_STATE_DEPTH,
    DialogStateConflictError,
    DialogStateEncoding,
    SqlDialogStorage,
    UnreadableDialogStateError,
)
from storage.schema import dialog_state
from tests.support.databases import sqlite_url
from tests.support.planting import plant_dialog_state

ContractCheck = Callable[[Any], Awaitable[bool]]


@pytest.fixture
def storage(database: Database) -> SqlDialogStorage:
    return SqlDialogStorage(database)


@pytest.mark.parametrize(
    "contract_check",
    [
        StorageBaseTests.return_empty_object_when_reading_unknown_key,
        StorageBaseTests.handle_null_keys_when_reading,
        StorageBaseTests.handle_null_keys_when_writing,
        StorageBaseTests.does_not_raise_when_writing_no_items,
        StorageBaseTests.create_object,
        StorageBaseTests.handle_crazy_keys,
        StorageBaseTests.update_object,
        StorageBaseTests.delete_object,
        StorageBaseTests.perform_batch_operations,
        StorageBaseTests.proceeds_through_waterfall,
        StorageBaseTests.delete_unknown_object,
    ],
    ids=lambda check: check.__name__,
)
async def test_meets_botbuilders_storage_contract(
    storage: SqlDialogStorage, contract_check: ContractCheck
) -> None:
    assert await contract_check(storage) is True


async def test_each_write_gives_a_new_etag_that_reads_return(storage: SqlDialogStorage) -> None:
    await storage.write({"conversation": {"count": 1}})
    first = (await storage.read(["conversation"]))["conversation"]

    await storage.write({"conversation": {**first, "count": 2}})
    second = (await storage.read(["conversation"]))["conversation"]

    assert first["e_tag"]
    assert second["e_tag"] not in {None, "", first["e_tag"]}
    assert second["count"] == 2


async def test_write_with_a_stale_etag_raises_and_keeps_the_stored_state(
    storage: SqlDialogStorage,
) -> None:
    await storage.write({"conversation": {"count": 1}})
    stale = (await storage.read(["conversation"]))["conversation"]
    await storage.write({"conversation": {**stale, "count": 2}})

    with pytest.raises(DialogStateConflictError):
        await storage.write({"conversation": {**stale, "count": 99}})

    assert (await storage.read(["conversation"]))["conversation"]["count"] == 2


@pytest.mark.parametrize("e_tag", [None, "*"], ids=["none", "star"])
async def test_write_without_an_etag_or_with_star_overwrites(
    storage: SqlDialogStorage, e_tag: str | None
) -> None:
    await storage.write({"conversation": {"count": 1}})
    await storage.write({"conversation": {"count": 5, "e_tag": e_tag}})

    assert (await storage.read(["conversation"]))["conversation"]["count"] == 5


async def test_write_with_an_etag_to_a_deleted_key_raises(storage: SqlDialogStorage) -> None:
    await storage.write({"conversation": {"count": 1}})
    read = (await storage.read(["conversation"]))["conversation"]
    await storage.delete(["conversation"])

    with pytest.raises(DialogStateConflictError):
        await storage.write({"conversation": {**read, "count": 2}})

    assert await storage.read(["conversation"]) == {}


async def test_a_batch_with_one_conflict_writes_nothing(storage: SqlDialogStorage) -> None:
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    stale_b = (await storage.read(["b"]))["b"]
    await storage.write({"b": {"n": 2}})

    with pytest.raises(DialogStateConflictError):
        await storage.write({"a": {"n": 10}, "b": {**stale_b, "n": 10}})

    after = await storage.read(["a", "b"])
    assert (after["a"]["n"], after["b"]["n"]) == (1, 2)


async def test_concurrent_writes_from_the_same_read_let_exactly_one_win(
    storage: SqlDialogStorage,
) -> None:
    await storage.write({"conversation": {"count": 0}})
    read = (await storage.read(["conversation"]))["conversation"]

    async def write(count: int) -> bool:
        try:
            await storage.write({"conversation": {**read, "count": count}})
        except DialogStateConflictError:
            return False
        return True

    outcomes = await asyncio.gather(*(write(count) for count in range(1, 7)))

    assert sorted(outcomes) == [False] * 5 + [True]
    stored = (await storage.read(["conversation"]))["conversation"]["count"]
    assert outcomes[stored - 1] is True


async def test_store_items_keep_their_class_and_get_the_stored_etag(
    storage: SqlDialogStorage,
) -> None:
    await storage.write({"item": StoreItem(count=3, e_tag="*")})

    read = (await storage.read(["item"]))["item"]

    assert isinstance(read, StoreItem)
    assert read.count == 3
    assert read.e_tag not in {None, "*"}


async def test_sdk_and_plain_values_survive_encoding(storage: SqlDialogStorage) -> None:
    state = {
        "options": PromptOptions(prompt=MessageFactory.text("What is your name?")),
        "pair": (1, 2),
        "tags": {"urgent"},
        "nested": {"answers": [{"q1": "typed"}, None, 3, 2.5, True]},
    }
    await storage.write({"conversation": state})

    read = (await storage.read(["conversation"]))["conversation"]

    assert read["options"].prompt.text == "What is your name?"
    assert read["options"].prompt.type is ActivityTypes.message
    assert read["options"].prompt.input_hint is InputHints.accepting_input
    assert read["pair"] == (1, 2)
    assert read["tags"] == {"urgent"}
    assert read["nested"] == {"answers": [{"q1": "typed"}, None, 3, 2.5, True]}


def _a_function() -> None:
    """Not state: functions are never stored."""


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (Person(name="Sam Patel"), r"domain\.model\.Person"),
        (datetime(2026, 3, 2, 9, 30, tzinfo=UTC), r"datetime\.datetime"),
        (OrderedDict([("b", 2)]), r"py/reduce of 'collections\.OrderedDict'"),
        (defaultdict(list), r"collections\.defaultdict"),
        (_a_function, r"py/function"),
        (Person, r"domain\.model\.Person"),
        (frozenset({1}), r"builtins\.frozenset"),
        (b"\x00\x01", r"py/b64"),
    ],
    ids=[
        "own-class",
        "datetime",
        "ordered-dict",
        "defaultdict",
        "function",
        "class",
        "frozenset",
        "bytes",
    ],
)
async def test_what_the_bot_never_stores_is_refused_when_written(
    storage: SqlDialogStorage, value: object, named: str
) -> None:
    with pytest.raises(TypeError, match=named):
        await storage.write({"conversation": {"value": value}})
    assert await storage.read(["conversation"]) == {}


async def test_allowed_classes_let_the_bots_own_types_through(database: Database) -> None:
    storage = SqlDialogStorage(database, allowed_classes=("domain.model.Person",))
    await storage.write({"conversation": {"who": Person(name="Sam Patel", user_id="aad-sam")}})

    read = (await storage.read(["conversation"]))["conversation"]

    assert read["who"] == Person(name="Sam Patel", user_id="aad-sam")


async def test_allowed_classes_can_allow_standard_containers(database: Database) -> None:
    storage = SqlDialogStorage(
        database, allowed_classes=("collections.defaultdict", "builtins.list")
    )
    await storage.write({"conversation": {"by_stage": defaultdict(list, {"stage_1": ["called"]})}})

    read = (await storage.read(["conversation"]))["conversation"]

    assert read["by_stage"]["stage_1"] == ["called"]
    assert read["by_stage"]["stage_2"] == []  # still a defaultdict(list)


async def test_a_class_allowed_for_one_storage_is_refused_by_another(database: Database) -> None:
    writer = SqlDialogStorage(database, allowed_classes=("domain.model.Person",))
    await writer.write({"conversation": {"who": Person(name="Sam Patel")}})

    with pytest.raises(UnreadableDialogStateError, match=r"domain\.model\.Person"):
        await SqlDialogStorage(database).read(["conversation"])


@pytest.mark.parametrize(
    "name",
    [
        "domain.model",
        "domain.",
        "domain.model.NoSuchClass",
        "os.system",
        "botbuilder.core.about.os.system",
        "botframework.connector.auth.channel_validation.asyncio.events.subprocess.Popen",
        "botbuilder.core.StoreItem",
        "Person",
    ],
    ids=[
        "module",
        "prefix",
        "missing",
        "function",
        "module-attribute-path-to-a-function",
        "module-attribute-path-to-a-class",
        "re-exported-name",
        "bare-name",
    ],
)
def test_allowed_classes_must_be_a_classs_own_full_name(tmp_path: Path, name: str) -> None:
    unopened = Database(sqlite_url(tmp_path))  # the allow-list is checked before any query

    with pytest.raises(ValueError, match="qualified name of a class"):
        SqlDialogStorage(unopened, allowed_classes=(name,))


def test_allowed_classes_is_not_one_string(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="allowed_classes"):
        SqlDialogStorage(Database(sqlite_url(tmp_path)), allowed_classes="domain.model.Person")


async def test_state_nested_too_deeply_is_refused_when_written(storage: SqlDialogStorage) -> None:
    deep: list[Any] = []
    for _ in range(MAX_STATE_DEPTH):
        deep = [deep]

    with pytest.raises(TypeError, match="nested"):
        await storage.write({"conversation": {"deep": deep}})


async def test_oversized_state_is_refused_when_written(storage: SqlDialogStorage) -> None:
    with pytest.raises(ValueError, match="characters"):
        await storage.write({"conversation": {"text": "x" * MAX_STATE_CHARACTERS}})
    assert await storage.read(["conversation"]) == {}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ('{"py/reduce": [{"py/function": "os.system"}, {"py/tuple": ["id"]}]}', "jsonpickle-v1"),
        ('{"x": {"py/object": "subprocess.Popen", "args": ["id"]}}', "jsonpickle-v1"),
        ('{"x": {"py/type": "builtins.eval"}}', "jsonpickle-v1"),
        ('{"x": {"py/repr": "os/os.system(\'id\')"}}', "jsonpickle-v1"),
        ('{"x": {"py/mod": "os"}}', "jsonpickle-v1"),
        ('{"count": 1}', "pickle"),
        ("not json", "jsonpickle-v1"),
        ('{"x": {"py/object": "botbuilder.core.NoSuchClass"}}', "jsonpickle-v1"),
        (
            '{"x": {"py/reduce": ['
            '{"py/type": "botbuilder.core.message_factory.MessageFactory.text"},'
            ' {"py/tuple": ["hi"]}]}}',
            "jsonpickle-v1",
        ),
    ],
    ids=[
        "function",
        "object",
        "type",
        "repr",
        "module",
        "foreign-encoding",
        "not-json",
        "missing-class",
        "function-as-type",
    ],
)
async def test_rows_this_storage_did_not_write_are_not_decoded(
    database: Database, storage: SqlDialogStorage, data: str, encoding: str
) -> None:
    await plant_dialog_state(database, "planted", data, encoding=encoding)

    with pytest.raises(UnreadableDialogStateError):
        await storage.read(["planted"])


@pytest.mark.parametrize("keys", [[""], ["x" * 1025]], ids=["empty", "too-long"])
async def test_unusable_keys_are_refused(storage: SqlDialogStorage, keys: list[str]) -> None:
    with pytest.raises(ValueError, match="keys"):
        await storage.write({key: {"n": 1} for key in keys})


async def test_longest_allowed_key_round_trips(storage: SqlDialogStorage) -> None:
    key = "k" * 1024
    await storage.write({key: {"n": 1}})
    assert (await storage.read([key]))[key]["n"] == 1


async def test_rows_carry_the_encoding_marker(
    database: Database, storage: SqlDialogStorage
) -> None:
    await storage.write({"conversation": {"n": 1}})
    async with database.session(read_only=True) as session:
        stored = (await session.execute(select(dialog_state))).one()
    assert stored.encoding == DialogStateEncoding.JSONPICKLE_V1
    assert "e_tag" not in stored.data  # the eTag has its own column


# --- A waterfall that must survive a restart ------------------------------------------------


def _intake_bot(storage: SqlDialogStorage) -> Callable[[TurnContext], Awaitable[None]]:
    """A three-step waterfall (name, years in post, summary) over the given storage."""
    conversation_state = ConversationState(storage)
    dialogs = DialogSet(conversation_state.create_property("DialogState"))

    async def ask_name(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt(
            TextPrompt.__name__, PromptOptions(prompt=MessageFactory.text("What is your name?"))
        )

    async def ask_years(step: WaterfallStepContext) -> DialogTurnResult:
        step.values["name"] = step.result
        return await step.prompt(
            NumberPrompt.__name__,
            PromptOptions(prompt=MessageFactory.text("How many years in post?")),
        )

    async def summarise(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"{step.values['name']}: {step.result} years")
        return await step.end_dialog()

    dialogs.add(WaterfallDialog("intake", [ask_name, ask_years, summarise]))
    dialogs.add(TextPrompt(TextPrompt.__name__))
    dialogs.add(NumberPrompt(NumberPrompt.__name__, default_locale="en-gb"))

    async def on_turn(turn_context: TurnContext) -> None:
        dialog_context = await dialogs.create_context(turn_context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog("intake")
        await conversation_state.save_changes(turn_context)

    return on_turn


async def test_waterfall_dialog_continues_after_a_restart(database_url: str) -> None:
    before_restart = Database(database_url)
    try:
        await before_restart.migrate_to_head()
        adapter = TestAdapter(_intake_bot(SqlDialogStorage(before_restart)))
        flow = await adapter.send("hello")
        flow = await flow.assert_reply("What is your name?")
        flow = await flow.send("Sam")
        await flow.assert_reply("How many years in post?")
    finally:
        await before_restart.dispose()

    after_restart = Database(database_url)
    try:
        adapter = TestAdapter(_intake_bot(SqlDialogStorage(after_restart)))
        flow = await adapter.send("7")
        await flow.assert_reply("Sam: 7 years")
    finally:
        await after_restart.dispose()
