"""The bot over HTTP with Teams-shaped activities, real tokens and a fake Bot Connector."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from storage.db import Database
from storage.repositories import ConversationReferenceRepository
from tests.e2e.conftest import (
    BotUnderTest,
    authenticated_settings,
    local_settings,
    start_bot,
    wait_until_ready,
)
from tests.support.bot_framework import OUTBOUND_TOKEN, TEST_TENANT_ID, SigningKey
from tests.support.card_schema import card_texts
from tests.support.fake_connector import FakeConnector
from tests.support.teams_activities import (
    ALEX,
    SAM,
    card_action,
    personal_conversation_id,
    personal_install,
    personal_message,
)

WELCOME_TITLE = "Resolving professional differences together"


async def test_install_sends_the_welcome_card_and_remembers_the_conversation(
    bot: BotUnderTest, database_url: str
) -> None:
    response = await bot.post(personal_install(ALEX, bot.service_url))

    assert response.status == 200
    [sent] = await bot.connector.wait_for(1)
    assert sent.conversation_id == personal_conversation_id(ALEX)
    assert sent.authorization == f"Bearer {OUTBOUND_TOKEN}"
    [card] = sent.cards
    assert WELCOME_TITLE in card_texts(card)
    assert "immediate risk of significant harm" in card_texts(card)

    database = Database(database_url)
    try:
        async with database.session() as session:
            stored = await ConversationReferenceRepository(session).for_user(ALEX.aad_object_id)
    finally:
        await database.dispose()
    assert stored is not None
    assert stored.tenant_id == TEST_TENANT_ID
    assert stored.service_url == bot.service_url
    assert stored.conversation_id == personal_conversation_id(ALEX)


async def test_first_message_gets_the_welcome_and_help_gets_it_again(bot: BotUnderTest) -> None:
    first = await bot.post(personal_message("hello", SAM, bot.service_url))
    assert first.status == 200
    [welcome] = await bot.connector.wait_for(1)
    assert "Hello Sam" in card_texts(welcome.cards[0])

    again = await bot.post(personal_message("help", SAM, bot.service_url))
    assert again.status == 200
    sent = await bot.connector.wait_for(2)
    assert len(sent) == 2
    assert WELCOME_TITLE in card_texts(sent[1].cards[0])


async def test_unknown_text_gets_a_kind_pointer_to_help(bot: BotUnderTest) -> None:
    await bot.post(personal_install(ALEX, bot.service_url))
    await bot.connector.wait_for(1)

    await bot.post(personal_message("what is the weather", ALEX, bot.service_url))

    sent = await bot.connector.wait_for(2)
    assert "did not recognise" in sent[1].text
    assert "help" in sent[1].text


async def test_card_click_answers_200_with_the_updated_card(bot: BotUnderTest) -> None:
    response = await bot.post(card_action("showHelp", ALEX, bot.service_url))

    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard"
    assert WELCOME_TITLE in card_texts(body["value"])
    assert bot.connector.sent == []  # the card is updated in place, not sent as a new message


async def test_click_on_an_unknown_verb_answers_with_a_message_not_a_failure(
    bot: BotUnderTest,
) -> None:
    response = await bot.post(card_action("noSuchVerb", ALEX, bot.service_url))

    assert response.status == 200
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.error"
    assert "older version" in body["value"]["message"]


def _forged_token(bot: BotUnderTest) -> str:
    impostor = SigningKey(kid=bot.key.kid)  # same key id, different private key
    return impostor.token(service_url=bot.service_url)


BAD_AUTHORIZATIONS: dict[str, Callable[[BotUnderTest], dict[str, str]]] = {
    "missing": lambda bot: {},
    "not a bearer token": lambda bot: {"Authorization": "Basic dXNlcjpwYXNz"},
    "garbage token": lambda bot: {"Authorization": "Bearer not.a.jwt"},
    "forged signature": lambda bot: {"Authorization": "Bearer " + _forged_token(bot)},
    "expired": lambda bot: {
        "Authorization": "Bearer " + bot.key.token(service_url=bot.service_url, expires_in=-3600)
    },
    "unknown signing key": lambda bot: {
        "Authorization": "Bearer " + bot.key.token(service_url=bot.service_url, kid="unknown")
    },
    "another bot's audience": lambda bot: {
        "Authorization": "Bearer "
        + bot.key.token(service_url=bot.service_url, audience="some-other-bot")
    },
    "service url not in the token": lambda bot: {
        "Authorization": "Bearer " + bot.key.token(service_url="https://elsewhere.example/")
    },
}


@pytest.mark.parametrize("case", sorted(BAD_AUTHORIZATIONS))
async def test_unauthenticated_requests_get_401_and_change_nothing(
    bot: BotUnderTest, case: str
) -> None:
    headers = BAD_AUTHORIZATIONS[case](bot)

    response = await bot.post(personal_message("help", ALEX, bot.service_url), headers=headers)

    assert response.status == 401
    assert bot.connector.sent == []


async def test_a_tenant_that_is_not_allowed_gets_403(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    fake, service_url = connector
    client = await start_bot(
        authenticated_settings(database_url, allowed_tenant_ids=frozenset({TEST_TENANT_ID}))
    )
    bot = BotUnderTest(client=client, connector=fake, service_url=service_url, key=trusted_key)
    try:
        refused = await bot.post(
            personal_message("help", ALEX, service_url, tenant_id="99999999-other-tenant")
        )
        allowed = await bot.post(personal_message("help", ALEX, service_url))
    finally:
        await client.close()

    assert refused.status == 403
    assert allowed.status == 200
    sent = await fake.wait_for(1)
    assert all(item.conversation_id == personal_conversation_id(ALEX) for item in sent)


def _activity_without(bot: BotUnderTest, key: str) -> bytes:
    activity = personal_message("help", ALEX, bot.service_url)
    del activity[key]
    return json.dumps(activity).encode()


def _activity_with(bot: BotUnderTest, **changes: Any) -> bytes:
    return json.dumps({**personal_message("help", ALEX, bot.service_url), **changes}).encode()


MALFORMED: dict[str, tuple[Callable[[BotUnderTest], bytes], str, int]] = {
    "invalid json": (lambda bot: b"{not json", "application/json", 400),
    "json array": (lambda bot: b"[1, 2, 3]", "application/json", 400),
    "no type": (lambda bot: b'{"text": "no type"}', "application/json", 400),
    "no service url": (
        lambda bot: b'{"type": "message", "conversation": {"id": "x"}}',
        "application/json",
        400,
    ),
    "not json": (lambda bot: b'{"type": "message"}', "text/plain", 415),
    "not utf-8": (lambda bot: b'{"type": "\xff\xfe"}', "application/json", 400),
    "nested 2000 deep": (lambda bot: b"[" * 2000 + b"]" * 2000, "application/json", 400),
    "nested 2000 deep in a value": (
        lambda bot: _activity_with(bot, value=json.loads("[" * 900 + "]" * 900)),
        "application/json",
        400,
    ),
    "no sender": (lambda bot: _activity_without(bot, "from"), "application/json", 400),
    "sender without id": (
        lambda bot: _activity_with(bot, **{"from": {"name": "Alex"}}),
        "application/json",
        400,
    ),
    "http service url": (
        lambda bot: _activity_with(bot, serviceUrl="http://smba.example.net/uk/"),
        "application/json",
        400,
    ),
    "service url not a url": (
        lambda bot: _activity_with(bot, serviceUrl="javascript:alert(1)"),
        "application/json",
        400,
    ),
    "service url with credentials": (
        lambda bot: _activity_with(bot, serviceUrl="https://user:pw@smba.example.net/"),
        "application/json",
        400,
    ),
    "service url not a string": (
        lambda bot: _activity_with(bot, serviceUrl=["https://smba.example.net/"]),
        "application/json",
        400,
    ),
    "no conversation id": (
        lambda bot: _activity_with(bot, conversation={"conversationType": "personal"}),
        "application/json",
        400,
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_malformed_requests_get_4xx(bot: BotUnderTest, case: str) -> None:
    body, content_type, status = MALFORMED[case]
    headers = {**bot.auth(), "Content-Type": content_type}

    response = await bot.client.post("/api/messages", data=body(bot), headers=headers)

    assert response.status == status
    assert (await response.json())["error"]
    assert bot.connector.sent == []


async def test_a_body_over_256_kb_gets_413(bot: BotUnderTest) -> None:
    activity = personal_message("x" * 300_000, ALEX, bot.service_url)

    response = await bot.post(activity)

    assert response.status == 413


async def test_local_mode_replies_only_to_a_service_url_on_this_machine(
    database_url: str, connector: tuple[FakeConnector, str]
) -> None:
    _fake, service_url = connector
    client = await start_bot(local_settings(database_url))
    try:
        elsewhere = await client.post(
            "/api/messages", json=personal_install(ALEX, "https://attacker.example/")
        )
        here = await client.post("/api/messages", json=personal_install(ALEX, service_url))
    finally:
        await client.close()

    assert elsewhere.status == 400
    assert here.status == 200


async def test_local_mode_ignores_an_authorization_header_instead_of_checking_it(
    database_url: str, connector: tuple[FakeConnector, str], signing_key: SigningKey
) -> None:
    """The SDK's own check would fetch the emulator's keys on the event loop; nothing checks."""
    _fake, service_url = connector
    emulator_token = signing_key.token(
        service_url=service_url,
        issuer="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
    )
    client = await start_bot(local_settings(database_url))
    try:
        response = await client.post(
            "/api/messages",
            json=personal_install(ALEX, service_url),
            headers={"Authorization": f"Bearer {emulator_token}"},
        )
    finally:
        await client.close()

    assert response.status == 200


async def test_healthz_answers_ok_when_the_database_answers(bot: BotUnderTest) -> None:
    await wait_until_ready(bot)
    response = await bot.client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok", "signing_keys": "ok"}


async def test_healthz_answers_503_when_the_database_is_unreachable(
    connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    client = await start_bot(authenticated_settings(unreachable, migrate_on_start=False))
    try:
        response = await client.get("/healthz")
        body = await response.json()
    finally:
        await client.close()

    assert response.status == 503
    assert body["database"] == "unreachable"


async def test_a_failing_turn_apologises_with_a_reference_and_never_logs_the_text(
    connector: tuple[FakeConnector, str],
    trusted_key: SigningKey,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, service_url = connector
    # A database with no tables: storing the conversation reference fails mid-turn.
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    client = await start_bot(authenticated_settings(empty, migrate_on_start=False))
    bot = BotUnderTest(client=client, connector=fake, service_url=service_url, key=trusted_key)
    secret_text = "Jamie Smith date of birth 01/02/2019"
    try:
        with caplog.at_level(logging.DEBUG):
            response = await bot.post(personal_message(secret_text, ALEX, service_url))
    finally:
        await client.close()

    assert response.status == 200
    [apology] = await fake.wait_for(1)
    assert "Sorry, something went wrong" in apology.text
    reference = apology.text.rsplit("reference: ", 1)[1].rstrip(".")
    assert reference.startswith("ERR-")
    assert reference in caplog.text
    assert "Jamie" not in caplog.text
    assert "01/02/2019" not in caplog.text


async def test_local_mode_accepts_unauthenticated_requests_for_the_agents_playground(
    database_url: str, connector: tuple[FakeConnector, str]
) -> None:
    fake, service_url = connector
    settings = local_settings(database_url)
    client = await start_bot(settings)
    try:
        response = await client.post("/api/messages", json=personal_install(ALEX, service_url))
    finally:
        await client.close()

    assert response.status == 200
    [sent] = await fake.wait_for(1)
    assert sent.authorization is None
    assert WELCOME_TITLE in card_texts(sent.cards[0])
