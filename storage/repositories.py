"""Repositories: rows <-> domain dataclasses for threads, reminders and conversation references.

Each repository works inside a session its caller opened (`Database.session()`) and never
commits, so a handler can save a thread, its audit events and its reminders in one transaction.
Statements are written to be safe under concurrency on PostgreSQL (conditional updates,
`ON CONFLICT`, `FOR UPDATE SKIP LOCKED`); on SQLite the single write lock serialises writers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Row, and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    Person,
    PlannedReminder,
    ThreadState,
    format_thread_reference,
)
from storage.records import ConversationType, OutboxItem, OutboxStatus, StoredConversationReference
from storage.schema import (
    USER_ID_LENGTH,
    agreed_actions,
    audit_events,
    conversation_references,
    escalation_threads,
    inbound_activities,
    reminder_outbox,
    thread_reference_counters,
)
from storage.timestamps import utc_now

__all__ = [
    "Clock",
    "ConcurrencyConflict",
    "ConversationReferenceRepository",
    "ConversationType",
    "OutboxItem",
    "OutboxRepository",
    "OutboxStatus",
    "StoredConversationReference",
    "ThreadNotFoundError",
    "ThreadRepository",
]

Clock = Callable[[], datetime]

_OPEN_STATES: Final = tuple(state for state in ThreadState if state.is_open)

# An error recorded on an outbox row names a class or a status ("ErrorResponseException:429",
# "BotNotInConversationRoster"); no spaces, so no sentence a person typed can end up there.
_ERROR_CODE = re.compile(rf"[A-Za-z0-9_.:/-]{{1,{USER_ID_LENGTH}}}")


class ConcurrencyConflict(Exception):
    """Someone else changed the thread first: reload it and decide again."""

    def __init__(self, reference: str, expected_version: int) -> None:
        super().__init__(
            f"thread {reference} is no longer at version {expected_version}; reload and retry"
        )
        self.reference = reference
        self.expected_version = expected_version


class ThreadNotFoundError(LookupError):
    """No thread has this reference."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no thread with reference {reference}")
        self.reference = reference


def _insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT construct, which is the one that knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


async def _thread_id(session: AsyncSession, reference: str) -> int:
    thread_id = await session.scalar(
        select(escalation_threads.c.id).where(escalation_threads.c.reference == reference)
    )
    if thread_id is None:
        raise ThreadNotFoundError(reference)
    return int(thread_id)


def _person(name: str | None, email: str | None, user_id: str | None) -> Person | None:
    if name is None:
        return None
    return Person(name=name, email=email, user_id=user_id)


def _person_columns(prefix: str, person: Person | None) -> dict[str, str | None]:
    return {
        f"{prefix}_name": person.name if person else None,
        f"{prefix}_email": person.email if person else None,
        f"{prefix}_user_id": person.user_id if person else None,
    }


