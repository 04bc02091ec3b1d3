"""Writing rows straight into the database, as a shared account or a restored back-up could."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from storage.db import Database
from storage.schema import dialog_state
from storage.timestamps import utc_now


async def plant_dialog_state(
    database: Database,
    key: str,
    data: str = "{}",
    *,
    encoding: str = "jsonpickle-v1",
    updated_at: datetime | None = None,
    etag: str = "planted",
) -> None:
    """A `dialog_state` row written with SQL, past the storage and its checks."""
    async with database.session() as session:
        await session.execute(
            insert(dialog_state).values(
                key=key,
                etag=etag,
                encoding=encoding,
                data=data,
                updated_at=updated_at or utc_now(),
            )
        )
