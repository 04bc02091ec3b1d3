"""The real bot as a bench server process: local mode, its own database, nothing else in it.

    .venv/bin/python -m bench.serve_bot [--port 0] [--database-url URL] [--log-level INFO]

Builds the application exactly as `app.main` does (`create_app(settings)` with local-mode
settings, `configure_logging(settings.log_level)`, the same shutdown timeout), so that
`taskset -c 0` can pin the bot, and only the bot, to one core. Without `--database-url` it uses
a fresh SQLite file in a temporary folder; with one (e.g. postgresql+asyncpg://...) it uses that
database, migrated on start. The fake Bot Connector is never in this process.

One thing is added for the bench: `GET /bench/stats`, what the bot's database engine was asked
to do so far (SQLAlchemy engine events): statements by kind, rows written per table (the
driver's rowcount of each INSERT, UPDATE and DELETE), transactions begun, committed and rolled
back, and new database connections opened. The driver reads it before and after a load to print
the rows written and the SQL round trips per turn. Logging goes to standard error at the app's
default level (INFO), as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app import DATABASE_KEY, configure_logging, create_app
from bench.serving import serve
from settings import Settings

_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
_FIRST_WORDS = re.compile(r"\s*(BEGIN(?:\s+\w+)?|\w+)", re.IGNORECASE)


class SqlCounters:
    """Counts what an engine executes, from SQLAlchemy's engine events."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.rows_written: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()

    def attach(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "after_cursor_execute", self._executed)
        event.listen(sync_engine, "begin", self._count("begin"))
        event.listen(sync_engine, "commit", self._count("commit"))
        event.listen(sync_engine, "rollback", self._count("rollback"))
        event.listen(sync_engine, "connect", self._count("connect"))  # a new DBAPI connection

    def _count(self, what: str) -> Any:
        def listener(*_arguments: Any) -> None:
            self.transactions[what] += 1

        return listener

    def _executed(
        self,
        _connection: Any,
        cursor: Any,
        statement: str,
        parameters: Sequence[Any] | Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        first = _FIRST_WORDS.match(statement)
        kind = " ".join(first.group(1).upper().split()) if first else "?"
        self.statements[kind] += 1
        written = _WRITE.match(statement)
        if written is None:
            return
        rowcount = getattr(cursor, "rowcount", -1)
        if not isinstance(rowcount, int) or rowcount < 0:
            # Unknown to the driver: one row per parameter set.
            rowcount = len(parameters) if executemany else 1
        self.rows_written[written.group(2).lower()] += rowcount

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {
            "statements": dict(self.statements),
            "rows_written": dict(self.rows_written),
            "transactions": dict(self.transactions),
        }


def bench_settings(database_url: str, log_level: str = "INFO") -> Settings:
    """Local mode (no app id, unauthenticated, loopback only), migrated on start."""
    values: dict[str, Any] = {
        "_env_file": None,
        "local_mode": True,
        "migrate_on_start": True,
        "database_url": database_url,
        "log_level": log_level,
    }
    return Settings(**values)


def fresh_sqlite_url() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    return f"sqlite+aiosqlite:///{folder / 'bot.db'}"


def create_bench_app(settings: Settings) -> web.Application:
    app = create_app(settings)
    counters = SqlCounters()
    counters.attach(app[DATABASE_KEY].engine)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(counters.snapshot())

    app.router.add_get("/bench/stats", stats)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--log-level", default="INFO")
    arguments = parser.parse_args()
    settings = bench_settings(arguments.database_url or fresh_sqlite_url(), arguments.log_level)
    configure_logging(settings.log_level)
    asyncio.run(serve(create_bench_app(settings), host=settings.bind_host, port=arguments.port))


if __name__ == "__main__":
    main()