class ThreadRepository:
    """Escalation threads with their agreed actions, reference numbers and audit trail."""

    def __init__(self, session: AsyncSession, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    async def allocate_reference(self, year: int) -> str:
        """The next reference of `year` ("ESC-2026-0001", then 0002 ...), in one atomic statement.

        The counter row stays locked until the caller's transaction ends, so concurrent
        allocations queue and never share a number; a rolled-back allocation frees its number.
        """
        counters = thread_reference_counters
        upsert = _insert_for(self._session)(counters).values(year=year, last_number=1)
        statement = upsert.on_conflict_do_update(
            index_elements=[counters.c.year],
            set_={"last_number": counters.c.last_number + 1},
        ).returning(counters.c.last_number)
        number = (await self._session.execute(statement)).scalar_one()
        return format_thread_reference(year, int(number))

    async def add(self, thread: EscalationThread, *, intake_key: str | None = None) -> None:
        """Insert a new thread and its agreed actions.

        `intake_key` names the intake that opened it; a second thread with the same key is
        refused by a unique index (IntegrityError), so one intake opens one thread.
        """
        now = self._clock()
        thread_id = (
            await self._session.execute(
                insert(escalation_threads)
                .values(**_thread_columns(thread), updated_at=now, intake_key=intake_key)
                .returning(escalation_threads.c.id)
            )
        ).scalar_one()
        await self._insert_actions(int(thread_id), thread.agreed_actions)

    async def reference_opened_by(self, intake_key: str) -> str | None:
        """The reference of the thread the intake `intake_key` opened, if it opened one."""
        reference = await self._session.scalar(
            select(escalation_threads.c.reference).where(
                escalation_threads.c.intake_key == intake_key
            )
        )
        return None if reference is None else str(reference)

    async def get(self, reference: str) -> EscalationThread | None:
        row = (
            await self._session.execute(
                select(escalation_threads).where(escalation_threads.c.reference == reference)
            )
        ).one_or_none()
        if row is None:
            return None
        actions = await self._actions_of([row.id])
        return _thread_from_row(row, actions.get(row.id, ()))

    async def save(self, thread: EscalationThread, *, expected_version: int) -> None:
        """Replace the stored thread, provided nobody saved a newer version in the meantime.

        `thread.version` must be `expected_version + 1` (the domain increments it). Raises
        ConcurrencyConflict when the stored version is not `expected_version`, and
        ThreadNotFoundError when there is no such thread. Agreed actions are replaced to match.
        """
        if thread.version != expected_version + 1:
            raise ValueError(
                f"thread {thread.reference} at version {thread.version} cannot replace "
                f"version {expected_version}: versions go up by one"
            )
        thread_id = (
            await self._session.execute(
                update(escalation_threads)
                .where(
                    escalation_threads.c.reference == thread.reference,
                    escalation_threads.c.version == expected_version,
                )
                .values(**_thread_columns(thread), updated_at=self._clock())
                .returning(escalation_threads.c.id)
            )
        ).scalar_one_or_none()
        if thread_id is None:
            await _thread_id(self._session, thread.reference)  # ThreadNotFoundError if absent
            raise ConcurrencyConflict(thread.reference, expected_version)
        await self._session.execute(
            delete(agreed_actions).where(agreed_actions.c.thread_id == thread_id)
        )
        await self._insert_actions(int(thread_id), thread.agreed_actions)

    async def list_for_user(
        self, user_id: str, *, open_only: bool = True
    ) -> list[EscalationThread]:
        """Threads raised by `user_id`, newest first; two queries whatever the number of threads."""
        query = select(escalation_threads).where(escalation_threads.c.raised_by_user_id == user_id)
        if open_only:
            query = query.where(escalation_threads.c.state.in_(_OPEN_STATES))
        query = query.order_by(
            escalation_threads.c.opened_at.desc(), escalation_threads.c.id.desc()
        )
        rows = (await self._session.execute(query)).all()
        actions = await self._actions_of([row.id for row in rows])
        return [_thread_from_row(row, actions.get(row.id, ())) for row in rows]

    async def append_events(
        self, reference: str, events: Sequence[AuditEvent], *, request_key: str | None = None
    ) -> None:
        """Append to the thread's audit trail (there is deliberately no update or delete).

        `request_key` names the click that made the change (see `was_made_by`).
        """
        thread_id = await _thread_id(self._session, reference)
        if not events:
            return
        await self._session.execute(
            insert(audit_events),
            [
                {
                    "thread_id": thread_id,
                    "kind": event.kind,
                    "actor_name": event.actor.name,
                    "actor_email": event.actor.email,
                    "actor_user_id": event.actor.user_id,
                    "at": event.at,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "note": event.note,
                    "request_key": request_key,
                }
                for event in events
            ],
        )

    async def was_made_by(self, reference: str, request_key: str) -> bool:
        """Whether a change to the thread was made by the click `request_key`."""
        found = await self._session.scalar(
            select(audit_events.c.id)
            .join(escalation_threads, escalation_threads.c.id == audit_events.c.thread_id)
            .where(
                escalation_threads.c.reference == reference,
                audit_events.c.request_key == request_key,
            )
            .limit(1)
        )
        return found is not None

    async def events(self, reference: str) -> list[AuditEvent]:
        """The thread's audit trail in the order it was appended (empty for an unknown thread)."""
        rows = (
            await self._session.execute(
                select(audit_events)
                .join(escalation_threads, escalation_threads.c.id == audit_events.c.thread_id)
                .where(escalation_threads.c.reference == reference)
                .order_by(audit_events.c.id)
            )
        ).all()
        return [
            AuditEvent(
                kind=row.kind,
                actor=Person(name=row.actor_name, email=row.actor_email, user_id=row.actor_user_id),
                at=row.at,
                from_state=row.from_state,
                to_state=row.to_state,
                note=row.note,
            )
            for row in rows
        ]

    async def _insert_actions(self, thread_id: int, actions: Sequence[AgreedAction]) -> None:
        if not actions:
            return
        await self._session.execute(
            insert(agreed_actions),
            [
                {
                    "thread_id": thread_id,
                    "position": position,
                    "what": action.what,
                    "who": action.who,
                    "by_when": action.by_when,
                    "done": action.done,
                }
                for position, action in enumerate(actions)
            ],
        )

    async def _actions_of(self, thread_ids: Sequence[int]) -> dict[int, tuple[AgreedAction, ...]]:
        if not thread_ids:
            return {}
        rows = (
            await self._session.execute(
                select(agreed_actions)
                .where(agreed_actions.c.thread_id.in_(thread_ids))
                .order_by(agreed_actions.c.thread_id, agreed_actions.c.position)
            )
        ).all()
        grouped: defaultdict[int, list[AgreedAction]] = defaultdict(list)
        for row in rows:
            grouped[row.thread_id].append(
                AgreedAction(what=row.what, who=row.who, by_when=row.by_when, done=row.done)
            )
        return {thread_id: tuple(actions) for thread_id, actions in grouped.items()}


def _thread_columns(thread: EscalationThread) -> dict[str, Any]:
    return {
        "reference": thread.reference,
        "state": thread.state,
        "case_reference": thread.case_reference,
        "lscp_area": thread.lscp_area,
        **_person_columns("raised_by", thread.raised_by),
        "raiser_agency": thread.raiser_agency,
        "raiser_role": thread.raiser_role,
        "other_agency": thread.other_agency,
        **_person_columns("other_practitioner", thread.other_practitioner),
        **_person_columns("line_manager", thread.line_manager),
        "urgent": thread.urgent,
        "urgent_reason": thread.urgent_reason,
        "is_lead_professional": thread.is_lead_professional,
        "concern_arose_on": thread.concern_arose_on,
        "stage_started_on": thread.stage_started_on,
        "deadline": thread.deadline,
        "opened_at": thread.opened_at,
        "version": thread.version,
        "template_answers": dict(thread.template_answers),
        "rethink_options": list(thread.rethink_options),
    }


def _thread_from_row(row: Row[Any], actions: Iterable[AgreedAction]) -> EscalationThread:
    raised_by = _person(row.raised_by_name, row.raised_by_email, row.raised_by_user_id)
    if raised_by is None:  # the column is NOT NULL; this keeps the type checker honest
        raise ValueError(f"thread {row.reference} has no raiser")
    answers: Mapping[str, str] = {
        str(key): str(value) for key, value in row.template_answers.items()
    }
    return EscalationThread(
        reference=row.reference,
        state=row.state,
        case_reference=row.case_reference,
        lscp_area=row.lscp_area,
        raised_by=raised_by,
        raiser_agency=row.raiser_agency,
        raiser_role=row.raiser_role,
        other_agency=row.other_agency,
        concern_arose_on=row.concern_arose_on,
        stage_started_on=row.stage_started_on,
        deadline=row.deadline,
        opened_at=row.opened_at,
        urgent=row.urgent,
        urgent_reason=row.urgent_reason,
        other_practitioner=_person(
            row.other_practitioner_name,
            row.other_practitioner_email,
            row.other_practitioner_user_id,
        ),
        line_manager=_person(
            row.line_manager_name, row.line_manager_email, row.line_manager_user_id
        ),
        is_lead_professional=row.is_lead_professional,
        version=row.version,
        template_answers=answers,
        agreed_actions=tuple(actions),
        rethink_options=tuple(str(option) for option in row.rethink_options),
    )


class OutboxRepository:
    """The reminder outbox: planned reminders wait here until a dispatcher claims and sends them."""

    def __init__(self, session: AsyncSession, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    async def enqueue(self, reference: str, reminders: Sequence[PlannedReminder]) -> None:
        thread_id = await _thread_id(self._session, reference)
        if not reminders:
            return
        now = self._clock()
        await self._session.execute(
            insert(reminder_outbox),
            [
                {
                    "thread_id": thread_id,
                    "kind": reminder.kind,
                    "thread_state": reminder.state,
                    "due_at": reminder.due_at,
                    "recipient_user_id": reminder.recipient.user_id,
                    "recipient_name": reminder.recipient.name,
                    "recipient_email": reminder.recipient.email,
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for reminder in reminders
            ],
        )

    async def cancel_pending(self, reference: str) -> int:
        """Cancel the thread's reminders still waiting to be sent; returns how many.

        Rows being sent under a lease are left alone: the dispatcher checks the thread's state
        before sending.
        """
        thread_ids = select(escalation_threads.c.id).where(
            escalation_threads.c.reference == reference
        )
        cancelled = (
            await self._session.execute(
                update(reminder_outbox)
                .where(
                    reminder_outbox.c.thread_id.in_(thread_ids.scalar_subquery()),
                    reminder_outbox.c.status == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.CANCELLED, updated_at=self._clock())
                .returning(reminder_outbox.c.id)
            )
        ).all()
        return len(cancelled)

    async def claim_due(
        self, *, now: datetime, owner: str, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Lease up to `limit` due reminders to `owner`, earliest first.

        Due means pending with `due_at <= now`, or sending with an expired lease (its
        dispatcher died). Claimed rows become `sending` with `attempts + 1`. On PostgreSQL the
        candidate rows are locked `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers on several
        replicas never claim the same row; SQLite has one writer at a time and ignores the clause.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        outbox = reminder_outbox
        candidates = (
            select(outbox.c.id)
            .where(
                or_(
                    and_(outbox.c.status == OutboxStatus.PENDING, outbox.c.due_at <= now),
                    and_(
                        outbox.c.status == OutboxStatus.SENDING,
                        outbox.c.lease_expires_at <= now,
                    ),
                )
            )
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = (
            await self._session.execute(
                update(outbox)
                .where(outbox.c.id.in_(candidates.scalar_subquery()))
                .values(
                    status=OutboxStatus.SENDING,
                    lease_owner=owner,
                    lease_expires_at=now + lease,
                    attempts=outbox.c.attempts + 1,
                    updated_at=now,
                )
                .returning(*outbox.c)
            )
        ).all()
        if not claimed:
            return []
        reference_rows = await self._session.execute(
            select(escalation_threads.c.id, escalation_threads.c.reference).where(
                escalation_threads.c.id.in_({row.thread_id for row in claimed})
            )
        )
        references = {row.id: row.reference for row in reference_rows}
        items = [_outbox_item(row, references[row.thread_id]) for row in claimed]
        return sorted(items, key=lambda item: (item.due_at, item.id))

    async def mark_sent(self, item_id: int, *, activity_id: str | None, at: datetime) -> None:
        """Record a successful send. Does nothing unless the item is being sent."""
        await self._finish(
            item_id,
            status=OutboxStatus.SENT,
            sent_activity_id=activity_id,
            last_error=None,
            updated_at=at,
        )

    async def mark_failed(
        self, item_id: int, *, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        """Record a failed send: retry at `retry_at`, or give up when it is None.

        `error` names an error class or status (letters, digits and `_.:/-` only), never a
        message: connector error texts can quote what people typed.
        """
        if not _ERROR_CODE.fullmatch(error):
            raise ValueError(
                "error must be an error class or status code (letters, digits, '_.:/-'), "
                f"at most {USER_ID_LENGTH} characters"
            )
        if retry_at is None:
            await self._finish(item_id, status=OutboxStatus.FAILED, last_error=error, updated_at=at)
        else:
            await self._finish(
                item_id,
                status=OutboxStatus.PENDING,
                due_at=retry_at,
                last_error=error,
                updated_at=at,
            )

    async def _finish(self, item_id: int, **values: Any) -> None:
        await self._session.execute(
            update(reminder_outbox)
            .where(
                reminder_outbox.c.id == item_id,
                reminder_outbox.c.status == OutboxStatus.SENDING,
            )
            .values(lease_owner=None, lease_expires_at=None, **values)
        )


def _outbox_item(row: Row[Any], thread_reference: str) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        thread_reference=thread_reference,
        kind=row.kind,
        state=row.thread_state,
        due_at=row.due_at,
        recipient=Person(
            name=row.recipient_name, email=row.recipient_email, user_id=row.recipient_user_id
        ),
        status=row.status,
        attempts=row.attempts,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
    )


class ConversationReferenceRepository:
    """Where to reach people and conversations proactively: one row per (conversation, member)."""

    def __init__(self, session: AsyncSession, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    async def upsert(self, ref: StoredConversationReference) -> None:
        """Insert, or update in place (Teams may move a conversation to another service URL)."""
        table = conversation_references
        now = self._clock()
        statement = _insert_for(self._session)(table).values(
            conversation_id=ref.conversation_id,
            conversation_type=ref.conversation_type,
            user_id=ref.user_id,
            user_name=ref.user_name,
            tenant_id=ref.tenant_id,
            service_url=ref.service_url,
            channel_id=ref.channel_id,
            bot_id=ref.bot_id,
            bot_name=ref.bot_name,
            team_id=ref.team_id,
            created_at=now,
            updated_at=now,
        )
        changes = {
            column: statement.excluded[column]
            for column in (
                "conversation_type",
                "user_name",
                "tenant_id",
                "service_url",
                "channel_id",
                "bot_id",
                "bot_name",
                "team_id",
                "updated_at",
            )
        }
        # The conflict target names the partial unique index that applies to this row.
        if ref.user_id is None:
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.conversation_id],
                index_where=table.c.user_id.is_(None),
                set_=changes,
            )
        else:
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.conversation_id, table.c.user_id],
                index_where=table.c.user_id.is_not(None),
                set_=changes,
            )
        await self._session.execute(statement)

    async def for_user(self, user_id: str) -> StoredConversationReference | None:
        """The user's personal chat with the bot (the most recently seen, should there be two)."""
        table = conversation_references
        row = (
            await self._session.execute(
                select(table)
                .where(
                    table.c.user_id == user_id,
                    table.c.conversation_type == ConversationType.PERSONAL,
                )
                .order_by(table.c.updated_at.desc(), table.c.id.desc())
                .limit(1)
            )
        ).one_or_none()
        return None if row is None else _reference_from_row(row)

    async def for_conversation(self, conversation_id: str) -> list[StoredConversationReference]:
        """Every stored row of a conversation: its own row (no user) and its members' rows."""
        table = conversation_references
        rows = (
            await self._session.execute(
                select(table).where(table.c.conversation_id == conversation_id).order_by(table.c.id)
            )
        ).all()
        return [_reference_from_row(row) for row in rows]


def _reference_from_row(row: Row[Any]) -> StoredConversationReference:
    return StoredConversationReference(
        conversation_id=row.conversation_id,
        conversation_type=row.conversation_type,
        user_id=row.user_id,
        user_name=row.user_name,
        tenant_id=row.tenant_id,
        service_url=row.service_url,
        channel_id=row.channel_id,
        bot_id=row.bot_id,
        bot_name=row.bot_name,
        team_id=row.team_id,
    )


class InboundActivityRepository:
    """Which inbound activities were already handled: the channel may deliver one twice."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, delivery_key: str, at: datetime) -> bool:
        """Record a delivery; False if it was recorded before (a redelivery)."""
        statement = (
            _insert_for(self._session)(inbound_activities)
            .values(delivery_key=delivery_key, received_at=at)
            .on_conflict_do_nothing(index_elements=[inbound_activities.c.delivery_key])
            .returning(inbound_activities.c.delivery_key)
        )
        return (await self._session.execute(statement)).first() is not None

    async def forget_before(self, cutoff: datetime) -> int:
        """Forget deliveries recorded before `cutoff`; how many were forgotten."""
        result = await self._session.execute(
            delete(inbound_activities).where(inbound_activities.c.received_at < cutoff)
        )
        return int(cast(CursorResult[Any], result).rowcount)
