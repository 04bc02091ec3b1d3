"""The database handle: one async engine and its sessions, for SQLite (default) or PostgreSQL.

Callers own transactions: `Database.session()` gives one transaction that commits when the block
ends normally and rolls back when it raises; repositories never commit. On SQLite every
connection gets foreign keys, WAL and a busy timeout, and a writing transaction starts with
`BEGIN IMMEDIATE`, so two coroutines that read and then write queue for the single write lock
instead of failing with "database is locked" when the second one tries to upgrade its lock.
Consequence: never open a writing session while another one is open in the same task on SQLite
(the inner one would wait for the outer one's lock until the busy timeout).

A database that hangs must not hang the bot. Every wait is bounded: connecting (3 s), each
statement (10 s, enforced by the server and, for a server that stops answering, by the driver),
a connection from the pool (5 s), a SQLite lock (5 s). When the database cannot be reached or
does not answer in time, the caller gets `StoreUnavailable` (the driver's error is its
`__cause__`), never a driver-specific error. `StoreHealth` remembers what the last session or
check learned, so that the HTTP edge can refuse a turn at once while the database is known to be
down (`Database.is_available`) without a round trip per request while it is fine.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, ExceptionContext, ExecutionContext, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

_log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///data/bot.db"
MIGRATIONS_DIRECTORY: Final = Path(__file__).resolve().parent / "migrations"

# Bounded waits, for a web bot whose channel gives up on a turn after about 15 s.
CONNECT_TIMEOUT_SECONDS: Final = 3.0
STATEMENT_TIMEOUT_SECONDS: Final = 10.0
POOL_TIMEOUT_SECONDS: Final = 5.0
SQLITE_BUSY_TIMEOUT_SECONDS: Final = 5.0
# The driver's own limit is a little longer than the server's, so that a slow statement is
# cancelled by the server (the connection stays usable) and only a silent server hits it.
_DRIVER_TIMEOUT_MARGIN_SECONDS: Final = 1.0
# Migrations run at start-up or from the command line, and may rewrite whole tables.
MIGRATION_STATEMENT_TIMEOUT_SECONDS: Final = 600.0

# Checks of the database (`ping`, `schema_is_current`) and the availability gate.
PING_TIMEOUT_SECONDS: Final = 2.0
AVAILABILITY_WAIT_SECONDS: Final = 1.0
TRUST_SUCCESS_SECONDS: Final = 30.0
RECHECK_AFTER_SECONDS: Final = 2.0

# PostgreSQL pool: a handful of connections per replica is plenty for a Teams bot; recycle them
# before typical idle timeouts of managed servers and check them before use.
POSTGRES_POOL_SIZE: Final = 5
POSTGRES_MAX_OVERFLOW: Final = 10
POSTGRES_POOL_RECYCLE_SECONDS: Final = 1_800

# Serialises concurrent start-up migrations of several replicas (an arbitrary constant key).
_MIGRATION_ADVISORY_LOCK_KEY: Final = 7_202_604_011
# PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout` (query_canceled).
_QUERY_CANCELED: Final = "57014"


class Backend(StrEnum):
    """The databases this store runs on."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class _SqliteBegin(StrEnum):
    """How a SQLite transaction starts: IMMEDIATE takes the write lock at once."""

    IMMEDIATE = "BEGIN IMMEDIATE"
    DEFERRED = "BEGIN DEFERRED"


_SQLITE_BEGIN_OPTION: Final = "resolve_together_sqlite_begin"
# Set in a DBAPI connection's `info` when its current transaction ran an INSERT/UPDATE/DELETE.
_WROTE: Final = "resolve_together_wrote"
_WRITING_STATEMENTS: Final = ("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE")


class StoreUnavailable(Exception):
    """The database could not be reached, or did not answer in time.

    Raised in place of the driver's error, which is kept as `__cause__`. The message is ours and
    never quotes a statement or its parameters.
    """


