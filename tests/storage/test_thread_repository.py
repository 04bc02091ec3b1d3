"""ThreadRepository: round trips, references, versions, listing, audit trail."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, literal, select, text
from sqlalchemy.engine import Connection

from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    EventKind,
    Person,
    ThreadState,
)
from storage.db import Database
from storage.repositories import ConcurrencyConflict, ThreadNotFoundError, ThreadRepository
from storage.schema import escalation_threads
from tests.storage.factories import LINE_MANAGER, OPENED_AT, RAISER, make_thread


async def _add(database: Database, *threads: EscalationThread) -> None:
    async with database.session() as session:
        repository = ThreadRepository(session)
        for thread in threads:
            await repository.add(thread)


async def _get(database: Database, reference: str) -> EscalationThread | None:
    async with database.session(read_only=True) as session:
        return await ThreadRepository(session).get(reference)


async def test_thread_round_trips_every_field(database: Database) -> None:
    thread = make_thread()
    await _add(database, thread)

    loaded = await _get(database, thread.reference)

    assert loaded == thread


async def test_thread_without_optional_people_or_deadline_round_trips(database: Database) -> None:
    thread = make_thread(
        state=ThreadState.RESOLVED,
        other_practitioner=None,
        line_manager=None,
        deadline=None,
        urgent=False,
        urgent_reason=None,
        raised_by=Person(name="Sam Patel"),
        template_answers={},
        agreed_actions=(),
        rethink_options=(),
    )
    await _add(database, thread)

    assert await _get(database, thread.reference) == thread


async def test_rethink_options_round_trip_in_the_order_chosen(database: Database) -> None:
    thread = make_thread(
        state=ThreadState.STRATEGY_1,
        deadline=date(2026, 3, 5),
        is_lead_professional=False,
        rethink_options=("s1_restorative_conversation",),
    )
    await _add(database, thread)
    loaded = await _get(database, thread.reference)
    assert loaded is not None
    assert loaded.rethink_options == ("s1_restorative_conversation",)

    chosen_again = replace(
        thread, version=2, rethink_options=("s1_restorative_conversation", "s1_consult_hips")
    )
    async with database.session() as session:
        await ThreadRepository(session).save(chosen_again, expected_version=1)

    reloaded = await _get(database, thread.reference)
    assert reloaded is not None
    assert reloaded.rethink_options == ("s1_restorative_conversation", "s1_consult_hips")
    assert reloaded == chosen_again


async def test_a_thread_row_written_without_rethink_options_loads_with_none_chosen(
    database: Database,
) -> None:
    thread = make_thread(rethink_options=())
    await _add(database, thread)
    copied = [
        column
        for column in escalation_threads.columns
        if column.name not in {"id", "reference", "rethink_options"}
    ]
    # A copy of the row that leaves the column out, so only the database default can fill it.
    async with database.session() as session:
        await session.execute(
            insert(escalation_threads).from_select(
                ["reference", *(column.name for column in copied)],
                select(literal("ESC-2026-0002"), *copied),
            )
        )

    loaded = await _get(database, "ESC-2026-0002")
    assert loaded is not None
    assert loaded.rethink_options == ()


async def test_loaded_timestamps_are_aware_utc(database: Database) -> None:
    thread = make_thread(opened_at=datetime(2026, 6, 1, 23, 30, tzinfo=UTC))
    await _add(database, thread)

    loaded = await _get(database, thread.reference)

    assert loaded is not None
    assert loaded.opened_at.tzinfo is UTC
    assert loaded.opened_at == datetime(2026, 6, 1, 23, 30, tzinfo=UTC)


async def test_unknown_reference_gives_none(database: Database) -> None:
    assert await _get(database, "ESC-2026-9999") is None


async def test_references_are_sequential_within_a_year_and_restart_each_year(
    database: Database,
) -> None:
    async with database.session() as session:
        repository = ThreadRepository(session)
        allocated = [
            await repository.allocate_reference(2026),
            await repository.allocate_reference(2026),
            await repository.allocate_reference(2027),
            await repository.allocate_reference(2026),
        ]
    assert allocated == ["ESC-2026-0001", "ESC-2026-0002", "ESC-2027-0001", "ESC-2026-0003"]


class AbandonedError(Exception):
    """Raised by a test to abandon a transaction half way through."""


async def test_rolled_back_allocation_frees_its_number(database: Database) -> None:
    async def allocate_then_abandon() -> None:
        async with database.session() as session:
            await ThreadRepository(session).allocate_reference(2026)
            raise AbandonedError

    with pytest.raises(AbandonedError):
        await allocate_then_abandon()
    async with database.session() as session:
        assert await ThreadRepository(session).allocate_reference(2026) == "ESC-2026-0001"


async def test_concurrent_allocations_never_share_a_number(database: Database) -> None:
    async def allocate() -> str:
        async with database.session() as session:
            reference = await ThreadRepository(session).allocate_reference(2026)
            await asyncio.sleep(0.01)  # hold the transaction open while others try
            return reference

    references = await asyncio.gather(*(allocate() for _ in range(12)))

    assert sorted(references) == [f"ESC-2026-{number:04d}" for number in range(1, 13)]


async def test_save_replaces_fields_and_agreed_actions(database: Database) -> None:
    thread = make_thread()
    await _add(database, thread)
    escalated = replace(
        thread,
        state=ThreadState.STAGE_3,
        stage_started_on=date(2026, 3, 4),
        deadline=date(2026, 3, 6),
        urgent=False,
        urgent_reason=None,
        line_manager=None,
        version=2,
        template_answers={"decision_of_concern": "Revised wording"},
        agreed_actions=(
            replace(thread.agreed_actions[0], done=True),
            AgreedAction(what="Call the GP", who="Sam Patel", by_when=date(2026, 3, 6)),
            AgreedAction(what="Update the chronology", who="Jo Clarke", by_when=date(2026, 3, 7)),
        ),
    )

    async with database.session() as session:
        await ThreadRepository(session).save(escalated, expected_version=1)

    assert await _get(database, thread.reference) == escalated


async def test_save_with_stale_version_raises_conflict_and_changes_nothing(
    database: Database,
) -> None:
    thread = make_thread()
    await _add(database, thread)
    async with database.session() as session:
        await ThreadRepository(session).save(
            replace(thread, state=ThreadState.STAGE_3, version=2), expected_version=1
        )

    stale = replace(thread, state=ThreadState.WITHDRAWN, version=2, agreed_actions=())
    with pytest.raises(ConcurrencyConflict):
        async with database.session() as session:
            await ThreadRepository(session).save(stale, expected_version=1)

    current = await _get(database, thread.reference)
    assert current == replace(thread, state=ThreadState.STAGE_3, version=2)


async def test_concurrent_saves_of_the_same_version_let_exactly_one_win(
    database: Database,
) -> None:
    thread = make_thread()
    await _add(database, thread)

    async def save(state: ThreadState) -> bool:
        try:
            async with database.session() as session:
                await ThreadRepository(session).save(
                    replace(thread, state=state, version=2), expected_version=1
                )
                await asyncio.sleep(0.02)
        except ConcurrencyConflict:
            return False
        return True

    outcomes = await asyncio.gather(save(ThreadState.STAGE_3), save(ThreadState.RESOLVED))

    assert sorted(outcomes) == [False, True]


async def test_save_of_unknown_thread_raises_not_found(database: Database) -> None:
    with pytest.raises(ThreadNotFoundError):
        async with database.session() as session:
            await ThreadRepository(session).save(make_thread(version=2), expected_version=1)


async def test_save_refuses_a_version_that_does_not_follow_the_expected_one(
    database: Database,
) -> None:
    thread = make_thread()
    await _add(database, thread)
    with pytest.raises(ValueError, match="versions go up by one"):
        async with database.session() as session:
            await ThreadRepository(session).save(thread, expected_version=1)


async def test_list_for_user_gives_their_open_threads_newest_first(database: Database) -> None:
    someone_else = Person(name="Pat Jones", user_id="aad-pat")
    oldest = make_thread("ESC-2026-0001", opened_at=OPENED_AT)
    closed = make_thread(
        "ESC-2026-0002", opened_at=OPENED_AT + timedelta(days=1), state=ThreadState.RESOLVED
    )
    newest = make_thread(
        "ESC-2026-0003", opened_at=OPENED_AT + timedelta(days=2), state=ThreadState.STRATEGY_1
    )
    withdrawn = make_thread(
        "ESC-2026-0004", opened_at=OPENED_AT + timedelta(days=3), state=ThreadState.WITHDRAWN
    )
    not_theirs = make_thread("ESC-2026-0005", raised_by=someone_else)
    await _add(database, oldest, closed, newest, withdrawn, not_theirs)

    async with database.session(read_only=True) as session:
        repository = ThreadRepository(session)
        open_threads = await repository.list_for_user(RAISER.user_id or "")
        every_thread = await repository.list_for_user(RAISER.user_id or "", open_only=False)
        nobody = await repository.list_for_user("aad-unknown")

    assert open_threads == [newest, oldest]
    assert every_thread == [withdrawn, newest, closed, oldest]
    assert nobody == []


async def test_list_for_user_loads_agreed_actions_in_one_query(database: Database) -> None:
    threads = [
        make_thread(f"ESC-2026-{number:04d}", opened_at=OPENED_AT + timedelta(hours=number))
        for number in range(1, 6)
    ]
    await _add(database, *threads)
    statements: list[str] = []

    def record(
        _connection: Connection,
        _cursor: object,
        statement: str,
        _parameters: object,
        _context: object,
        _executemany: bool,
    ) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with database.session(read_only=True) as session:
            listed = await ThreadRepository(session).list_for_user(RAISER.user_id or "")
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)

    assert listed == list(reversed(threads))
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 2


async def test_events_come_back_in_the_order_appended(database: Database) -> None:
    thread = make_thread()
    await _add(database, thread)
    later = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    first_batch = [
        AuditEvent(
            kind=EventKind.OPENED,
            actor=RAISER,
            at=later,  # timestamps need not be in order: the trail keeps append order
            from_state=None,
            to_state=ThreadState.STAGE_1,
        ),
        AuditEvent(
            kind=EventKind.NOTE_ADDED,
            actor=Person(name="Sam Patel"),
            at=later - timedelta(hours=1),
            from_state=ThreadState.STAGE_1,
            to_state=ThreadState.STAGE_1,
            note="Spoke to the health visitor",
        ),
    ]
    second_batch = [
        AuditEvent(
            kind=EventKind.STAGE_ESCALATED,
            actor=LINE_MANAGER,
            at=later + timedelta(days=1),
            from_state=ThreadState.STAGE_1,
            to_state=ThreadState.STAGE_2,
            note="No agreement reached",
        )
    ]
    async with database.session() as session:
        repository = ThreadRepository(session)
        await repository.append_events(thread.reference, first_batch)
        await repository.append_events(thread.reference, [])
    async with database.session() as session:
        await ThreadRepository(session).append_events(thread.reference, second_batch)

    async with database.session(read_only=True) as session:
        events = await ThreadRepository(session).events(thread.reference)

    assert events == [*first_batch, *second_batch]
    assert all(event.at.tzinfo is UTC for event in events)


async def test_events_of_one_thread_do_not_include_another_threads(database: Database) -> None:
    mine, theirs = make_thread("ESC-2026-0001"), make_thread("ESC-2026-0002")
    await _add(database, mine, theirs)
    opened = AuditEvent(
        kind=EventKind.OPENED,
        actor=RAISER,
        at=OPENED_AT,
        from_state=None,
        to_state=ThreadState.STAGE_1,
    )
    async with database.session() as session:
        await ThreadRepository(session).append_events(theirs.reference, [opened])
        assert await ThreadRepository(session).events(mine.reference) == []


async def test_appending_events_to_an_unknown_thread_raises_not_found(database: Database) -> None:
    with pytest.raises(ThreadNotFoundError):
        async with database.session() as session:
            await ThreadRepository(session).append_events("ESC-2026-0404", [])


async def test_repository_does_not_commit_for_its_caller(database: Database) -> None:
    async def add_then_abandon() -> None:
        async with database.session() as session:
            await ThreadRepository(session).add(make_thread())
            raise AbandonedError

    with pytest.raises(AbandonedError):
        await add_then_abandon()
    async with database.session(read_only=True) as session:
        count = await session.scalar(text("SELECT count(*) FROM escalation_threads"))
    assert count == 0
