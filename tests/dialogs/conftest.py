"""Dialog-test fixtures: the whole bot on a migrated database, driven through TestAdapter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from settings import Settings
from storage.db import Database
from tests.support.dialog_driver import BotDriver, FixedClock

# Monday 23 November 2026, 10:00 in London (GMT).
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    values: dict[str, Any] = {"_env_file": None, "local_mode": True}
    return Settings(**values, database_url=database_url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_MORNING)


@pytest.fixture
def driver(settings: Settings, database: Database, clock: FixedClock) -> BotDriver:
    return BotDriver(settings, database, clock)
