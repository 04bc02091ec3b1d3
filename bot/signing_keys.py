"""Keeping Bot Framework's token-signing keys fresh without blocking the event loop.

botbuilder 4.17 fetches Microsoft's OpenID metadata with the synchronous `requests` library from
inside its async token check: once a day, and at most hourly when a token names an unknown key.
While that fetch waits on the network, every other turn of the bot waits too. This module runs
the SDK's own fetch on a worker thread shortly before it would be due, so that the SDK's check
always finds fresh keys and never fetches on the event loop itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

# botbuilder refreshes keys older than a day, or older than an hour for an unknown key id;
# refreshing before an hour has passed means it never has to.
REFRESH_AFTER = timedelta(minutes=50)
CHANNEL_METADATA_URL: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL


def _fetch_blocking(metadata: Any) -> None:
    """The SDK's own refresh: an `async def` whose body is synchronous network I/O."""
    asyncio.run(metadata._refresh())


class SigningKeys:
    """Refreshes the SDK's cached signing keys for `urls` on a worker thread when stale."""

    def __init__(self, urls: Sequence[str] = (CHANNEL_METADATA_URL,)) -> None:
        self._urls = tuple(urls)
        self._lock = asyncio.Lock()

    @staticmethod
    def _is_fresh(metadata: Any) -> bool:
        # The SDK stores naive local times; compare like with like.
        last_updated: datetime = metadata.last_updated
        return last_updated > datetime.now() - REFRESH_AFTER  # noqa: DTZ005

    async def refresh_if_stale(self) -> None:
        """Fetch the keys of every URL whose copy is stale; network errors propagate."""
        for url in self._urls:
            metadata = JwtTokenExtractor.get_open_id_metadata(url)
            if self._is_fresh(metadata):
                continue
            async with self._lock:
                if not self._is_fresh(metadata):
                    await asyncio.to_thread(_fetch_blocking, metadata)
