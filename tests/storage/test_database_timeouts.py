"""Bounded waits: a database that never answers, stops answering, is slow or comes back.

A `Blackhole` port stands for a PostgreSQL server that accepts connections and never answers; a
`HangingProxy` in front of the real test server (TEST_DATABASE_URL) stands for one that stops
answering part way and later comes back. Every wait is guarded by a generous `asyncio.timeout`
so that a regression fails in seconds instead of hanging for the driver's 60 s default.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from storage.db import (
    CONNECT_TIMEOUT_SECONDS,
    Database,
    StoreHealth,
    StoreState,
    StoreUnavailable,
    recording_writes,
)
from tests.support.bot_framework import Blackhole
from tests.support.databases import sqlite_url
from tests.support.outages import HangingProxy, blackhole_database_url

GUARD_SECONDS = 15.0


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as hole:
        yield hole


@pytest.fixture
async def proxy(postgres_database_url: str) -> AsyncIterator[HangingProxy]:
    async with HangingProxy(postgres_database_url) as running:
        yield running


async def _select_one(database: Database) -> None:
    async with database.session(read_only=True) as session:
        await session.execute(text("SELECT 1"))


async def _hold_connections(hole: Blackhole) -> int:
    await asyncio.sleep(0.1)  # the blackhole counts on a thread of its own
    return hole.connections


async def _until_available(database: Database, attempts: int = 100) -> bool:
    for _ in range(attempts):
        if await database.is_available(wait=0.3):
            return True
        await asyncio.sleep(0.05)
    return False


# --- A database that never answers --------------------------------------------------------------


async def test_a_session_gives_up_within_the_connect_timeout(blackhole: Blackhole) -> None:
    database = Database(blackhole_database_url(blackhole))
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable) as raised:
            async with asyncio.timeout(GUARD_SECONDS):
                await _select_one(database)
    finally:
        await database.dispose()

    assert time.monotonic() - started < CONNECT_TIMEOUT_SECONDS + 1.5
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert database.health.state is StoreState.DOWN


async def test_the_connect_timeout_can_be_shortened(blackhole: Blackhole) -> None:
    database = Database(blackhole_database_url(blackhole), connect_timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable):
            async with asyncio.timeout(GUARD_SECONDS):
                await _select_one(database)
    finally:
        await database.dispose()

    assert time.monotonic() - started < 1.3


async def test_ping_gives_up_within_its_limit_and_concurrent_pings_share_one_attempt(
    blackhole: Blackhole,
) -> None:
    database = Database(blackhole_database_url(blackhole))
    started = time.monotonic()
    try:
        async with asyncio.timeout(GUARD_SECONDS):
            outcomes = await asyncio.gather(
                *(database.ping(within=0.5) for _ in range(5)), return_exceptions=True
            )
        answered_in = time.monotonic() - started
        connections = await _hold_connections(blackhole)
    finally:
        await database.dispose()

    assert answered_in < 1.0
    assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes)
    assert connections == 1


async def test_schema_check_gives_up_within_its_limit(blackhole: Blackhole) -> None:
    database = Database(blackhole_database_url(blackhole))
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable):
            async with asyncio.timeout(GUARD_SECONDS):
                await database.schema_is_current(within=0.5)
    finally:
        await database.dispose()

    assert time.monotonic() - started < 1.0


async def test_a_recent_failure_is_answered_at_once_without_asking_again(
    blackhole: Blackhole,
) -> None:
    database = Database(blackhole_database_url(blackhole), health=StoreHealth(recheck_after=60.0))
    try:
        async with asyncio.timeout(GUARD_SECONDS):
            first = await database.is_available(wait=0.5)
            connections = await _hold_connections(blackhole)
            started = time.monotonic()
            again = [await database.is_available(wait=0.5) for _ in range(20)]
            answered_in = time.monotonic() - started
        connections_after = await _hold_connections(blackhole)
    finally:
        await database.dispose()

    assert first is False
    assert again == [False] * 20
    assert answered_in < 0.1
    assert connections_after == connections


# --- A database that answers ---------------------------------------------------------------------


async def test_a_recent_success_is_answered_without_a_round_trip(database: Database) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    assert await database.is_available()
    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        answers = [await database.is_available() for _ in range(20)]
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)

    assert answers == [True] * 20
    assert statements == []


async def test_schema_is_current_only_at_the_migration_head(database_url: str) -> None:
    database = Database(database_url)
    try:
        empty = await database.schema_is_current()
        await database.migrate_to_head()
        migrated = await database.schema_is_current()
        async with database.session() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        behind = await database.schema_is_current()
    finally:
        await database.dispose()

    assert (empty, migrated, behind) == (False, True, False)


async def test_sqlite_busy_timeout_can_be_set(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path), sqlite_busy_timeout=0.25)
    try:
        async with database.session(read_only=True) as session:
            busy_timeout = await session.scalar(text("PRAGMA busy_timeout"))
    finally:
        await database.dispose()

    assert busy_timeout == 250


async def test_writes_are_recorded_only_when_a_transaction_changed_rows(
    database: Database,
) -> None:
    insert = text("INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 1)")
    with recording_writes() as only_reading:
        async with database.session(read_only=True) as session:
            await session.execute(text("SELECT count(*) FROM thread_reference_counters"))
        async with database.session() as session:  # a writing session that only read
            await session.execute(text("SELECT count(*) FROM thread_reference_counters"))
    with recording_writes() as writing:
        async with database.session() as session:
            await session.execute(insert)
    with recording_writes() as rolled_back:

        async def insert_then_fail() -> None:
            async with database.session() as session:
                await session.execute(
                    text(
                        "INSERT INTO thread_reference_counters (year, last_number) VALUES (2027, 1)"
                    )
                )
                raise LookupError

        with pytest.raises(LookupError):
            await insert_then_fail()

    assert only_reading.attempted is False
    assert writing.attempted is True
    assert rolled_back.attempted is False


# --- PostgreSQL: a server that is slow, stops answering, comes back -----------------------------


@pytest.mark.postgres
async def test_a_statement_that_runs_too_long_is_cut_off(postgres_database_url: str) -> None:
    database = Database(postgres_database_url, statement_timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable):
            async with asyncio.timeout(GUARD_SECONDS), database.session() as session:
                await session.execute(text("SELECT pg_sleep(5)"))
        cut_off_in = time.monotonic() - started
        await _select_one(database)  # the connection was not lost
    finally:
        await database.dispose()

    assert cut_off_in < 1.5
    assert database.health.state is StoreState.UP


@pytest.mark.postgres
async def test_migrations_are_not_held_to_a_turns_statement_timeout(
    postgres_database_url: str,
) -> None:
    """Waiting for another replica's migration (its advisory lock) may take longer."""
    database = Database(postgres_database_url, statement_timeout=0.2)
    other_replica = await asyncpg.connect(
        make_url(postgres_database_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        await other_replica.execute("BEGIN")
        await other_replica.execute("SELECT pg_advisory_xact_lock(7202604011)")
        migrating = asyncio.create_task(database.migrate_to_head())
        await asyncio.sleep(0.6)
        await other_replica.execute("COMMIT")
        async with asyncio.timeout(GUARD_SECONDS):
            await migrating
        current = await database.schema_is_current()
    finally:
        await other_replica.close()
        await database.dispose()

    assert current


@pytest.mark.postgres
async def test_a_server_that_stops_answering_mid_transaction_is_given_up_on(
    proxy: HangingProxy,
) -> None:
    database = Database(proxy.url, statement_timeout=0.5)
    started = 0.0

    async def hang_between_two_statements() -> None:
        nonlocal started
        async with asyncio.timeout(GUARD_SECONDS), database.session() as session:
            await session.execute(text("SELECT 1"))
            proxy.hang()
            started = time.monotonic()
            await session.execute(text("SELECT 2"))

    try:
        with pytest.raises(StoreUnavailable):
            await hang_between_two_statements()
        given_up_in = time.monotonic() - started
    finally:
        proxy.resume()
        await database.dispose()

    # The driver's limit (statement timeout + 1 s), then at most 2 s closing the connection.
    assert given_up_in < 4.0
    assert database.health.state is StoreState.DOWN


@pytest.mark.postgres
async def test_a_database_that_comes_back_is_used_again(proxy: HangingProxy) -> None:
    database = Database(proxy.url, statement_timeout=0.5, health=StoreHealth(recheck_after=0.2))
    try:
        async with asyncio.timeout(GUARD_SECONDS * 2):
            assert await database.is_available()
            await _select_one(database)

            proxy.hang()
            with pytest.raises(StoreUnavailable):
                await _select_one(database)
            down = await database.is_available(wait=0.3)

            proxy.resume()
            came_back_after = time.monotonic()
            back = await _until_available(database)
            back_in = time.monotonic() - came_back_after
            await _select_one(database)
    finally:
        proxy.resume()
        await database.dispose()

    assert down is False
    assert back
    assert back_in < 3.0
    assert database.health.state is StoreState.UP


# --- The availability record ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_health_asks_first_trusts_a_success_for_a_while_and_rechecks_a_failure_soon() -> None:
    clock = FakeClock()
    health = StoreHealth(trust_success_for=30.0, recheck_after=2.0, clock=clock)
    asked = [health.needs_check()]

    health.record_success()
    clock.now += 29.0
    asked.append(health.needs_check())
    clock.now += 1.0
    asked.append(health.needs_check())

    health.record_failure("TimeoutError")
    clock.now += 1.9
    asked.append(health.needs_check())
    clock.now += 0.1
    asked.append(health.needs_check())

    health.record_success()
    asked.append(health.needs_check())

    assert asked == [True, False, True, False, True, False]
    assert health.state is StoreState.UP


def test_health_logs_an_outage_once_and_the_recovery(caplog: pytest.LogCaptureFixture) -> None:
    health = StoreHealth(clock=FakeClock())
    with caplog.at_level("INFO", logger="storage.db"):
        health.record_success()
        for _ in range(3):
            health.record_failure("TimeoutError")
        health.record_success()
        health.record_success()

    assert [record.getMessage() for record in caplog.records] == [
        "database unavailable reason=TimeoutError",
        "database reachable again",
    ]
