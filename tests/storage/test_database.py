"""Database: transactions, health check, SQLite connection set-up, UTC timestamps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from storage.db import Database, StoreUnavailable
from storage.timestamps import UtcDateTime
from tests.support.databases import sqlite_url

_scratch = MetaData()
instants = Table(
    "instants_under_test",
    _scratch,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
)


async def _create_scratch_table(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_scratch.create_all)


async def _count_rows(database: Database) -> int:
    async with database.session(read_only=True) as session:
        return int(
            await session.scalar(text("SELECT count(*) FROM thread_reference_counters")) or 0
        )


async def test_session_commits_when_the_block_succeeds(database: Database) -> None:
    async with database.session() as session:
        await session.execute(
            text("INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 3)")
        )
    assert await _count_rows(database) == 1


class AbandonedError(Exception):
    """Raised by a test to abandon a transaction half way through."""


async def test_session_rolls_back_when_the_block_raises(database: Database) -> None:
    async def insert_then_fail() -> None:
        async with database.session() as session:
            await session.execute(
                text("INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 3)")
            )
            raise AbandonedError

    with pytest.raises(AbandonedError):
        await insert_then_fail()
    assert await _count_rows(database) == 0


async def test_ping_succeeds_on_a_reachable_database(database: Database) -> None:
    await database.ping()


async def test_ping_raises_when_the_database_cannot_be_reached() -> None:
    unreachable = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(StoreUnavailable) as raised:
            await unreachable.ping()
    finally:
        await unreachable.dispose()
    assert isinstance(raised.value.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(
    "url", ["mysql+aiomysql://db/bot", "sqlite:///bot.db", "postgresql://db/bot"]
)
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must use"):
        Database(url)


async def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "deeper"
    database = Database(sqlite_url(target))
    try:
        await database.ping()
        assert (target / "bot.db").is_file()
    finally:
        await database.dispose()


async def test_sqlite_connections_enforce_foreign_keys_use_wal_and_wait_when_busy(
    tmp_path: Path,
) -> None:
    database = Database(sqlite_url(tmp_path))
    try:
        async with database.session() as session:
            foreign_keys = await session.scalar(text("PRAGMA foreign_keys"))
            journal_mode = await session.scalar(text("PRAGMA journal_mode"))
            busy_timeout = await session.scalar(text("PRAGMA busy_timeout"))
        assert (foreign_keys, journal_mode, busy_timeout) == (1, "wal", 5000)
    finally:
        await database.dispose()


async def test_sqlite_rejects_a_row_whose_parent_is_missing(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path))
    try:
        await database.migrate_to_head()
        with pytest.raises(DBAPIError, match="FOREIGN KEY"):
            async with database.session() as session:
                await session.execute(
                    text(
                        "INSERT INTO agreed_actions (thread_id, position, what, who, by_when, done)"
                        " VALUES (999, 0, 'x', 'y', '2026-01-01', 0)"
                    )
                )
    finally:
        await database.dispose()


async def test_sqlite_read_then_write_transactions_queue_instead_of_failing(
    tmp_path: Path,
) -> None:
    """BEGIN IMMEDIATE: the second writer waits for the first instead of failing with "locked"."""
    database = Database(sqlite_url(tmp_path))
    await database.migrate_to_head()
    try:
        async with database.session() as session:
            await session.execute(
                text("INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 0)")
            )

        async def increment() -> None:
            async with database.session() as session:
                current = await session.scalar(
                    text("SELECT last_number FROM thread_reference_counters WHERE year = 2026")
                )
                await asyncio.sleep(0.05)  # give the other transaction every chance to read
                await session.execute(
                    text("UPDATE thread_reference_counters SET last_number = :n WHERE year = 2026"),
                    {"n": int(current or 0) + 1},
                )

        await asyncio.gather(increment(), increment())
        async with database.session(read_only=True) as session:
            final = await session.scalar(
                text("SELECT last_number FROM thread_reference_counters WHERE year = 2026")
            )
        assert final == 2  # the second read happened after the first commit
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_read_only_sessions_refuse_writes_on_postgresql(
    postgres_database: Database,
) -> None:
    with pytest.raises(DBAPIError, match="read-only transaction"):
        async with postgres_database.session(read_only=True) as session:
            await session.execute(
                text("INSERT INTO thread_reference_counters (year, last_number) VALUES (2026, 1)")
            )


async def test_timestamps_come_back_aware_in_utc(database: Database) -> None:
    await _create_scratch_table(database)
    london_summer = timezone(timedelta(hours=1))
    written = datetime(2026, 7, 1, 9, 15, 30, 250000, tzinfo=london_summer)
    async with database.session() as session:
        await session.execute(insert(instants).values(id=1, at=written))
    async with database.session(read_only=True) as session:
        read = await session.scalar(select(instants.c.at).where(instants.c.id == 1))
    assert read == written
    assert read is not None
    assert read.tzinfo is UTC
    assert read.hour == 8


async def test_naive_timestamps_are_refused(database: Database) -> None:
    await _create_scratch_table(database)
    with pytest.raises(StatementError, match="timezone-aware"):
        async with database.session() as session:
            await session.execute(insert(instants).values(id=1, at=datetime(2026, 7, 1, 9, 15)))


async def test_timestamp_comparisons_follow_instants_not_local_wall_time(
    database: Database,
) -> None:
    await _create_scratch_table(database)
    async with database.session() as session:
        await session.execute(
            insert(instants),
            [
                {"id": 1, "at": datetime(2026, 7, 1, 8, 0, tzinfo=UTC)},
                {"id": 2, "at": datetime(2026, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))},
            ],
        )
    async with database.session(read_only=True) as session:
        earlier = (
            await session.scalars(
                select(instants.c.id).where(
                    instants.c.at <= datetime(2026, 7, 1, 8, 15, tzinfo=UTC)
                )
            )
        ).all()
    assert earlier == [1]
