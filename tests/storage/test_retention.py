"""Draft retention: dialog state older than the cutoff is deleted, the rest is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.dialog_storage import SqlDialogStorage
from storage.retention import delete_dialog_state_older_than
from storage.schema import dialog_state
from tests.support.planting import plant_dialog_state

CUTOFF = datetime(2026, 3, 2, 9, 30, 15, 500_000, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


async def _plant(database: Database, key: str, updated_at: datetime) -> None:
    await plant_dialog_state(
        database, key, '{"count":1}', updated_at=updated_at, etag=f"etag-{key}"
    )


async def _keys(database: Database) -> set[str]:
    async with database.session(read_only=True) as session:
        return set((await session.scalars(select(dialog_state.c.key))).all())


async def test_rows_older_than_the_cutoff_are_deleted_and_counted(database: Database) -> None:
    await _plant(database, "long-ago", CUTOFF - timedelta(days=400))
    await _plant(database, "just-before", CUTOFF - ONE_MICROSECOND)
    await _plant(database, "at-the-cutoff", CUTOFF)
    await _plant(database, "just-after", CUTOFF + ONE_MICROSECOND)
    await _plant(database, "recent", CUTOFF + timedelta(days=1))

    deleted = await delete_dialog_state_older_than(database, CUTOFF)

    assert deleted == 2
    assert await _keys(database) == {"at-the-cutoff", "just-after", "recent"}


async def test_a_cutoff_in_another_time_zone_means_the_same_instant(database: Database) -> None:
    await _plant(database, "just-before", CUTOFF - ONE_MICROSECOND)
    await _plant(database, "just-after", CUTOFF + ONE_MICROSECOND)
    one_hour_ahead = CUTOFF.astimezone(timezone(timedelta(hours=1)))

    assert await delete_dialog_state_older_than(database, one_hour_ahead) == 1
    assert await _keys(database) == {"just-after"}


async def test_nothing_to_delete_returns_zero(database: Database) -> None:
    await _plant(database, "recent", CUTOFF + timedelta(days=1))

    assert await delete_dialog_state_older_than(database, CUTOFF) == 0
    assert await delete_dialog_state_older_than(database, CUTOFF) == 0
    assert await _keys(database) == {"recent"}


async def test_state_written_through_the_storage_is_kept_until_it_is_old(
    database: Database,
) -> None:
    storage = SqlDialogStorage(database)
    await storage.write({"conversation": {"draft": "typed so far"}})
    before_the_write = datetime.now(UTC) - timedelta(minutes=5)

    assert await delete_dialog_state_older_than(database, before_the_write) == 0
    assert (await storage.read(["conversation"]))["conversation"]["draft"] == "typed so far"

    assert await delete_dialog_state_older_than(database, datetime.now(UTC)) == 1
    assert await storage.read(["conversation"]) == {}


async def test_a_naive_cutoff_is_refused(database: Database) -> None:
    await _plant(database, "long-ago", CUTOFF - timedelta(days=400))

    with pytest.raises(ValueError, match="timezone-aware"):
        await delete_dialog_state_older_than(database, CUTOFF.replace(tzinfo=None))
    assert await _keys(database) == {"long-ago"}
