"""Retention: drafts nobody has touched for a while, and old delivery records, are deleted.

A half-finished concern lives only in `dialog_state` (see storage.dialog_storage), and it holds
what a practitioner typed, so it should not outlive its use. The caller decides the cutoff (e.g.
now minus DRAFT_RETENTION_DAYS) and how often to run this; each run is one short transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete

from storage.db import Database
from storage.repositories import InboundActivityRepository
from storage.schema import dialog_state


async def delete_dialog_state_older_than(database: Database, cutoff: datetime) -> int:
    """Delete the dialog state last written before `cutoff` (aware); returns how many rows.

    Rows written exactly at the cutoff are kept. A conversation whose state is deleted simply
    starts afresh on its next turn (botbuilder reads a missing key as empty state); a turn
    that read the state just before the delete and writes it back afterwards fails with
    `DialogStateConflictError`, as for any other concurrent change.
    """
    if cutoff.tzinfo is None or cutoff.utcoffset() is None:
        raise ValueError("the retention cutoff must be timezone-aware")
    async with database.session() as session:
        result = await session.execute(
            delete(dialog_state).where(dialog_state.c.updated_at < cutoff)
        )
    # A DELETE without RETURNING always yields a CursorResult, which carries the row count.
    return cast(CursorResult[Any], result).rowcount


async def forget_deliveries_before(database: Database, cutoff: datetime) -> int:
    """Forget the inbound activities recorded before `cutoff` (bot/deliveries.py keeps them to
    spot a redelivery); returns how many."""
    async with database.session() as session:
        return await InboundActivityRepository(session).forget_before(cutoff)
