"""Databases that misbehave, for tests: one that never answers, one that stops answering."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from tests.support.bot_framework import Blackhole


def blackhole_database_url(hole: Blackhole) -> str:
    """A PostgreSQL URL whose server accepts the connection and never says a word."""
    return f"postgresql+asyncpg://postgres@127.0.0.1:{urlsplit(hole.url).port}/test"


class HangingProxy:
    """A TCP proxy in front of a real server that can be told to hang.

    While hanging it accepts connections and passes nothing either way, as a server that has
    stopped answering (frozen, or behind a network that drops packets); on `resume` whatever was
    held goes through and new connections reach the server again.
    """

    def __init__(self, target_url: str) -> None:
        target = make_url(target_url)
        self._target_url = target
        self._target = (target.host or "127.0.0.1", target.port or 5432)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The target database's URL, through this proxy."""
        proxied = self._target_url.set(host="127.0.0.1", port=self.port)
        return proxied.render_as_string(hide_password=False)

    def hang(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    async def __aenter__(self) -> HangingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        current = asyncio.current_task()
        if current is not None:
            self._track(current)
        try:
            await self._flowing.wait()
            server_reader, server = await asyncio.open_connection(*self._target)
        except (OSError, asyncio.CancelledError):
            client.close()
            raise
        pipes = (
            asyncio.create_task(self._pipe(client_reader, server)),
            asyncio.create_task(self._pipe(server_reader, client)),
        )
        for pipe in pipes:
            self._track(pipe)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65_536):
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()
