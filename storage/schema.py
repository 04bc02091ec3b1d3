"""The SQL schema as SQLAlchemy Core tables, the description the migration is checked against.

The domain is not ORM-mapped: these tables are plain Core `Table`s and `storage.repositories`
converts rows to and from the frozen dataclasses of `domain.model`. Anything a person typed is
`Text` (no length the database could reject mid-conversation); identifiers and enums are short
strings. `tests/storage/test_migrations.py` compares this metadata with the migrated database so
the two cannot drift.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from domain.model import EventKind, LscpArea, ReminderKind, ThreadState
from storage.records import ConversationType, OutboxStatus
from storage.timestamps import UtcDateTime

EnumT = TypeVar("EnumT", bound=StrEnum)

# Constraint names are spelt out so that the hand-written migration, SQLite's batch mode and
# PostgreSQL agree on them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ENUM_LENGTH = 32
REFERENCE_LENGTH = 20
USER_ID_LENGTH = 200
EMAIL_LENGTH = 320
DIALOG_STATE_KEY_LENGTH = 1024
REQUEST_KEY_LENGTH = 64  # a sha256 in hex


class EnumText(TypeDecorator[EnumT]):
    """A StrEnum stored as its value in a short string column and read back as the member.

    Plain strings rather than native enum types, so that adding a state or reminder kind needs
    no database migration; binding refuses strings that are not a value of the enum.
    """

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_type: type[EnumT]) -> None:
        super().__init__(ENUM_LENGTH)
        self.enum_type = enum_type

    def process_bind_param(self, value: EnumT | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> EnumT | None:
        if value is None:
            return None
        return self.enum_type(value)


def _surrogate_key() -> BigInteger:
    """A 64-bit id on PostgreSQL; INTEGER on SQLite, where only that spelling auto-increments."""
    return BigInteger().with_variant(Integer(), "sqlite")


def _json_document() -> JSON:
    """JSON on SQLite, JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


escalation_threads = Table(
    "escalation_threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(REFERENCE_LENGTH), nullable=False, unique=True),
    Column("state", EnumText(ThreadState), nullable=False),
    Column("case_reference", Text, nullable=False),
    Column("lscp_area", EnumText(LscpArea), nullable=False),
    Column("raised_by_name", Text, nullable=False),
    Column("raised_by_email", String(EMAIL_LENGTH)),
    Column("raised_by_user_id", String(USER_ID_LENGTH)),
    Column("raiser_agency", Text, nullable=False),
    Column("raiser_role", Text, nullable=False),
    Column("other_agency", Text, nullable=False),
    Column("other_practitioner_name", Text),
    Column("other_practitioner_email", String(EMAIL_LENGTH)),
    Column("other_practitioner_user_id", String(USER_ID_LENGTH)),
    Column("line_manager_name", Text),
    Column("line_manager_email", String(EMAIL_LENGTH)),
    Column("line_manager_user_id", String(USER_ID_LENGTH)),
    Column("urgent", Boolean, nullable=False),
    Column("urgent_reason", Text),
    Column("is_lead_professional", Boolean, nullable=False),
    Column("concern_arose_on", Date, nullable=False),
    Column("stage_started_on", Date, nullable=False),
    Column("deadline", Date),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("template_answers", _json_document(), nullable=False),
    # The Re-think options chosen, oldest first: a JSON list of RethinkOption values.
    Column("rethink_options", _json_document(), nullable=False, server_default=text("'[]'")),
    # The intake that opened the thread (its conversation and final form): a second Submit of
    # the same form, however it arrives, finds this thread instead of opening another.
    Column("intake_key", String(REQUEST_KEY_LENGTH)),
    Index(None, "raised_by_user_id", "state"),
    Index("uq_escalation_threads_intake_key", "intake_key", unique=True),
)

