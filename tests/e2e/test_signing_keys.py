"""Fetching Bot Framework signing keys happens on a worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot.signing_keys import REFRESH_AFTER, SigningKeys
from tests.support.bot_framework import SigningKey

SLOW_ANSWER = 0.4  # seconds the fake Microsoft endpoint takes to answer each request


class MetadataServer:
    """A slow OpenID metadata endpoint on its own thread and event loop, like a remote host."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.requests = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests += 1
        await asyncio.sleep(SLOW_ANSWER)
        return web.json_response({"jwks_uri": f"{self.url_root}/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests += 1
        await asyncio.sleep(SLOW_ANSWER)
        return web.json_response({"keys": [self.key.jwk(endorsements=["msteams"])]})

    @property
    def url_root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.url_root}/v1/.well-known/openidconfiguration"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/keys", self._keys)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> MetadataServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: Any) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def server() -> Iterator[MetadataServer]:
    with MetadataServer(SigningKey(kid="rotated-key")) as running:
        yield running
        JwtTokenExtractor.metadataCache.pop(running.metadata_url, None)


async def test_stale_keys_are_fetched_while_the_event_loop_keeps_running(
    server: MetadataServer,
) -> None:
    keys = SigningKeys([server.metadata_url])
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    await keys.refresh_if_stale()
    ticking.cancel()

    metadata = JwtTokenExtractor.get_open_id_metadata(server.metadata_url)
    assert [key["kid"] for key in metadata.keys] == ["rotated-key"]
    assert server.requests == 2
    # Two slow answers took about 0.8 s; a loop blocked by the fetch would not have ticked.
    assert ticks >= 40


async def test_fresh_keys_are_not_fetched_again(server: MetadataServer) -> None:
    keys = SigningKeys([server.metadata_url])
    await keys.refresh_if_stale()

    await keys.refresh_if_stale()

    assert server.requests == 2


async def test_keys_older_than_the_refresh_age_are_fetched_again(server: MetadataServer) -> None:
    keys = SigningKeys([server.metadata_url])
    await keys.refresh_if_stale()
    metadata = JwtTokenExtractor.get_open_id_metadata(server.metadata_url)
    metadata.last_updated = datetime.now() - REFRESH_AFTER - timedelta(minutes=1)  # noqa: DTZ005

    await keys.refresh_if_stale()

    assert server.requests == 4


async def test_concurrent_requests_fetch_the_keys_once(server: MetadataServer) -> None:
    keys = SigningKeys([server.metadata_url])

    await asyncio.gather(*(keys.refresh_if_stale() for _ in range(5)))

    assert server.requests == 2
