"""Background housekeeping started with the app: deleting what is kept only for a while.

A concern's draft (its dialog state) holds what the practitioner typed so far. Drafts left
untouched for `DRAFT_RETENTION_DAYS` are deleted, once at start-up and then every hour, so
nothing typed is kept longer than the README promises. The record of inbound activity ids
(bot/deliveries.py) is kept a day. Several replicas may each run this: the deletes are
idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.db import Database
from storage.retention import delete_dialog_state_older_than, forget_deliveries_before

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(hours=1)
REMEMBER_DELIVERIES_FOR = timedelta(days=1)


class DraftSweeper:
    """Deletes dialog state older than `retention`, every `every`, until stopped."""

    def __init__(
        self,
        database: Database,
        *,
        retention: timedelta,
        clock: Callable[[], datetime],
        every: timedelta = SWEEP_EVERY,
    ) -> None:
        self._database = database
        self._retention = retention
        self._clock = clock
        self._every = every
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> int:
        """Delete what is past retention now; the number of drafts deleted."""
        now = self._clock()
        deleted = await delete_dialog_state_older_than(self._database, now - self._retention)
        if deleted:
            log.info("deleted drafts past retention count=%d", deleted)
        await forget_deliveries_before(self._database, now - REMEMBER_DELIVERIES_FOR)
        return deleted

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception as error:  # an outage delays the sweep; the next one catches up
                log.warning("draft sweep failed error=%s", type(error).__name__)
            await asyncio.sleep(self._every.total_seconds())

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="draft-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
