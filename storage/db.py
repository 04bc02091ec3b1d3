"""The database handle: one async engine and its sessions, for SQLite (default) or PostgreSQL.

Callers own transactions: `Database.session()` gives one transaction that commits when the block
ends normally and rolls back when it raises; repositories never commit. On SQLite every
connection gets foreign keys, WAL and a busy timeout, and a writing transaction starts with
`BEGIN IMMEDIATE`, so two coroutines that read and then write queue for the single write lock
instead of failing with "database is locked" when the second one tries to upgrade its lock.
Consequence: never open a writing session while another one is open in the same task on SQLite
(the inner one would wait for the outer one's lock until the busy timeout).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

_log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///data/bot.db"
MIGRATIONS_DIRECTORY: Final = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS: Final = 5_000

# PostgreSQL pool: a handful of connections per replica is plenty for a Teams bot; recycle them
# before typical idle timeouts of managed servers and check them before use.
POSTGRES_POOL_SIZE: Final = 5
POSTGRES_MAX_OVERFLOW: Final = 10
POSTGRES_POOL_RECYCLE_SECONDS: Final = 1_800
POSTGRES_POOL_TIMEOUT_SECONDS: Final = 10

# Serialises concurrent start-up migrations of several replicas (an arbitrary constant key).
_MIGRATION_ADVISORY_LOCK_KEY: Final = 7_202_604_011


class Backend(StrEnum):
    """The databases this store runs on."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class _SqliteBegin(StrEnum):
    """How a SQLite transaction starts: IMMEDIATE takes the write lock at once."""

    IMMEDIATE = "BEGIN IMMEDIATE"
    DEFERRED = "BEGIN DEFERRED"


_SQLITE_BEGIN_OPTION: Final = "resolve_together_sqlite_begin"


class Database:
    """An async engine plus session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url: URL = make_url(url)
        self.backend = _backend_of(self.url)
        if self.backend is Backend.SQLITE:
            _ensure_sqlite_directory(self.url)
            self._engine = create_async_engine(self.url, echo=echo)
            _install_sqlite_connection_setup(self._engine)
            read_engine = self._engine.execution_options(
                **{_SQLITE_BEGIN_OPTION: _SqliteBegin.DEFERRED}
            )
        else:
            self._engine = create_async_engine(
                self.url,
                echo=echo,
                pool_size=POSTGRES_POOL_SIZE,
                max_overflow=POSTGRES_MAX_OVERFLOW,
                pool_recycle=POSTGRES_POOL_RECYCLE_SECONDS,
                pool_timeout=POSTGRES_POOL_TIMEOUT_SECONDS,
                pool_pre_ping=True,
            )
            read_engine = self._engine.execution_options(postgresql_readonly=True)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(read_engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @asynccontextmanager
    async def session(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends normally, rolled back if it raises.

        `read_only=True` is for blocks that only read: on SQLite they do not take the write lock
        up front, and on PostgreSQL the transaction is READ ONLY so a stray write fails loudly.
        """
        factory = self._read_sessions if read_only else self._sessions
        async with factory() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """`SELECT 1`; raises if the database cannot be reached (used by GET /healthz)."""
        async with self.session(read_only=True) as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or before reopening the same database)."""
        await self._engine.dispose()

    async def migrate_to_head(self) -> None:
        """Apply every pending Alembic migration on this engine, from inside the running loop.

        Alembic runs synchronously on the async connection via `run_sync`, with the connection
        handed to `storage/migrations/env.py` through `config.attributes`, so no second event
        loop is started. The whole upgrade is one transaction; on PostgreSQL an advisory lock
        makes replicas starting together migrate one after the other.
        """
        _log.info("migrating %r to the latest schema", self)
        async with self._engine.begin() as connection:
            if self.backend is Backend.POSTGRESQL:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": _MIGRATION_ADVISORY_LOCK_KEY},
                )
            await connection.run_sync(_upgrade_to_head)


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration that needs no alembic.ini (the deployed bot may not ship one)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    if url is not None:
        # ConfigParser interpolation treats "%" specially (URL-encoded passwords contain it).
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _backend_of(url: URL) -> Backend:
    name = url.get_backend_name()
    driver = url.get_driver_name()
    if name == "sqlite" and driver == "aiosqlite":
        return Backend.SQLITE
    if name == "postgresql" and driver == "asyncpg":
        return Backend.POSTGRESQL
    raise ValueError(
        "DATABASE_URL must use sqlite+aiosqlite:// or postgresql+asyncpg://, "
        f"not {url.drivername}://"
    )


def _ensure_sqlite_directory(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_connection_setup(engine: AsyncEngine) -> None:
    """Per-connection pragmas, and SQLAlchemy (not the driver) in charge of BEGIN."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Stop the sqlite3 driver from issuing its own (deferred, DML-only) BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        begin = connection.get_execution_options().get(_SQLITE_BEGIN_OPTION, _SqliteBegin.IMMEDIATE)
        connection.exec_driver_sql(_SqliteBegin(begin).value)
