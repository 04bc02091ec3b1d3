"""What no client would send: every field of a message and a click replaced by hostile values.

The bot runs in local mode (no authentication, so every request reaches the bot's own code) with
its fake connector on loopback. Whatever arrives, the answer is never a 5xx, and a turn that
would fail is refused at the edge instead: no hostile value makes a turn fail (an apology in
the chat, an ERROR in the log), and none reaches a log line.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.e2e.conftest import local_settings, start_bot
from tests.support.fake_connector import FakeConnector
from tests.support.teams_activities import ALEX, card_action, personal_message

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.5e308,
    "",
    "\x00",
    "\ud800",
    "x" * 20_000,
    "<at>bot</at>" * 50,
    [],
    [None, 1, "a", {}],
    {},
    {"id": {"nested": ["deep"]}},
    {"py/object": "os.system"},
]
MESSAGE_FIELDS = [
    "type",
    "id",
    "text",
    "textFormat",
    "from",
    "recipient",
    "conversation",
    "channelData",
    "entities",
    "attachments",
    "value",
    "replyToId",
    "locale",
    "timestamp",
    "membersAdded",
    "name",
]
CLICK_DATA_KEYS = ["verb", "data", "type"]


def _encodable(activity: dict[str, Any]) -> bytes:
    # Lone surrogates are valid JSON escapes but not UTF-8: send them as escapes, as a client
    # bent on it would.
    return json.dumps(activity, ensure_ascii=True).encode()


async def answers_to(
    database_url: str, service_url: str, activities: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Each activity posted to a fresh bot in local mode: the HTTP status of each, by label."""
    client = await start_bot(local_settings(database_url))
    statuses: dict[str, int] = {}
    try:
        for label, activity in activities.items():
            response = await client.post(
                "/api/messages",
                data=_encodable(activity),
                headers={"Content-Type": "application/json"},
            )
            statuses[label] = response.status
    finally:
        await client.close()
    return statuses


def assert_nothing_failed(statuses: dict[str, int], caplog: pytest.LogCaptureFixture) -> None:
    assert {label: status for label, status in statuses.items() if status >= 500} == {}
    assert "turn failed" not in caplog.text
    assert "x" * 100 not in caplog.text


@pytest.mark.parametrize("field", MESSAGE_FIELDS)
async def test_no_hostile_value_in_any_field_of_a_message_gets_a_5xx_or_fails_a_turn(
    database_url: str,
    connector: tuple[FakeConnector, str],
    field: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _fake, service_url = connector
    caplog.set_level(logging.INFO)
    activities = {
        repr(value)[:40]: {**personal_message("my concerns", ALEX, service_url), field: value}
        for value in HOSTILE_VALUES
    }

    assert_nothing_failed(await answers_to(database_url, service_url, activities), caplog)


def _click_with(verb: str, key: str, value: Any, service_url: str) -> dict[str, Any]:
    activity = card_action(verb, ALEX, service_url, data={"formId": "f"})
    activity["value"]["action"][key] = value
    return activity


@pytest.mark.parametrize("key", CLICK_DATA_KEYS)
async def test_no_hostile_value_in_a_click_gets_a_5xx_or_fails_a_turn(
    database_url: str,
    connector: tuple[FakeConnector, str],
    key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _fake, service_url = connector
    caplog.set_level(logging.INFO)
    activities = {
        f"{verb} {value!r}"[:60]: _click_with(verb, key, value, service_url)
        for verb in ("submitForm", "escalate", "viewHistory", "myConcerns", "newConcern")
        for value in HOSTILE_VALUES
    }

    assert_nothing_failed(await answers_to(database_url, service_url, activities), caplog)


INVOKE_NAMES: list[Any] = [
    None,
    "",
    "x/y",
    "adaptiveCard/action",
    "composeExtension/query",
    "composeExtension/submitAction",
    "task/fetch",
    "fileConsent/invoke",
    "signin/verifyState",
    "actionableMessage/executeAction",
    42,
]


@pytest.mark.parametrize("name", INVOKE_NAMES, ids=repr)
async def test_no_invoke_of_any_name_or_value_gets_a_5xx_or_fails_a_turn(
    database_url: str,
    connector: tuple[FakeConnector, str],
    name: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _fake, service_url = connector
    caplog.set_level(logging.INFO)
    activities = {
        repr(value)[:40]: {
            **card_action("showHelp", ALEX, service_url),
            "name": name,
            "value": value,
        }
        for value in HOSTILE_VALUES
    }

    assert_nothing_failed(await answers_to(database_url, service_url, activities), caplog)
