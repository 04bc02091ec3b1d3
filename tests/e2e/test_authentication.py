"""Inbound authentication over HTTP: junk is refused at once, keys are fetched without blocking.

The bot runs in this process with its real HTTP edge; Microsoft's metadata endpoint is a real
local HTTP server (`MetadataServer`) that counts what it is asked, or a port that accepts and
never answers (`Blackhole`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import jwt
import pytest

from tests.e2e.conftest import (
    BotUnderTest,
    authenticated_settings,
    running_bot,
    start_bot,
    wait_until_ready,
)
from tests.support.bot_framework import (
    TEST_APP_ID,
    Blackhole,
    MetadataServer,
    SigningKey,
)
from tests.support.fake_connector import FakeConnector
from tests.support.teams_activities import ALEX, personal_message

EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


def _b64(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _unsigned(claims: dict[str, Any]) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _claims(service_url: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": TEST_APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    claims.update(changes)
    return claims


JUNK: dict[str, Callable[[BotUnderTest], str]] = {
    "bearer with nothing": lambda bot: "Bearer ",
    "bearer garbage": lambda bot: "Bearer garbage",
    "three dots of garbage": lambda bot: "Bearer a.b.c",
    "basic credentials": lambda bot: "Basic dXNlcjpwYXNz",
    "alg none": lambda bot: "Bearer " + _unsigned(_claims(bot.service_url)),
    "hs256 signed with the app id": lambda bot: (
        "Bearer "
        + jwt.encode(
            _claims(bot.service_url), "a-shared-secret-of-32-bytes-long!", algorithm="HS256"
        )
    ),
    "emulator issuer": lambda bot: (
        "Bearer " + bot.key.token(service_url=bot.service_url, issuer=EMULATOR_ISSUER)
    ),
    "token too long": lambda bot: "Bearer " + "a" * 7_000,
    "rs256 without a key id": lambda bot: (
        "Bearer " + jwt.encode(_claims(bot.service_url), bot.key.private_key, algorithm="RS256")
    ),
}


@pytest.fixture
async def ready_bot(bot: BotUnderTest) -> BotUnderTest:
    """The bot once it holds the signing keys (fetched in the background at start-up)."""
    await wait_until_ready(bot)
    return bot


@pytest.mark.parametrize("case", sorted(JUNK))
async def test_junk_authorization_gets_401_at_once_without_fetching_keys(
    ready_bot: BotUnderTest, metadata_server: MetadataServer, case: str
) -> None:
    fetched_before = metadata_server.requests
    started = time.monotonic()

    response = await ready_bot.post(
        personal_message("help", ALEX, ready_bot.service_url),
        headers={"Authorization": JUNK[case](ready_bot)},
    )

    assert response.status == 401
    assert time.monotonic() - started < 1.0
    assert metadata_server.requests == fetched_before
    assert ready_bot.connector.sent == []


async def test_unknown_key_ids_fetch_the_keys_at_most_once_in_five_minutes(
    ready_bot: BotUnderTest, metadata_server: MetadataServer
) -> None:
    fetched_before = metadata_server.requests

    for number in range(10):
        token = ready_bot.key.token(service_url=ready_bot.service_url, kid=f"unknown-{number}")
        response = await ready_bot.post(
            personal_message("help", ALEX, ready_bot.service_url),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 401

    # The keys were fetched moments ago, at start-up: no unknown key id is worth a new fetch.
    assert metadata_server.requests == fetched_before


async def test_a_valid_token_is_accepted_once_keys_are_held(ready_bot: BotUnderTest) -> None:
    response = await ready_bot.post(personal_message("help", ALEX, ready_bot.service_url))

    assert response.status == 200


async def test_a_key_endorsed_only_for_teams_does_not_authenticate_another_channel(
    ready_bot: BotUnderTest,
) -> None:
    activity = personal_message("help", ALEX, ready_bot.service_url)
    activity["channelId"] = "webchat"

    response = await ready_bot.post(activity)

    assert response.status == 401
    assert ready_bot.connector.sent == []


async def test_a_key_endorsed_for_another_channel_still_refuses_that_channel(
    database_url: str,
    connector: tuple[FakeConnector, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = SigningKey(kid="webchat-key")
    fake, service_url = connector
    with MetadataServer(key, endorsements=("msteams", "webchat")) as server:
        monkeypatch.setenv("BOT_OPENID_METADATA_URL", server.metadata_url)
        client = await start_bot(authenticated_settings(database_url))
        bot = BotUnderTest(client=client, connector=fake, service_url=service_url, key=key)
        try:
            await wait_until_ready(bot)
            activity = personal_message("help", ALEX, service_url)
            activity["channelId"] = "webchat"
            response = await bot.post(activity)
            body = await response.json()
        finally:
            await client.close()

    assert response.status == 403
    assert body["detail"] == "This bot works in Microsoft Teams only."
    assert fake.sent == []


@pytest.fixture
def blackhole(monkeypatch: pytest.MonkeyPatch) -> Iterator[Blackhole]:
    with Blackhole() as hole:
        monkeypatch.setenv("BOT_OPENID_METADATA_URL", hole.url)
        yield hole


@pytest.fixture
async def stranded_bot(
    database_url: str,
    connector: tuple[FakeConnector, str],
    signing_key: SigningKey,
    blackhole: Blackhole,
) -> AsyncIterator[BotUnderTest]:
    """A bot whose sign-in hosts accept connections and never answer."""
    async with running_bot(authenticated_settings(database_url), connector, signing_key) as up:
        yield up


async def test_while_the_sign_in_hosts_hang_requests_get_503_within_five_seconds(
    stranded_bot: BotUnderTest,
) -> None:
    started = time.monotonic()

    responses = await asyncio.gather(
        *(
            stranded_bot.post(personal_message("help", ALEX, stranded_bot.service_url))
            for _ in range(5)
        )
    )

    assert time.monotonic() - started < 5.5
    assert [response.status for response in responses] == [503] * 5
    assert all(response.headers["Retry-After"] for response in responses)
    assert stranded_bot.connector.sent == []


async def test_healthz_says_not_ready_and_why_while_no_signing_key_is_held(
    stranded_bot: BotUnderTest,
) -> None:
    started = time.monotonic()

    response = await stranded_bot.client.get("/healthz")

    assert time.monotonic() - started < 1.0
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert "signing keys" in body["signing_keys"]


async def test_healthz_keeps_answering_while_a_request_waits_for_keys(
    stranded_bot: BotUnderTest,
) -> None:
    waiting = asyncio.create_task(
        stranded_bot.post(personal_message("help", ALEX, stranded_bot.service_url))
    )
    await asyncio.sleep(0.2)

    started = time.monotonic()
    health = await stranded_bot.client.get("/healthz")
    answered_in = time.monotonic() - started

    assert answered_in < 1.0
    assert health.status == 503
    assert (await waiting).status == 503


async def test_junk_while_the_sign_in_hosts_hang_is_still_refused_at_once(
    stranded_bot: BotUnderTest,
) -> None:
    started = time.monotonic()

    response = await stranded_bot.post(
        personal_message("help", ALEX, stranded_bot.service_url),
        headers={"Authorization": "Bearer garbage"},
    )

    assert response.status == 401
    assert time.monotonic() - started < 1.0
