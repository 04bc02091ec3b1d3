"""OutboxRepository: enqueue, claim under a lease, lease expiry, sent, failed, cancel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.model import Person, PlannedReminder, ReminderKind, ThreadState
from storage.db import Database
from storage.records import OutboxItem, OutboxStatus
from storage.repositories import OutboxRepository, ThreadNotFoundError, ThreadRepository
from storage.schema import reminder_outbox
from tests.storage.factories import RAISER, make_thread

NINE_AM = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _reminder(
    due_at: datetime, kind: ReminderKind = ReminderKind.STAGE_DUE, recipient: Person = RAISER
) -> PlannedReminder:
    return PlannedReminder(kind=kind, due_at=due_at, recipient=recipient, state=ThreadState.STAGE_2)


async def _thread_with_reminders(
    database: Database, reference: str, *reminders: PlannedReminder
) -> None:
    async with database.session() as session:
        await ThreadRepository(session).add(make_thread(reference))
        await OutboxRepository(session).enqueue(reference, reminders)


async def _claim(
    database: Database, now: datetime, owner: str = "replica-a", limit: int = 10
) -> list[OutboxItem]:
    async with database.session() as session:
        return await OutboxRepository(session).claim_due(
            now=now, owner=owner, lease=LEASE, limit=limit
        )


async def _row(database: Database, item_id: int) -> dict[str, object]:
    async with database.session(read_only=True) as session:
        row = (
            await session.execute(select(reminder_outbox).where(reminder_outbox.c.id == item_id))
        ).one()
    return dict(row._mapping)


async def test_claim_takes_only_due_reminders_earliest_first(database: Database) -> None:
    await _thread_with_reminders(
        database,
        "ESC-2026-0001",
        _reminder(NINE_AM + timedelta(minutes=1)),
        _reminder(NINE_AM - timedelta(days=1), kind=ReminderKind.STAGE_OVERDUE),
        _reminder(NINE_AM),
    )

    claimed = await _claim(database, NINE_AM)

    assert [item.due_at for item in claimed] == [NINE_AM - timedelta(days=1), NINE_AM]
    overdue = claimed[0]
    assert overdue.thread_reference == "ESC-2026-0001"
    assert overdue.kind is ReminderKind.STAGE_OVERDUE
    assert overdue.state is ThreadState.STAGE_2
    assert overdue.recipient == RAISER
    assert overdue.status is OutboxStatus.SENDING
    assert overdue.attempts == 1
    assert overdue.lease_owner == "replica-a"
    assert overdue.lease_expires_at == NINE_AM + LEASE
    assert overdue.due_at.tzinfo is UTC


async def test_claim_respects_the_limit(database: Database) -> None:
    await _thread_with_reminders(
        database, "ESC-2026-0001", *(_reminder(NINE_AM - timedelta(minutes=n)) for n in range(5))
    )

    first = await _claim(database, NINE_AM, limit=2)
    second = await _claim(database, NINE_AM, limit=10)

    assert len(first) == 2
    assert len(second) == 3
    assert {item.id for item in first}.isdisjoint(item.id for item in second)


async def test_a_leased_reminder_is_not_claimed_again_until_the_lease_expires(
    database: Database,
) -> None:
    await _thread_with_reminders(database, "ESC-2026-0001", _reminder(NINE_AM))
    [claimed] = await _claim(database, NINE_AM, owner="replica-a")

    during_lease = await _claim(database, NINE_AM + LEASE - timedelta(seconds=1), owner="replica-b")
    after_lease = await _claim(database, NINE_AM + LEASE, owner="replica-b")

    assert during_lease == []
    assert [item.id for item in after_lease] == [claimed.id]
    assert after_lease[0].lease_owner == "replica-b"
    assert after_lease[0].attempts == 2
    assert after_lease[0].lease_expires_at == NINE_AM + LEASE + LEASE


async def test_mark_sent_records_the_activity_and_ends_the_lease(database: Database) -> None:
    await _thread_with_reminders(database, "ESC-2026-0001", _reminder(NINE_AM))
    [claimed] = await _claim(database, NINE_AM)
    sent_at = NINE_AM + timedelta(seconds=2)

    async with database.session() as session:
        await OutboxRepository(session).mark_sent(claimed.id, activity_id="1:activity", at=sent_at)

    row = await _row(database, claimed.id)
    assert row["status"] is OutboxStatus.SENT
    assert row["sent_activity_id"] == "1:activity"
    assert row["lease_owner"] is None
    assert row["lease_expires_at"] is None
    assert row["updated_at"] == sent_at
    assert await _claim(database, NINE_AM + timedelta(days=1)) == []


async def test_mark_sent_does_nothing_to_an_item_that_is_not_being_sent(
    database: Database,
) -> None:
    await _thread_with_reminders(database, "ESC-2026-0001", _reminder(NINE_AM + timedelta(days=1)))
    async with database.session(read_only=True) as session:
        item_id = await session.scalar(select(reminder_outbox.c.id))
    assert item_id is not None

    async with database.session() as session:
        await OutboxRepository(session).mark_sent(int(item_id), activity_id="x", at=NINE_AM)

    assert (await _row(database, int(item_id)))["status"] is OutboxStatus.PENDING


async def test_mark_failed_with_retry_puts_the_reminder_back_for_later(database: Database) -> None:
    await _thread_with_reminders(database, "ESC-2026-0001", _reminder(NINE_AM))
    [claimed] = await _claim(database, NINE_AM)
    retry_at = NINE_AM + timedelta(minutes=10)

    async with database.session() as session:
        await OutboxRepository(session).mark_failed(
            claimed.id, error="ErrorResponseException:429", retry_at=retry_at, at=NINE_AM
        )

    row = await _row(database, claimed.id)
    assert row["status"] is OutboxStatus.PENDING
    assert row["due_at"] == retry_at
    assert row["last_error"] == "ErrorResponseException:429"
    assert row["lease_owner"] is None
    assert await _claim(database, retry_at - timedelta(seconds=1)) == []
    [again] = await _claim(database, retry_at)
    assert (again.id, again.attempts) == (claimed.id, 2)


async def test_mark_failed_without_retry_gives_up(database: Database) -> None:
    await _thread_with_reminders(database, "ESC-2026-0001", _reminder(NINE_AM))
    [claimed] = await _claim(database, NINE_AM)

    async with database.session() as session:
        await OutboxRepository(session).mark_failed(
            claimed.id, error="BotNotInConversationRoster", retry_at=None, at=NINE_AM
        )

    row = await _row(database, claimed.id)
    assert row["status"] is OutboxStatus.FAILED
    assert row["last_error"] == "BotNotInConversationRoster"
    assert await _claim(database, NINE_AM + timedelta(days=7)) == []


@pytest.mark.parametrize(
    "error",
    ["", "Could not deliver: Sam said the child is at risk", "x" * 201, "line\nbreak"],
    ids=["empty", "sentence", "too-long", "newline"],
)
async def test_mark_failed_refuses_anything_but_an_error_code(
    database: Database, error: str
) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="error class or status"):
            await OutboxRepository(session).mark_failed(1, error=error, retry_at=None, at=NINE_AM)


async def test_cancel_pending_cancels_only_that_threads_waiting_reminders(
    database: Database,
) -> None:
    await _thread_with_reminders(
        database, "ESC-2026-0001", _reminder(NINE_AM), _reminder(NINE_AM + timedelta(days=1))
    )
    await _thread_with_reminders(database, "ESC-2026-0002", _reminder(NINE_AM + timedelta(days=1)))
    [in_flight] = await _claim(database, NINE_AM)

    async with database.session() as session:
        outbox = OutboxRepository(session)
        cancelled = await outbox.cancel_pending("ESC-2026-0001")
        cancelled_again = await outbox.cancel_pending("ESC-2026-0001")
        unknown = await outbox.cancel_pending("ESC-2026-0404")

    assert (cancelled, cancelled_again, unknown) == (1, 0, 0)
    async with database.session(read_only=True) as session:
        statuses = (
            await session.execute(
                select(reminder_outbox.c.id, reminder_outbox.c.status).order_by(
                    reminder_outbox.c.id
                )
            )
        ).all()
    first_id = in_flight.id
    assert [(row.id - first_id, row.status) for row in statuses] == [
        (0, OutboxStatus.SENDING),  # in flight: its dispatcher checks the thread before sending
        (1, OutboxStatus.CANCELLED),
        (2, OutboxStatus.PENDING),  # another thread's reminder
    ]


async def test_enqueue_for_an_unknown_thread_raises_not_found(database: Database) -> None:
    with pytest.raises(ThreadNotFoundError):
        async with database.session() as session:
            await OutboxRepository(session).enqueue("ESC-2026-0404", [_reminder(NINE_AM)])


async def test_enqueue_keeps_a_recipient_without_a_teams_id(database: Database) -> None:
    by_email_only = Person(name="Jo Clarke", email="jo.clarke@example.org")
    await _thread_with_reminders(
        database, "ESC-2026-0001", _reminder(NINE_AM, recipient=by_email_only)
    )

    [claimed] = await _claim(database, NINE_AM)

    assert claimed.recipient == by_email_only


@pytest.mark.parametrize(("limit", "lease"), [(0, LEASE), (1, timedelta(0))])
async def test_claim_refuses_a_non_positive_limit_or_lease(
    database: Database, limit: int, lease: timedelta
) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="must be"):
            await OutboxRepository(session).claim_due(
                now=NINE_AM, owner="replica-a", lease=lease, limit=limit
            )


@pytest.mark.postgres
async def test_two_dispatchers_claiming_at_once_never_take_the_same_row(
    postgres_database: Database,
) -> None:
    await _thread_with_reminders(
        postgres_database,
        "ESC-2026-0001",
        *(_reminder(NINE_AM - timedelta(minutes=n)) for n in range(6)),
    )
    first_claimed = asyncio.Event()
    second_done = asyncio.Event()

    async def first_dispatcher() -> list[OutboxItem]:
        async with postgres_database.session() as session:
            items = await OutboxRepository(session).claim_due(
                now=NINE_AM, owner="replica-a", lease=LEASE, limit=3
            )
            first_claimed.set()
            # Keep the row locks until the other dispatcher has claimed.
            await asyncio.wait_for(second_done.wait(), timeout=10)
            return items

    async def second_dispatcher() -> list[OutboxItem]:
        await first_claimed.wait()
        async with postgres_database.session() as session:
            # The first transaction has not committed: without SKIP LOCKED this would block
            # on its rows (and the test would time out) instead of taking the others.
            items = await asyncio.wait_for(
                OutboxRepository(session).claim_due(
                    now=NINE_AM, owner="replica-b", lease=LEASE, limit=10
                ),
                timeout=5,
            )
        second_done.set()
        return items

    first, second = await asyncio.gather(first_dispatcher(), second_dispatcher())

    assert len(first) == 3
    assert len(second) == 3
    assert {item.id for item in first}.isdisjoint(item.id for item in second)
    assert {item.lease_owner for item in second} == {"replica-b"}


@pytest.mark.postgres
async def test_many_concurrent_dispatchers_claim_each_row_once(
    postgres_database: Database,
) -> None:
    await _thread_with_reminders(
        postgres_database,
        "ESC-2026-0001",
        *(_reminder(NINE_AM - timedelta(seconds=n)) for n in range(40)),
    )

    batches = await asyncio.gather(
        *(_claim(postgres_database, NINE_AM, owner=f"replica-{n}", limit=7) for n in range(8))
    )

    claimed_ids = [item.id for batch in batches for item in batch]
    assert len(claimed_ids) == 40
    assert len(set(claimed_ids)) == 40
