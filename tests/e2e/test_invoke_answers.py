"""What the bot answers to invokes, over HTTP: never 501 or 500, and errors say what they are.

Teams only sends this bot `adaptiveCard/action` (its manifest declares no message extensions,
dialogs, tabs, bot configuration or sign-in), so any other invoke is misrouted or forged: it gets
a 4xx with a small JSON error body. The two kinds that open a dialog in Teams (`task/*`, and
`config/*` for bot configuration) get HTTP 200 with a plain message Teams can show instead.
Answers to Action.Execute are HTTP 200 with `{"statusCode", "type", "value"}`; an error's
statusCode matches its code (400 BadRequest, 403 Forbidden, 500 InternalServerError).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest

from dialogs.replies import ERROR_CONTENT_TYPE, error_invoke_response
from tests.e2e.conftest import BotUnderTest, authenticated_settings, start_bot
from tests.support.bot_framework import SigningKey
from tests.support.fake_connector import FakeConnector
from tests.support.teams_activities import ALEX, card_action, invoke

NOT_FOR_THIS_BOT: dict[str, tuple[str | None, Any]] = {
    "messaging extension search": ("composeExtension/query", {"commandId": "search"}),
    "messaging extension link": ("composeExtension/queryLink", {"url": "https://x.example/"}),
    "messaging extension action": ("composeExtension/submitAction", {"commandId": "x"}),
    "messaging extension fetch": ("composeExtension/fetchTask", {"commandId": "x"}),
    "messaging extension item": ("composeExtension/selectItem", {"id": "1"}),
    "messaging extension setting": ("composeExtension/setting", {"state": "x"}),
    "messaging extension card button": ("composeExtension/onCardButtonClicked", {}),
    "tab fetch": ("tab/fetch", {"tabContext": {"tabEntityId": "x"}}),
    "tab submit": ("tab/submit", {"tabContext": {"tabEntityId": "x"}}),
    "sign-in verify state": ("signin/verifyState", {"state": "123456"}),
    "sign-in token exchange": ("signin/tokenExchange", {"id": "x", "token": "y"}),
    "file consent accepted": ("fileConsent/invoke", {"action": "accept", "context": {}}),
    "file consent garbled": ("fileConsent/invoke", "not an object"),
    "O365 connector card": ("actionableMessage/executeAction", {"body": "x", "actionId": "y"}),
    "typeahead search": ("application/search", {"queryText": "x", "dataset": "y"}),
    "unknown name": ("x/y", {"anything": True}),
    "no name (legacy card action)": (None, {"msteams": {"type": "invoke"}}),
}

SHOWN_AS_A_MESSAGE: dict[str, tuple[str, Any]] = {
    "dialog fetch": ("task/fetch", {"data": {"verb": "x"}, "context": {"theme": "default"}}),
    "dialog submit": ("task/submit", {"data": {"x": 1}}),
    "bot configuration fetch": ("config/fetch", {"data": {}}),
    "bot configuration submit": ("config/submit", {"data": {"x": 1}}),
}


@pytest.mark.parametrize("case", sorted(NOT_FOR_THIS_BOT))
async def test_an_invoke_this_bot_does_not_handle_gets_a_4xx_with_a_json_error(
    bot: BotUnderTest, case: str
) -> None:
    name, value = NOT_FOR_THIS_BOT[case]

    response = await bot.post(invoke(name, ALEX, bot.service_url, value=value))

    assert response.status == HTTPStatus.BAD_REQUEST
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["error"] == "Bad Request"
    assert "does not handle" in body["detail"]
    assert bot.connector.sent == []


@pytest.mark.parametrize("case", sorted(SHOWN_AS_A_MESSAGE))
async def test_a_dialog_invoke_gets_a_message_teams_can_show(bot: BotUnderTest, case: str) -> None:
    name, value = SHOWN_AS_A_MESSAGE[case]

    response = await bot.post(invoke(name, ALEX, bot.service_url, value=value))

    assert response.status == HTTPStatus.OK
    body = await response.json()
    answer = body["config"] if name.startswith("config/") else body["task"]
    if name.startswith("config/"):
        assert body["responseType"] == "config"
    assert answer["type"] == "message"
    assert "one-to-one chat" in answer["value"]
    assert bot.connector.sent == []


async def error_of(bot: BotUnderTest, activity: dict[str, Any]) -> dict[str, Any]:
    """The Action.Execute error answer to `activity`: HTTP 200, its status inside the body."""
    response = await bot.post(activity)
    assert response.status == HTTPStatus.OK
    body: dict[str, Any] = await response.json()
    assert body["type"] == ERROR_CONTENT_TYPE, body
    return body


async def test_a_button_nobody_routes_answers_400_bad_request(bot: BotUnderTest) -> None:
    body = await error_of(bot, card_action("noSuchVerb", ALEX, bot.service_url))

    assert body["statusCode"] == HTTPStatus.BAD_REQUEST
    assert body["value"]["code"] == "BadRequest"
    assert "older version" in body["value"]["message"]


@pytest.mark.parametrize(
    "value",
    [
        None,
        "not an object",
        {"action": "not an object"},
        {"action": {"type": "Action.Submit", "verb": "showHelp"}},
        {"action": {"type": "Action.Execute"}},
    ],
    ids=["no value", "a string", "action not an object", "Action.Submit", "no verb"],
)
async def test_a_click_that_cannot_be_read_answers_400_bad_request(
    bot: BotUnderTest, value: Any
) -> None:
    body = await error_of(bot, invoke("adaptiveCard/action", ALEX, bot.service_url, value=value))

    assert body["statusCode"] == HTTPStatus.BAD_REQUEST
    assert body["value"]["code"] == "BadRequest"


async def test_a_concern_that_is_not_yours_answers_400_bad_request(bot: BotUnderTest) -> None:
    data = {"reference": "ESC-2026-0042", "version": 1}

    body = await error_of(bot, card_action("viewThread", ALEX, bot.service_url, data=data))

    assert body["statusCode"] == HTTPStatus.BAD_REQUEST
    assert "ESC-2026-0042" in body["value"]["message"]


async def test_a_click_that_fails_inside_answers_500_with_the_apology(
    connector: tuple[FakeConnector, str], trusted_key: SigningKey, tmp_path: Any
) -> None:
    fake, service_url = connector
    # A database with no tables: reading the concern fails mid-turn.
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    client = await start_bot(authenticated_settings(empty, migrate_on_start=False))
    bot = BotUnderTest(client=client, connector=fake, service_url=service_url, key=trusted_key)
    data = {"reference": "ESC-2026-0001", "version": 1}
    try:
        body = await error_of(bot, card_action("viewThread", ALEX, service_url, data=data))
    finally:
        await client.close()

    assert body["statusCode"] == HTTPStatus.INTERNAL_SERVER_ERROR
    assert body["value"]["code"] == "InternalServerError"
    assert "Sorry, something went wrong" in body["value"]["message"]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("BadRequest", HTTPStatus.BAD_REQUEST),
        ("Forbidden", HTTPStatus.FORBIDDEN),
        ("NotFound", HTTPStatus.NOT_FOUND),
        ("InternalServerError", HTTPStatus.INTERNAL_SERVER_ERROR),
    ],
)
def test_an_error_answer_carries_the_status_of_its_code(code: Any, status: HTTPStatus) -> None:
    answer = error_invoke_response("A message.", code=code)

    assert answer.status == HTTPStatus.OK  # Teams reads the status inside the body
    assert answer.body.status_code == status
    assert answer.body.value == {"code": code, "message": "A message."}


def test_an_error_answer_is_an_internal_error_unless_it_says_otherwise() -> None:
    assert error_invoke_response("Sorry.").body.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
