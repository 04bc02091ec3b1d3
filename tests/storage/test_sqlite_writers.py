"""On SQLite, concurrent write transactions of one process queue for each other instead of
failing on SQLite's busy timeout, and a write session inside another fails instead of hanging."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from storage.db import Database
from storage.schema import inbound_activities
from storage.timestamps import utc_now
from tests.support.databases import sqlite_url


async def test_twenty_concurrent_writers_all_commit_with_a_short_busy_timeout(
    tmp_path: Path,
) -> None:
    database = Database(sqlite_url(tmp_path), sqlite_busy_timeout=0.1)
    await database.migrate_to_head()

    async def write(number: int) -> None:
        async with database.session() as session:
            await session.execute(
                inbound_activities.insert().values(delivery_key=f"k{number}", received_at=utc_now())
            )
            await asyncio.sleep(0.05)  # a turn doing other work while it holds the write lock

    try:
        async with asyncio.timeout(10):
            await asyncio.gather(*(write(number) for number in range(20)))
        async with database.session(read_only=True) as session:
            count = await session.scalar(select(func.count()).select_from(inbound_activities))
    finally:
        await database.dispose()

    assert count == 20


async def test_a_write_session_inside_another_fails_on_sqlites_lock_instead_of_hanging(
    tmp_path: Path,
) -> None:
    """SQLite has one writer: a nested write session cannot work, but it must fail after the
    busy timeout (an error and a log line) rather than wait forever on the in-process lock."""
    database = Database(sqlite_url(tmp_path), sqlite_busy_timeout=0.2)
    await database.migrate_to_head()
    try:
        async with asyncio.timeout(5), database.session():
            with pytest.raises(OperationalError, match="locked"):
                async with database.session() as inner:
                    await inner.execute(select(1))
    finally:
        await database.dispose()
