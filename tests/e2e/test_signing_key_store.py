"""SigningKeyStore against real local HTTP endpoints: fetched once, throttled, never an outage by
accident, and bounded in time whatever the sign-in host does."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.inbound_auth import AuthenticationUnavailableError, SigningKeyStore
from tests.support.bot_framework import Blackhole, MetadataServer, SigningKey


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def first_key() -> SigningKey:
    return SigningKey(kid="first")


@pytest.fixture
def server(first_key: SigningKey) -> Iterator[MetadataServer]:
    with MetadataServer(first_key) as running:
        yield running


@pytest.fixture
async def store(server: MetadataServer, clock: Clock) -> AsyncIterator[SigningKeyStore]:
    keys = SigningKeyStore(server.metadata_url, clock=clock, wait_limit=1.0, fetch_timeout=1.5)
    await keys.start()
    try:
        yield keys
    finally:
        await keys.close()


async def test_concurrent_requests_share_one_fetch(store: SigningKeyStore) -> None:
    found = await asyncio.gather(*(store.key_for("first") for _ in range(20)))

    assert all(key is not None and key.key_id == "first" for key in found)
    assert store.fetches == 1
    assert store.status().ready


async def test_an_unknown_key_id_is_looked_for_again_only_after_five_minutes(
    store: SigningKeyStore, server: MetadataServer, clock: Clock
) -> None:
    await store.key_for("first")
    server.keys.append(SigningKey(kid="rotated"))

    assert await store.key_for("rotated") is None  # the keys are fresh: no new fetch
    assert store.fetches == 1

    clock.now += 5 * 60
    rotated = await store.key_for("rotated")

    assert rotated is not None
    assert store.fetches == 2


async def test_a_slow_refresh_with_usable_keys_cached_is_not_an_outage(
    store: SigningKeyStore, server: MetadataServer, clock: Clock
) -> None:
    await store.key_for("first")
    server.hang = True
    clock.now += 5 * 60

    started = time.monotonic()
    unknown = await store.key_for("unknown")  # starts a refresh that hangs, waits at most 1 s
    known = await store.key_for("first")
    known_in = time.monotonic() - started

    assert unknown is None
    assert known is not None
    assert known_in < 1.5
    assert store.status().ready


async def test_keys_older_than_a_day_are_not_used(
    store: SigningKeyStore, server: MetadataServer, clock: Clock
) -> None:
    await store.key_for("first")
    server.hang = True
    clock.now += 24 * 60 * 60

    started = time.monotonic()
    with pytest.raises(AuthenticationUnavailableError):
        await store.key_for("first")

    assert time.monotonic() - started < 1.5
    assert not store.status().ready
    assert "out of date" in store.status().detail


def _refusing_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration"  # nobody listens now


async def test_while_the_host_refuses_requests_do_not_each_cause_a_fetch() -> None:
    keys = SigningKeyStore(_refusing_url())
    await keys.start()
    try:
        for _ in range(50):
            with pytest.raises(AuthenticationUnavailableError):
                await keys.key_for("any")
        status = keys.status()
    finally:
        await keys.close()

    assert keys.fetches <= 2  # the start-up fetch, and at most one retry on demand
    assert "could not be fetched" in status.detail


async def test_closing_cancels_a_fetch_that_hangs() -> None:
    with Blackhole() as hole:
        keys = SigningKeyStore(hole.url, fetch_timeout=30.0, wait_limit=30.0)
        await keys.start()
        await asyncio.sleep(0.2)
        waiting = asyncio.create_task(keys.key_for("any"))
        await asyncio.sleep(0.1)

        started = time.monotonic()
        await keys.close()
        closed_in = time.monotonic() - started
        waiting.cancel()

    assert hole.connections >= 1
    assert closed_in < 1.0


async def test_a_key_set_without_a_usable_key_is_a_failure_with_its_reason() -> None:
    with MetadataServer() as empty:
        keys = SigningKeyStore(empty.metadata_url)
        try:
            with pytest.raises(AuthenticationUnavailableError):
                await keys.key_for("any")
            status = keys.status()
        finally:
            await keys.close()

    assert not status.ready
    assert "no usable RSA key" in status.detail


def test_keys_are_fetched_over_https_only_but_on_this_machine() -> None:
    with pytest.raises(ValueError, match="https"):
        SigningKeyStore("http://login.example/v1/.well-known/openidconfiguration")
    SigningKeyStore("https://login.example/v1/.well-known/openidconfiguration")
