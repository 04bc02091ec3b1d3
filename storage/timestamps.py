"""Timezone-aware UTC timestamps in and out of both databases, and the storage layer's clock.

PostgreSQL keeps `timestamptz` natively; SQLite has no time zone type, so values are stored as
naive UTC text there and given their UTC zone back when read. Naive datetimes are refused on the
way in on both, because a naive value's meaning depends on where the process happens to run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utc_now() -> datetime:
    """The current instant, aware, in UTC (storage may read the clock; domain/ may not)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A DateTime column that accepts only aware datetimes and always returns aware UTC ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware; naive datetimes are refused")
        in_utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite's DATETIME text has no offset: store the UTC wall time.
            return in_utc.replace(tzinfo=None)
        return in_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
