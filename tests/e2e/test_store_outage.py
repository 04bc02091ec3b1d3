"""The bot over HTTP while its database hangs, is not migrated, goes away mid-turn or comes back.

GET /healthz answers within 2 s whatever the database does. A turn is refused with 503 and
Retry-After, before anything is done, while the database is known to be down, so the channel may
deliver it again; a turn cut off by the database after it did something answers 200 and tells
the user it cannot tell whether that was saved. Client timeouts keep a regression from hanging
the test for the driver's 60 s default.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import TurnContext
from sqlalchemy import text

import app as app_module
from app import create_app
from bot.handler import ResolveTogetherBot
from settings import Settings
from storage.db import Database, StoreUnavailable
from tests.e2e.conftest import (
    MONDAY_MORNING,
    BotUnderTest,
    authenticated_settings,
    running_bot,
    wait_until_ready,
)
from tests.support.bot_framework import Blackhole, OfflineCredentialsFactory, SigningKey
from tests.support.card_schema import card_texts
from tests.support.fake_connector import FakeConnector
from tests.support.outages import HangingProxy, blackhole_database_url
from tests.support.teams_activities import ALEX, SAM, card_action, personal_message

CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=20)
UNCERTAIN = "cannot tell whether that was saved"


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as hole:
        yield hole


@pytest.fixture
async def hung_bot(
    blackhole: Blackhole, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> AsyncIterator[BotUnderTest]:
    """A bot whose PostgreSQL server accepts connections and never answers."""
    settings = authenticated_settings(blackhole_database_url(blackhole), migrate_on_start=False)
    async with running_bot(settings, connector, trusted_key) as up:
        yield up


async def _health(bot: BotUnderTest) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    response = await bot.client.get("/healthz", timeout=CLIENT_TIMEOUT)
    return response.status, await response.json(), time.monotonic() - started


async def _timed_post(bot: BotUnderTest, activity: dict[str, Any]) -> tuple[Any, float]:
    started = time.monotonic()
    response = await bot.client.post(
        "/api/messages", json=activity, headers=bot.auth(), timeout=CLIENT_TIMEOUT
    )
    return response, time.monotonic() - started


async def _settle() -> None:
    """Time for a reply the bot should not have sent to reach the fake connector anyway."""
    await asyncio.sleep(0.3)


# --- A database that never answers ---------------------------------------------------------------


async def test_healthz_answers_503_within_2_seconds_when_the_database_never_answers(
    hung_bot: BotUnderTest,
) -> None:
    status, body, answered_in = await _health(hung_bot)
    again_status, again_body, again_in = await _health(hung_bot)

    assert answered_in < 2.5
    assert again_in < 2.5
    assert status == again_status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == again_body["database"] == "unreachable"
    assert set(body) == {"status", "database", "signing_keys"}


ACTIVITIES: dict[str, Callable[[str], dict[str, Any]]] = {
    "message": lambda service_url: personal_message("help", ALEX, service_url),
    "card click": lambda service_url: card_action("showHelp", ALEX, service_url),
}


@pytest.mark.parametrize("kind", sorted(ACTIVITIES))
async def test_a_turn_while_the_database_never_answers_gets_503_at_once_and_sends_nothing(
    hung_bot: BotUnderTest, kind: str
) -> None:
    activity = ACTIVITIES[kind](hung_bot.service_url)

    first, first_in = await _timed_post(hung_bot, activity)
    second, second_in = await _timed_post(hung_bot, activity)
    await _settle()

    assert first_in < 2.5
    assert second_in < 0.5  # known down: refused without asking the database again
    for response in (first, second):
        assert response.status == 503
        assert int(response.headers["Retry-After"]) > 0
        assert (await response.json())["error"] == "Service Unavailable"
    assert hung_bot.connector.sent == []


# --- A database that is not migrated -------------------------------------------------------------


async def test_healthz_says_not_migrated_until_the_database_is_migrated(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    settings = authenticated_settings(database_url, migrate_on_start=False)
    async with running_bot(settings, connector, trusted_key) as bot:
        before_status, before, _ = await _health(bot)

        database = Database(database_url)
        try:
            await database.migrate_to_head()
        finally:
            await database.dispose()
        await wait_until_ready(bot)
        after_status, after, _ = await _health(bot)

    assert before_status == 503
    assert before["database"] == "not migrated"
    assert before["status"] == "unavailable"
    assert after_status == 200
    assert after == {"status": "ok", "database": "ok", "signing_keys": "ok"}


# --- A database that stops answering, then comes back (PostgreSQL behind a proxy) ----------------


@pytest.fixture
async def proxy(postgres_database_url: str) -> AsyncIterator[HangingProxy]:
    async with HangingProxy(postgres_database_url) as running:
        yield running


@pytest.fixture
def short_statement_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's database gives up on a silent server after 1.5 s instead of 11 s."""
    monkeypatch.setattr(app_module, "Database", functools.partial(Database, statement_timeout=0.5))


