"""The Alembic migration: up, down and up again, and no drift from storage.schema."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from domain.model import AuditEvent, EventKind, Person, ThreadState
from storage.db import Database, alembic_config
from storage.repositories import ThreadRepository
from storage.schema import metadata
from tests.storage.factories import make_thread

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
APPLICATION_TABLES = {
    "escalation_threads",
    "thread_reference_counters",
    "audit_events",
    "agreed_actions",
    "reminder_outbox",
    "conversation_references",
    "dialog_state",
    "inbound_activities",
}


async def _table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, metadata))


async def test_upgrade_then_downgrade_then_upgrade_through_alembic_api(database_url: str) -> None:
    database = Database(database_url)
    config = alembic_config(database_url)
    try:
        assert await _table_names(database) == set()

        # Alembic's command API runs env.py, which starts its own event loop: give it a thread.
        await asyncio.to_thread(command.upgrade, config, "head")
        assert await _table_names(database) == APPLICATION_TABLES

        await asyncio.to_thread(command.downgrade, config, "base")
        assert await _table_names(database) == set()

        await asyncio.to_thread(command.upgrade, config, "head")
        assert await _table_names(database) == APPLICATION_TABLES
    finally:
        await database.dispose()


async def test_migrated_schema_matches_the_sqlalchemy_metadata(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == []


async def test_migrate_to_head_is_idempotent_and_records_the_revision(database: Database) -> None:
    await database.migrate_to_head()
    async with database.session(read_only=True) as session:
        versions = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert [row[0] for row in versions] == ["0002"]


@pytest.mark.postgres
async def test_replicas_migrating_at_the_same_time_both_succeed(
    postgres_database_url: str,
) -> None:
    first, second = Database(postgres_database_url), Database(postgres_database_url)
    try:
        await asyncio.gather(first.migrate_to_head(), second.migrate_to_head())
        assert await _table_names(first) == APPLICATION_TABLES
    finally:
        await first.dispose()
        await second.dispose()


def _run(arguments: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        arguments,
        cwd=REPOSITORY_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_documented_alembic_command_migrates_the_database_in_database_url(
    database_url: str,
) -> None:
    alembic = Path(sys.executable).with_name("alembic")
    result = await asyncio.to_thread(_run, [str(alembic), "upgrade", "head"], database_url)
    assert result.returncode == 0, result.stderr
    database = Database(database_url)
    try:
        assert await _table_names(database) == APPLICATION_TABLES
    finally:
        await database.dispose()


async def test_storage_migrate_module_upgrades_and_downgrades(database_url: str) -> None:
    upgraded = await asyncio.to_thread(
        _run, [sys.executable, "-m", "storage.migrate"], database_url
    )
    assert upgraded.returncode == 0, upgraded.stderr
    database = Database(database_url)
    try:
        assert await _table_names(database) == APPLICATION_TABLES
        downgraded = await asyncio.to_thread(
            _run, [sys.executable, "-m", "storage.migrate", "downgrade", "base"], database_url
        )
        assert downgraded.returncode == 0, downgraded.stderr
        assert await _table_names(database) == set()
    finally:
        await database.dispose()


async def _insert_event(database: Database) -> None:
    async with database.session() as session:
        threads = ThreadRepository(session)
        thread = make_thread()
        await threads.add(thread)
        opened = AuditEvent(
            kind=EventKind.OPENED,
            actor=Person(name="Sam Patel"),
            at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            from_state=None,
            to_state=ThreadState.STAGE_1,
        )
        await threads.append_events(thread.reference, [opened])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET note = 'rewritten'",
        "DELETE FROM audit_events",
    ],
    ids=["update", "delete"],
)
async def test_database_rejects_changes_to_audit_events(database: Database, statement: str) -> None:
    await _insert_event(database)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.session() as session:
            await session.execute(text(statement))
    async with database.session(read_only=True) as session:
        notes = (await session.execute(text("SELECT note FROM audit_events"))).all()
    assert [row[0] for row in notes] == [None]