thread_reference_counters = Table(
    "thread_reference_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", _surrogate_key(), primary_key=True),
    # No cascade: the history is append-only and outlives nothing it describes.
    Column("thread_id", Integer, ForeignKey(escalation_threads.c.id), nullable=False, index=True),
    Column("kind", EnumText(EventKind), nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("actor_email", String(EMAIL_LENGTH)),
    Column("actor_user_id", String(USER_ID_LENGTH)),
    Column("at", UtcDateTime, nullable=False),
    Column("from_state", EnumText(ThreadState)),
    Column("to_state", EnumText(ThreadState)),
    Column("note", Text),
    # The click that made the change (thread, card version, verb): a second click of the same
    # card finds that its change was made.
    Column("request_key", String(REQUEST_KEY_LENGTH)),
    Index(None, "thread_id", "request_key"),
)

agreed_actions = Table(
    "agreed_actions",
    metadata,
    Column("id", _surrogate_key(), primary_key=True),
    Column(
        "thread_id",
        Integer,
        ForeignKey(escalation_threads.c.id, ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("what", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("by_when", Date, nullable=False),
    Column("done", Boolean, nullable=False),
    UniqueConstraint("thread_id", "position"),
)

reminder_outbox = Table(
    "reminder_outbox",
    metadata,
    Column("id", _surrogate_key(), primary_key=True),
    Column(
        "thread_id",
        Integer,
        ForeignKey(escalation_threads.c.id, ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", EnumText(ReminderKind), nullable=False),
    Column("thread_state", EnumText(ThreadState), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("recipient_user_id", String(USER_ID_LENGTH)),
    Column("recipient_name", Text, nullable=False),
    Column("recipient_email", String(EMAIL_LENGTH)),
    Column("status", EnumText(OutboxStatus), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_owner", String(USER_ID_LENGTH)),
    Column("lease_expires_at", UtcDateTime),
    Column("sent_activity_id", String(USER_ID_LENGTH)),
    Column("last_error", String(USER_ID_LENGTH)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "status", "due_at"),
)

conversation_references = Table(
    "conversation_references",
    metadata,
    Column("id", _surrogate_key(), primary_key=True),
    Column("conversation_id", Text, nullable=False),
    Column("conversation_type", EnumText(ConversationType), nullable=False),
    Column("user_id", String(USER_ID_LENGTH)),
    Column("user_name", Text),
    Column("tenant_id", String(USER_ID_LENGTH), nullable=True),
    Column("service_url", Text, nullable=False),
    Column("channel_id", String(ENUM_LENGTH), nullable=False),
    Column("bot_id", String(USER_ID_LENGTH), nullable=False),
    Column("bot_name", Text),
    Column("team_id", String(USER_ID_LENGTH)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "user_id", "conversation_type"),
)
# NULLs are distinct in a UNIQUE index on both databases, so one partial index keeps one row per
# (conversation, member) and another keeps the single member-less row of a conversation.
Index(
    "uq_conversation_references_conversation_member",
    conversation_references.c.conversation_id,
    conversation_references.c.user_id,
    unique=True,
    sqlite_where=conversation_references.c.user_id.is_not(None),
    postgresql_where=conversation_references.c.user_id.is_not(None),
)
Index(
    "uq_conversation_references_conversation_only",
    conversation_references.c.conversation_id,
    unique=True,
    sqlite_where=conversation_references.c.user_id.is_(None),
    postgresql_where=conversation_references.c.user_id.is_(None),
)

# Inbound activities already handled, by a hash of (channel, conversation, activity id): the
# channel may deliver one twice. Kept a day (storage.retention).
inbound_activities = Table(
    "inbound_activities",
    metadata,
    Column("delivery_key", String(REQUEST_KEY_LENGTH), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False, index=True),
)

dialog_state = Table(
    "dialog_state",
    metadata,
    Column("key", String(DIALOG_STATE_KEY_LENGTH), primary_key=True),
    Column("etag", String(64), nullable=False),
    # Names the encoding of `data`, so that only rows this storage wrote are ever decoded.
    Column("encoding", String(ENUM_LENGTH), nullable=False),
    Column("data", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