@pytest.mark.postgres
@pytest.mark.usefixtures("short_statement_timeout")
async def test_a_turn_cut_off_by_the_database_before_it_did_anything_answers_503(
    proxy: HangingProxy, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    async with running_bot(authenticated_settings(proxy.url), connector, trusted_key) as bot:
        await wait_until_ready(bot)
        fine, _ = await _timed_post(bot, personal_message("help", ALEX, bot.service_url))
        replies = len(await bot.connector.wait_for(1))

        proxy.hang()
        try:
            # The database was fine a moment ago, so the turn starts and finds out itself.
            cut_off, cut_off_in = await _timed_post(
                bot, personal_message("help", SAM, bot.service_url)
            )
            await _settle()
        finally:
            proxy.resume()

    assert fine.status == 200
    assert cut_off.status == 503
    assert cut_off.headers["Retry-After"]
    assert cut_off_in < 5.0
    assert len(bot.connector.sent) == replies  # no apology, no welcome: nothing was done


@pytest.mark.postgres
async def test_a_database_that_comes_back_is_used_again(
    proxy: HangingProxy, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    async with running_bot(authenticated_settings(proxy.url), connector, trusted_key) as bot:
        await wait_until_ready(bot)

        proxy.hang()
        try:
            down_status, down, down_in = await _health(bot)
            refused, refused_in = await _timed_post(
                bot, personal_message("help", ALEX, bot.service_url)
            )
        finally:
            proxy.resume()
        came_back = time.monotonic()
        await wait_until_ready(bot, within=10.0)
        ready_in = time.monotonic() - came_back
        served, _ = await _timed_post(bot, personal_message("help", ALEX, bot.service_url))
        [reply] = await bot.connector.wait_for(1)

    assert (down_status, down["database"]) == (503, "unreachable")
    assert down_in < 2.5
    assert refused.status == 503
    assert refused_in < 0.5
    assert ready_in < 3.0
    assert served.status == 200
    assert "Hello Alex" in card_texts(reply.cards[0])


# --- A turn that loses its database after doing something ----------------------------------------


class _TurnThatLosesItsDatabase:
    """Stands in for the bot: does `before` then finds the database gone."""

    def __init__(self, database: Database, before: str) -> None:
        self._database = database
        self._before = before

    async def on_turn(self, context: TurnContext) -> None:
        if self._before == "reply":
            await context.send_activity("Noted.")
        elif self._before == "write":
            async with self._database.session() as session:
                await session.execute(
                    text(
                        "INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 1)"
                    )
                )
        raise StoreUnavailable("the database stopped answering")


def _losing_bot_factory(before: str) -> Callable[..., ResolveTogetherBot]:
    def factory(
        _settings: Settings, database: Database, *, clock: Callable[[], datetime]
    ) -> ResolveTogetherBot:
        return cast(ResolveTogetherBot, _TurnThatLosesItsDatabase(database, before))

    return factory


@asynccontextmanager
async def _bot_that_loses_its_database(
    database_url: str, before: str, connector: tuple[FakeConnector, str], key: SigningKey
) -> AsyncIterator[BotUnderTest]:
    fake, service_url = connector
    application = create_app(
        authenticated_settings(database_url),
        credentials_factory=OfflineCredentialsFactory(),
        clock=lambda: MONDAY_MORNING,
        bot_factory=_losing_bot_factory(before),
    )
    client: TestClient[Any, Any] = TestClient(TestServer(application))
    await client.start_server()
    try:
        yield BotUnderTest(client=client, connector=fake, service_url=service_url, key=key)
    finally:
        await client.close()


async def test_a_turn_that_loses_the_database_before_doing_anything_answers_503(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> None:
    async with _bot_that_loses_its_database(database_url, "nothing", connector, trusted_key) as bot:
        response, _ = await _timed_post(bot, personal_message("help", ALEX, bot.service_url))
        await _settle()

    assert response.status == 503
    assert response.headers["Retry-After"]
    assert bot.connector.sent == []


@pytest.mark.parametrize("before", ["reply", "write"])
async def test_a_turn_that_loses_the_database_after_doing_something_says_it_may_be_saved(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey, before: str
) -> None:
    async with _bot_that_loses_its_database(database_url, before, connector, trusted_key) as bot:
        response, _ = await _timed_post(bot, personal_message("help", ALEX, bot.service_url))
        sent = await bot.connector.wait_for(2 if before == "reply" else 1)

    assert response.status == 200
    apology = sent[-1].text
    assert UNCERTAIN in apology
    assert "not saved" not in apology
    assert apology.rsplit("reference: ", 1)[1].startswith("ERR-")
