"""Alembic environment for both ways the schema is migrated.

1. From a shell: `DATABASE_URL=postgresql+asyncpg://... alembic upgrade head` (or
   `python -m storage.migrate`). No event loop is running, so this module starts one with
   `asyncio.run` and migrates through `storage.db.Database`, which applies the SQLite pragmas.
2. At bot start-up: `Database.migrate_to_head()` is already inside the running loop; it hands a
   synchronous connection over in `config.attributes["connection"]` and this module uses it as is.

SQLite cannot alter most table properties in place, hence `render_as_batch` there.
"""

from __future__ import annotations

import asyncio
import logging
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from storage.db import DEFAULT_DATABASE_URL, MIGRATION_STATEMENT_TIMEOUT_SECONDS, Database
from storage.schema import metadata

_log = logging.getLogger("alembic.env")

config = context.config


def _database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline(url: str) -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str) -> None:
    # Waiting for another replica's migration lock may take longer than a turn's statement.
    database = Database(url, statement_timeout=MIGRATION_STATEMENT_TIMEOUT_SECONDS)
    _log.info("migrating %r", database)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await database.dispose()


def _main() -> None:
    handed_over = config.attributes.get("connection")
    if handed_over is not None:
        _run_on(handed_over)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = _database_url()
    if context.is_offline_mode():
        _run_offline(url)
    else:
        asyncio.run(_run_online(url))


_main()
