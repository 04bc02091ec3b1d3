"""Drafts nobody touches are deleted after DRAFT_RETENTION_DAYS by a task started with the app."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from storage.db import Database
from storage.schema import dialog_state
from storage.timestamps import utc_now
from tests.e2e.conftest import authenticated_settings, start_bot
from tests.support.planting import plant_dialog_state


async def _plant(database: Database, key: str, age: timedelta) -> None:
    await plant_dialog_state(database, key, updated_at=utc_now() - age)


async def _keys(database: Database) -> set[str]:
    async with database.session(read_only=True) as session:
        return set((await session.execute(select(dialog_state.c.key))).scalars())


async def test_drafts_past_retention_are_deleted_when_the_app_starts(
    database: Database, database_url: str
) -> None:
    await _plant(database, "msteams/conversations/stale", timedelta(days=31))
    await _plant(database, "msteams/conversations/recent", timedelta(days=29))

    client = await start_bot(authenticated_settings(database_url, draft_retention_days=30))
    try:
        for _ in range(100):
            if "msteams/conversations/stale" not in await _keys(database):
                break
            await asyncio.sleep(0.02)
        remaining = await _keys(database)
    finally:
        await client.close()

    assert remaining == {"msteams/conversations/recent"}
