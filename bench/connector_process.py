"""The tests' fake Bot Connector as a process of its own, for the bench's servers to reply to.

    .venv/bin/python -m bench.connector_process [--port 0]

Serves `tests.support.fake_connector.FakeConnector` (the one the end-to-end tests use: it answers
the REST calls botbuilder's ConnectorClient makes) plus `GET /bench/stats`, a tally of what it
was sent: how many activities, how many were cards, and how many were apologies (the bot's
`bot.errors.apology` or the echo sample's error reply). What arrives is tallied and dropped
every half second, so a 20,000-turn run does not hold every card in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

from aiohttp import web

from bench.serving import serve
from tests.support.fake_connector import FakeConnector

DRAIN_SECONDS = 0.5
# The start of the bot's apology (bot.errors.apology) and the echo sample's error reply.
APOLOGIES = ("Sorry, something went wrong", "The bot encountered an error")


class TalliedConnector:
    """A FakeConnector whose sent activities are counted, then forgotten."""

    def __init__(self) -> None:
        self.connector = FakeConnector()
        self.tally: Counter[str] = Counter()

    def drain(self) -> None:
        sent, self.connector.sent = self.connector.sent, []
        for activity in sent:
            self.tally["activities"] += 1
            if activity.cards:
                self.tally["cards"] += 1
            if activity.text.startswith(APOLOGIES):
                self.tally["apologies"] += 1
            elif activity.text and not activity.cards:
                self.tally["texts"] += 1

    async def stats(self, _request: web.Request) -> web.Response:
        self.drain()
        return web.json_response(dict(self.tally))

    async def _drain_often(self, _app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(DRAIN_SECONDS)
                self.drain()

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def app(self) -> web.Application:
        app = self.connector.app()
        app.router.add_get("/bench/stats", self.stats)
        app.cleanup_ctx.append(self._drain_often)
        return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    asyncio.run(serve(TalliedConnector().app(), port=arguments.port))


if __name__ == "__main__":
    main()
