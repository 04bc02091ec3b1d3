"""End-to-end fixtures: the real aiohttp app, a fake Bot Connector, and offline token signing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from settings import Settings
from tests.support.bot_framework import (
    TEST_APP_ID,
    TEST_APP_PASSWORD,
    TEST_TENANT_ID,
    MetadataServer,
    OfflineCredentialsFactory,
    SigningKey,
)
from tests.support.fake_connector import FakeConnector, start_fake_connector


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey(kid="test-signing-key")


@pytest.fixture(scope="session")
def metadata_server(signing_key: SigningKey) -> Iterator[MetadataServer]:
    """Microsoft's signing-key endpoints, faked once for the session."""
    with MetadataServer(signing_key) as server:
        yield server


@pytest.fixture
def trusted_key(
    signing_key: SigningKey, metadata_server: MetadataServer, monkeypatch: pytest.MonkeyPatch
) -> SigningKey:
    """`signing_key`, published where every bot started in this test fetches its keys."""
    monkeypatch.setenv("BOT_OPENID_METADATA_URL", metadata_server.metadata_url)
    return signing_key


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    fake, server = await start_fake_connector()
    try:
        yield fake, str(server.make_url("/"))
    finally:
        await server.close()


def authenticated_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "microsoft_app_id": TEST_APP_ID,
        "microsoft_app_password": TEST_APP_PASSWORD,
        "microsoft_app_tenant_id": TEST_TENANT_ID,
        "database_url": database_url,
        "local_mode": False,
        "migrate_on_start": True,
        "allowed_tenant_ids": frozenset(),
    }
    values.update(overrides)
    return Settings(**{"_env_file": None, **values})


def local_settings(database_url: str) -> Settings:
    """Local mode, as for the Agents Playground: no app id, no authentication."""
    values: dict[str, Any] = {
        "_env_file": None,
        "local_mode": True,
        "database_url": database_url,
        "migrate_on_start": True,
    }
    return Settings(**values)


@dataclass
class BotUnderTest:
    """The running app, its fake connector, and how to sign requests to it."""

    client: TestClient[Any, Any]
    connector: FakeConnector
    service_url: str
    key: SigningKey

    def auth(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.key.token(service_url=self.service_url)}

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return await self.client.post(
            "/api/messages", json=activity, headers=self.auth() if headers is None else headers
        )


# Monday 23 November 2026, 10:00 in London: tests do not depend on the day they run.
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def start_bot(settings: Settings) -> TestClient[Any, Any]:
    """The app on a local port; with an app id, replies are signed without asking Entra ID."""
    factory = OfflineCredentialsFactory() if settings.authentication_enabled else None
    app = create_app(settings, credentials_factory=factory, clock=lambda: MONDAY_MORNING)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return client


@asynccontextmanager
async def running_bot(
    settings: Settings, connector: tuple[FakeConnector, str], key: SigningKey
) -> AsyncIterator[BotUnderTest]:
    """The app started with `settings`, replying to `connector`, closed afterwards."""
    fake, service_url = connector
    client = await start_bot(settings)
    try:
        yield BotUnderTest(client=client, connector=fake, service_url=service_url, key=key)
    finally:
        await client.close()


@pytest.fixture
async def bot(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> AsyncIterator[BotUnderTest]:
    async with running_bot(authenticated_settings(database_url), connector, trusted_key) as up:
        yield up


async def wait_until_ready(bot: BotUnderTest, within: float = 5.0) -> None:
    """Until /healthz answers 200: the signing keys are fetched in the background at start-up."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = await bot.client.get("/healthz")
        if response.status == 200:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never became ready")
