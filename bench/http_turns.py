"""How many turns a second the bot answers over HTTP, against a baseline in the same process.

    .venv/bin/python -m bench.http_turns [--turns 400] [--concurrency 8]

Runs the real app (local mode, SQLite in a temporary folder) and a fake Bot Connector on
loopback, sends Teams-shaped "help" messages (each answered with the welcome card through the
connector) and card clicks (answered in the HTTP response), and prints turns per second next
to a bare aiohttp handler's requests per second measured the same way, so the ratio says what
the bot's own work costs on this machine. Figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from app import create_app
from settings import Settings
from tests.support.fake_connector import start_fake_connector
from tests.support.teams_activities import ALEX, card_action, personal_message


async def measure(
    send: Callable[[ClientSession, int], Awaitable[None]], turns: int, concurrency: int
) -> float:
    """Requests per second for `turns` calls of `send`, `concurrency` at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(turns):
        queue.put_nowait(number)

    async with ClientSession() as session:

        async def worker() -> None:
            while not queue.empty():
                await send(session, queue.get_nowait())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return turns / (time.perf_counter() - started)


async def bare_baseline(turns: int, concurrency: int) -> float:
    async def ok(request: web.Request) -> web.Response:
        await request.json()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/messages", ok)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/api/messages"))

    async def send(session: ClientSession, _number: int) -> None:
        async with session.post(url, json={"type": "message"}) as response:
            await response.read()

    try:
        return await measure(send, turns, concurrency)
    finally:
        await server.close()


async def bot_turns(turns: int, concurrency: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    values: dict[str, Any] = {"_env_file": None, "local_mode": True, "migrate_on_start": True}
    settings = Settings(**values, database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    _connector, connector_server = await start_fake_connector()
    service_url = str(connector_server.make_url("/"))
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/api/messages"))

    async def message(session: ClientSession, _number: int) -> None:
        async with session.post(url, json=personal_message("help", ALEX, service_url)) as reply:
            await reply.read()

    async def click(session: ClientSession, _number: int) -> None:
        activity = card_action("showHelp", ALEX, service_url)
        async with session.post(url, json=activity) as reply:
            await reply.read()

    try:
        await measure(message, 20, 1)  # warm up: migrations done, first contact made
        return {
            "message (reply through the connector)": await measure(message, turns, concurrency),
            "card click (answer in the response)": await measure(click, turns, concurrency),
        }
    finally:
        await server.close()
        await connector_server.close()


async def main(turns: int, concurrency: int) -> None:
    baseline = await bare_baseline(turns, concurrency)
    print(f"{turns} requests, {concurrency} at a time, one process, loopback")
    print(f"  bare aiohttp handler                  {baseline:8.0f} req/s  (baseline)")
    for name, rate in (await bot_turns(turns, concurrency)).items():
        print(f"  {name:<38}{rate:8.0f} turns/s  {rate / baseline:6.1%} of baseline")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.turns, arguments.concurrency))
