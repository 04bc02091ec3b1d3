"""Pytest plugin: real test databases, SQLite always and PostgreSQL when TEST_DATABASE_URL is set.

`database_url` is parametrised over both backends, so every test that uses it (or `database`)
runs twice. SQLite gets a fresh file under `tmp_path`. PostgreSQL gets a throwaway database
created for the one test (from the server's database named in TEST_DATABASE_URL) and dropped
with `WITH (FORCE)` afterwards, so parallel runs and other developers never share tables.
Loaded by `tests/conftest.py`; usable from any test folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from storage.db import Database

TEST_DATABASE_URL_VARIABLE = "TEST_DATABASE_URL"
POSTGRES_SKIP_REASON = "TEST_DATABASE_URL is not set: PostgreSQL tests skipped (set it to run them)"


def sqlite_url(directory: Path) -> str:
    """A URL for a new SQLite database file in `directory`."""
    return f"sqlite+aiosqlite:///{directory / 'bot.db'}"


def _asyncpg_dsn(url: URL) -> str:
    """The same server and credentials in the plain `postgresql://` form asyncpg accepts."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _create_postgres_database(server_url: URL) -> URL:
    name = f"test_{secrets.token_hex(8)}"
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.set(database=name)


async def _drop_postgres_database(server_url: URL, name: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def _throwaway_postgres_database() -> AsyncIterator[str]:
    configured = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if not configured:
        pytest.skip(POSTGRES_SKIP_REASON)
    server_url = make_url(configured)
    test_url = await _create_postgres_database(server_url)
    try:
        yield test_url.render_as_string(hide_password=False)
    finally:
        await _drop_postgres_database(server_url, str(test_url.database))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database's URL: a SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    async with _throwaway_postgres_database() as url:
        yield url


@pytest.fixture
async def postgres_database_url() -> AsyncIterator[str]:
    """An empty throwaway PostgreSQL database, for behaviour only PostgreSQL has (mark the test
    `postgres`); skipped when TEST_DATABASE_URL is not set."""
    async with _throwaway_postgres_database() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A `Database` on `database_url`, migrated to the latest schema and disposed afterwards."""
    opened = Database(database_url)
    try:
        await opened.migrate_to_head()
        yield opened
    finally:
        await opened.dispose()


@pytest.fixture
async def postgres_database(postgres_database_url: str) -> AsyncIterator[Database]:
    """A migrated `Database` on a throwaway PostgreSQL database (mark the test `postgres`)."""
    opened = Database(postgres_database_url)
    try:
        await opened.migrate_to_head()
        yield opened
    finally:
        await opened.dispose()
