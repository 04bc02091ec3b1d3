"""Each inbound activity handled once, and one turn at a time in each conversation.

The channel may deliver an activity twice (Teams retries a turn it thinks slow), and people
double-click. Two guards, both cheap:
- an in-process lock per conversation, so that two turns of one conversation never interleave
  in this process (the second sees what the first saved: a consumed form, a new version);
- a record of each activity id (hashed with its channel and conversation) in
  `inbound_activities`, kept a day (bot/housekeeping.py), shared by every replica. A message,
  install or other notification delivered again is not handled again. A click (invoke)
  delivered again is answered again, because Teams needs an answer; its work is not done twice,
  because every click is keyed (a form id consumed once, a card version, the intake that opened
  a concern).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from weakref import WeakValueDictionary

from botbuilder.schema import Activity

from services.concerns import request_key
from storage.db import Database
from storage.repositories import InboundActivityRepository
from storage.timestamps import utc_now

log = logging.getLogger(__name__)


class Deliveries:
    """The per-conversation lock and the record of activities already handled."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._clock = clock
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    @asynccontextmanager
    async def turn(self, activity: Activity) -> AsyncIterator[bool]:
        """Hold the conversation's lock for the turn; yields whether this is the first delivery
        of the activity."""
        conversation = str(activity.conversation.id) if activity.conversation else ""
        lock = self._locks.get(conversation)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation] = lock
        async with lock:
            yield await self._first_delivery(activity, conversation)

    async def _first_delivery(self, activity: Activity, conversation: str) -> bool:
        if not activity.id:
            return True
        key = request_key("delivery", str(activity.channel_id), conversation, str(activity.id))
        async with self._database.session() as session:
            first = await InboundActivityRepository(session).record(key, self._clock())
        if not first:
            log.info("redelivered activity type=%s activity_id=%s", activity.type, activity.id)
        return first
