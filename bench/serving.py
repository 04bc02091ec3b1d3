"""Serving an aiohttp application as a bench server process, the same way for every server.

Each server the bench starts (Microsoft's echo sample, the bot, the fake Bot Connector) runs in a
process of its own, listens on loopback, prints one line `LISTENING <url> pid=<pid>` on standard
output once it accepts requests (so the driver knows the port when it asked for port 0), and
stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal

from aiohttp import web

READY_PREFIX = "LISTENING "
READY_LINE = re.compile(r"LISTENING (?P<url>http://[^\s]+) pid=(?P<pid>\d+)")
# As app.main passes to `web.run_app`, and `web.run_app`'s own keep-alive default.
SHUTDOWN_TIMEOUT_SECONDS = 5.0
KEEPALIVE_TIMEOUT_SECONDS = 75.0


async def serve(app: web.Application, *, host: str = "127.0.0.1", port: int = 0) -> None:
    """Run `app` until SIGTERM or SIGINT; announce the URL on standard output once listening."""
    runner = web.AppRunner(
        app,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
        keepalive_timeout=KEEPALIVE_TIMEOUT_SECONDS,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        print(f"{READY_PREFIX}http://{host}:{bound_port} pid={os.getpid()}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