class StoreState(StrEnum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"


class StoreHealth:
    """What the bot last learned about its database, and when. Asking costs nothing.

    Every session that ends well and every successful check records a success; a connection that
    fails or a database that does not answer in time records a failure. A success is trusted for
    `trust_success_for` seconds; after a failure the database is taken as down, without asking,
    for `recheck_after` seconds.
    """

    def __init__(
        self,
        *,
        trust_success_for: float = TRUST_SUCCESS_SECONDS,
        recheck_after: float = RECHECK_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._trust_success_for = trust_success_for
        self._recheck_after = recheck_after
        self._clock = clock
        self._state = StoreState.UNKNOWN
        self._learned_at = 0.0

    @property
    def state(self) -> StoreState:
        return self._state

    def record_success(self) -> None:
        if self._state is StoreState.DOWN:
            _log.warning("database reachable again")
        self._state = StoreState.UP
        self._learned_at = self._clock()

    def record_failure(self, reason: str) -> None:
        """`reason`: an exception's class name or a phrase of ours, never an error message."""
        if self._state is not StoreState.DOWN:
            _log.warning("database unavailable reason=%s", reason)
        self._state = StoreState.DOWN
        self._learned_at = self._clock()

    def needs_check(self) -> bool:
        """Whether what is known is too old (or too little) to answer without asking again."""
        age = self._clock() - self._learned_at
        if self._state is StoreState.UP:
            return age >= self._trust_success_for
        if self._state is StoreState.DOWN:
            return age >= self._recheck_after
        return True


@dataclass
class WriteRecord:
    """Whether a transaction that changed rows was sent to commit while this record was open.

    `attempted` stays True even if the commit then failed: a commit cut off on its way may or
    may not have been applied.
    """

    attempted: bool = False


_holding_sqlite_writer: ContextVar[bool] = ContextVar("holding_sqlite_writer", default=False)
_write_record: ContextVar[WriteRecord | None] = ContextVar("store_write_record", default=None)


@contextmanager
def recording_writes() -> Iterator[WriteRecord]:
    """Record, for the code run inside (in this task), whether anything was written."""
    record = WriteRecord()
    token = _write_record.set(record)
    try:
        yield record
    finally:
        _write_record.reset(token)


def current_write_record() -> WriteRecord | None:
    """The record opened by the innermost `recording_writes()`, or None outside one."""
    return _write_record.get()


class Database:
    """An async engine plus session factory for one database URL.

    The timeouts are in seconds; see the module's docstring. `health` is the availability
    record, shared with whoever needs it (tests pass one with a clock of their own).
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        statement_timeout: float = STATEMENT_TIMEOUT_SECONDS,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
        sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS,
        health: StoreHealth | None = None,
    ) -> None:
        self.url: URL = make_url(url)
        self.backend = _backend_of(self.url)
        self.health = health if health is not None else StoreHealth()
        self._connect_timeout = connect_timeout
        self._statement_timeout = statement_timeout
        self._probe: asyncio.Task[frozenset[str]] | None = None
        if self.backend is Backend.SQLITE:
            _ensure_sqlite_directory(self.url)
            pool_options: dict[str, Any] = (
                {} if _is_in_memory(self.url) else {"pool_timeout": pool_timeout}
            )
            self._engine = create_async_engine(
                self.url,
                echo=echo,
                connect_args={"timeout": sqlite_busy_timeout},
                **pool_options,
            )
            _install_sqlite_connection_setup(self._engine, busy_timeout=sqlite_busy_timeout)
            read_engine = self._engine.execution_options(
                **{_SQLITE_BEGIN_OPTION: _SqliteBegin.DEFERRED}
            )
        else:
            self._engine = create_async_engine(
                self.url,
                echo=echo,
                connect_args=_asyncpg_connect_args(connect_timeout, statement_timeout),
                pool_size=POSTGRES_POOL_SIZE,
                max_overflow=POSTGRES_MAX_OVERFLOW,
                pool_recycle=POSTGRES_POOL_RECYCLE_SECONDS,
                pool_timeout=pool_timeout,
                pool_pre_ping=True,
            )
            read_engine = self._engine.execution_options(postgresql_readonly=True)
        _install_failure_translation(self._engine, self.health)
        _install_write_tracking(self._engine)
        self._sqlite_writer_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )
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
        Raises `StoreUnavailable` when the database cannot be reached or stops answering.
        """
        factory = self._read_sessions if read_only else self._sessions
        async with (
            self._one_sqlite_writer(read_only),
            factory() as session,
            session.begin(),
        ):
            await self._connect(session)
            yield session
            if not read_only:
                await self._note_pending_write(session)
        self.health.record_success()

    @asynccontextmanager
    async def _one_sqlite_writer(self, read_only: bool) -> AsyncIterator[None]:
        """On SQLite, one write transaction at a time in this process.

        SQLite has one writer at a time anyway; without this, concurrent turns each take a
        connection and wait in SQLite's busy handler (sleeping in growing steps), which put two
        to three seconds on the p99 of a click at concurrency 10 and, now and then, failed a
        turn after the 5 s busy timeout. Waiting here instead is FIFO and wakes at once. Nested
        write sessions in one task pass straight through (the lock is not re-entrant)."""
        if read_only or self.backend is not Backend.SQLITE or _holding_sqlite_writer.get():
            yield
            return
        lock = self._sqlite_writer_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            token = _holding_sqlite_writer.set(True)
            try:
                yield
            finally:
                _holding_sqlite_writer.reset(token)

    async def _connect(self, session: AsyncSession) -> None:
        """Take the session's connection now, so that failing to get one (connect, pool
        checkout, pre-ping, BEGIN) is told apart from whatever the caller's block does."""
        try:
            await session.connection()
        except StoreUnavailable:
            raise
        except Exception as error:
            if _is_sqlite_busy(error):
                raise  # another writer held the lock too long: contention, not an outage
            self.health.record_failure(type(error).__name__)
            raise StoreUnavailable("the database could not be reached") from error

    @staticmethod
    async def _note_pending_write(session: AsyncSession) -> None:
        await session.flush()
        connection = await session.connection()
        record = _write_record.get()
        if connection.info.pop(_WROTE, False) and record is not None:
            record.attempted = True

    async def ping(self, *, within: float = PING_TIMEOUT_SECONDS) -> None:
        """Whether the database answers: returns, or raises `StoreUnavailable` within `within`
        seconds (used by the availability gate)."""
        await self._checked_heads(within)

    async def schema_is_current(self, *, within: float = PING_TIMEOUT_SECONDS) -> bool:
        """Whether the database is at the head revision of this code's migrations (GET
        /healthz). Raises `StoreUnavailable` within `within` seconds if it does not answer."""
        current, expected = await asyncio.gather(
            self._checked_heads(within), asyncio.to_thread(_script_heads)
        )
        return current == expected

    async def is_available(self, *, wait: float = AVAILABILITY_WAIT_SECONDS) -> bool:
        """Whether a turn may use the database now, waiting at most `wait` seconds.

        Answers from `health` without a round trip while a recent success or failure stands;
        otherwise checks (one check at a time, shared by every caller).
        """
        if not self.health.needs_check():
            return self.health.state is StoreState.UP
        try:
            await self.ping(within=wait)
        except StoreUnavailable:
            return False
        return True

    async def _checked_heads(self, within: float) -> frozenset[str]:
        """The revisions recorded in the database, from a check shared by concurrent callers.

        The check runs as a task of its own and callers stop waiting for it after `timeout`:
        cancelling a connection attempt can make the driver wait seconds more to close it.
        """
        probe = self._probe
        if probe is None or probe.done() or probe.get_loop() is not asyncio.get_running_loop():
            probe = asyncio.create_task(self._read_heads(), name="database-check")
            probe.add_done_callback(_consume_outcome)
            self._probe = probe
        done, _pending = await asyncio.wait({probe}, timeout=within)
        if not done:
            self.health.record_failure("no answer in time")
            raise StoreUnavailable(f"the database did not answer within {within:g} s")
        return probe.result()

    async def _read_heads(self) -> frozenset[str]:
        try:
            async with (
                asyncio.timeout(self._connect_timeout + self._statement_timeout),
                self.session(read_only=True) as session,
            ):
                connection = await session.connection()
                return await connection.run_sync(_database_heads)
        except StoreUnavailable:
            raise
        except Exception as error:
            self.health.record_failure(type(error).__name__)
            raise StoreUnavailable("the database check failed") from error

    async def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or before reopening the same database)."""
        probe, self._probe = self._probe, None
        if probe is not None and not probe.done():
            probe.cancel()
            await asyncio.wait({probe})
        await self._engine.dispose()

    async def migrate_to_head(self) -> None:
        """Apply every pending Alembic migration, from inside the running loop.

        Alembic runs synchronously on the async connection via `run_sync`, with the connection
        handed to `storage/migrations/env.py` through `config.attributes`, so no second event
        loop is started. The whole upgrade is one transaction; on PostgreSQL an advisory lock
        makes replicas starting together migrate one after the other. On PostgreSQL it runs on a
        connection of its own whose statements may take `MIGRATION_STATEMENT_TIMEOUT_SECONDS`
        (waiting for another replica's migration included), not a turn's statement timeout.
        """
        _log.info("migrating %r to the latest schema", self)
        if self.backend is Backend.SQLITE:
            await _migrate(self._engine, advisory_lock=False)
        else:
            engine = create_async_engine(
                self.url,
                poolclass=NullPool,
                connect_args=_asyncpg_connect_args(
                    self._connect_timeout, MIGRATION_STATEMENT_TIMEOUT_SECONDS
                ),
            )
            try:
                await _migrate(engine, advisory_lock=True)
            finally:
                await engine.dispose()
        self.health.record_success()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration that needs no alembic.ini (the deployed bot may not ship one)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    if url is not None:
        # ConfigParser interpolation treats "%" specially (URL-encoded passwords contain it).
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def _migrate(engine: AsyncEngine, *, advisory_lock: bool) -> None:
    async with engine.begin() as connection:
        if advisory_lock:
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": _MIGRATION_ADVISORY_LOCK_KEY},
            )
        await connection.run_sync(_upgrade_to_head)


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@functools.cache
def _script_heads() -> frozenset[str]:
    """The head revisions of the migration scripts shipped with this code (read once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _database_heads(connection: Connection) -> frozenset[str]:
    """The revisions recorded in `alembic_version`; empty when the table does not exist."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def _consume_outcome(task: asyncio.Task[frozenset[str]]) -> None:
    """Retrieve a shared check's exception, so that a check nobody waited for to the end is not
    reported as "exception was never retrieved"."""
    if not task.cancelled():
        task.exception()


def _asyncpg_connect_args(connect_timeout: float, statement_timeout: float) -> dict[str, Any]:
    return {
        "timeout": connect_timeout,
        "command_timeout": statement_timeout + _DRIVER_TIMEOUT_MARGIN_SECONDS,
        "server_settings": {"statement_timeout": f"{round(statement_timeout * 1000):d}"},
    }


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


def _is_in_memory(url: URL) -> bool:
    """Whether a SQLite URL names an in-memory database: SQLAlchemy then shares one connection
    (no pool, so no checkout timeout) instead of pooling them as for a file."""
    return not url.database or url.database == ":memory:" or url.query.get("mode") == "memory"


def _is_sqlite_busy(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlite_errorname", None) in {"SQLITE_BUSY", "SQLITE_LOCKED"}


def _install_failure_translation(engine: AsyncEngine, health: StoreHealth) -> None:
    """Errors that mean "the database is not answering", raised while a statement runs or
    commits, become `StoreUnavailable`; the connection that had them is discarded."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> BaseException | None:
        error = context.original_exception
        if context.is_pre_ping or not isinstance(error, Exception):
            # A failed pre-ping makes the pool reconnect; failing that is seen at checkout.
            return None
        if isinstance(error, OSError):  # the driver's command timeout (TimeoutError), a reset
            context.is_disconnect = True
            health.record_failure(type(error).__name__)
            return StoreUnavailable("the database stopped answering")
        if context.is_disconnect:
            health.record_failure(type(error).__name__)
            return StoreUnavailable("the connection to the database was lost")
        if getattr(error, "sqlstate", None) == _QUERY_CANCELED:
            # The server is answering, just not this statement in time: no outage recorded.
            return StoreUnavailable("the database did not finish a statement in time")
        return None


def _install_write_tracking(engine: AsyncEngine) -> None:
    """Mark a connection whose current transaction changed rows (see `WriteRecord`)."""

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.info.pop(_WROTE, None)

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _after_execute(
        connection: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        compiled_write = context is not None and any(
            getattr(context, flag, False) for flag in ("isinsert", "isupdate", "isdelete")
        )
        if compiled_write or statement.lstrip().upper().startswith(_WRITING_STATEMENTS):
            connection.info[_WROTE] = True


def _install_sqlite_connection_setup(engine: AsyncEngine, *, busy_timeout: float) -> None:
    """Per-connection pragmas, and SQLAlchemy (not the driver) in charge of BEGIN."""
    busy_timeout_ms = round(busy_timeout * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Stop the sqlite3 driver from issuing its own (deferred, DML-only) BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms:d}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        begin = connection.get_execution_options().get(_SQLITE_BEGIN_OPTION, _SqliteBegin.IMMEDIATE)
        connection.exec_driver_sql(_SqliteBegin(begin).value)
