"""Initial schema: threads, counters, audit events, actions, outbox, references, dialog state.

Written by hand to match `storage/schema.py` (a test compares the two). The audit trail is made
append-only in the database itself with triggers that reject UPDATE and DELETE (and TRUNCATE on
PostgreSQL). Note for later migrations: SQLite batch mode rebuilds a table by copying it, which
drops its triggers, so a batch alteration of `audit_events` must create them again.

Revision ID: 0001
Revises:
Create Date: 2026-01-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM = sa.String(32)
USER_ID = sa.String(200)
EMAIL = sa.String(320)


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _surrogate_key() -> sa.BigInteger:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


_POSTGRES_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change()
    """,
]
_POSTGRES_DROP_APPEND_ONLY = [
    "DROP TRIGGER audit_events_no_truncate ON audit_events",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP FUNCTION audit_events_reject_change()",
]
_SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed'); END
    """,
    """
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed'); END
    """,
]
_SQLITE_DROP_APPEND_ONLY = [
    "DROP TRIGGER audit_events_no_delete",
    "DROP TRIGGER audit_events_no_update",
]


def upgrade() -> None:
    op.create_table(
        "escalation_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("case_reference", sa.Text(), nullable=False),
        sa.Column("lscp_area", ENUM, nullable=False),
        sa.Column("raised_by_name", sa.Text(), nullable=False),
        sa.Column("raised_by_email", EMAIL, nullable=True),
        sa.Column("raised_by_user_id", USER_ID, nullable=True),
        sa.Column("raiser_agency", sa.Text(), nullable=False),
        sa.Column("raiser_role", sa.Text(), nullable=False),
        sa.Column("other_agency", sa.Text(), nullable=False),
        sa.Column("other_practitioner_name", sa.Text(), nullable=True),
        sa.Column("other_practitioner_email", EMAIL, nullable=True),
        sa.Column("other_practitioner_user_id", USER_ID, nullable=True),
        sa.Column("line_manager_name", sa.Text(), nullable=True),
        sa.Column("line_manager_email", EMAIL, nullable=True),
        sa.Column("line_manager_user_id", USER_ID, nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgent_reason", sa.Text(), nullable=True),
        sa.Column("is_lead_professional", sa.Boolean(), nullable=False),
        sa.Column("concern_arose_on", sa.Date(), nullable=False),
        sa.Column("stage_started_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("opened_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "template_answers",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "rethink_options",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_threads"),
        sa.UniqueConstraint("reference", name="uq_escalation_threads_reference"),
    )
    op.create_index(
        "ix_escalation_threads_raised_by_user_id_state",
        "escalation_threads",
        ["raised_by_user_id", "state"],
    )

    op.create_table(
        "thread_reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_thread_reference_counters"),
    )

    op.create_table(
        "audit_events",
        sa.Column("id", _surrogate_key(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("actor_email", EMAIL, nullable=True),
        sa.Column("actor_user_id", USER_ID, nullable=True),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("from_state", ENUM, nullable=True),
        sa.Column("to_state", ENUM, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["escalation_threads.id"],
            name="fk_audit_events_thread_id_escalation_threads",
        ),
    )
    op.create_index("ix_audit_events_thread_id", "audit_events", ["thread_id"])

    op.create_table(
        "agreed_actions",
        sa.Column("id", _surrogate_key(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("by_when", sa.Date(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agreed_actions"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["escalation_threads.id"],
            name="fk_agreed_actions_thread_id_escalation_threads",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("thread_id", "position", name="uq_agreed_actions_thread_id_position"),
    )

    op.create_table(
        "reminder_outbox",
        sa.Column("id", _surrogate_key(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("thread_state", ENUM, nullable=False),
        sa.Column("due_at", _timestamp(), nullable=False),
        sa.Column("recipient_user_id", USER_ID, nullable=True),
        sa.Column("recipient_name", sa.Text(), nullable=False),
        sa.Column("recipient_email", EMAIL, nullable=True),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", USER_ID, nullable=True),
        sa.Column("lease_expires_at", _timestamp(), nullable=True),
        sa.Column("sent_activity_id", USER_ID, nullable=True),
        sa.Column("last_error", USER_ID, nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_outbox"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["escalation_threads.id"],
            name="fk_reminder_outbox_thread_id_escalation_threads",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_reminder_outbox_thread_id", "reminder_outbox", ["thread_id"])
    op.create_index("ix_reminder_outbox_status_due_at", "reminder_outbox", ["status", "due_at"])

    op.create_table(
        "conversation_references",
        sa.Column("id", _surrogate_key(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("conversation_type", ENUM, nullable=False),
        sa.Column("user_id", USER_ID, nullable=True),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("tenant_id", USER_ID, nullable=True),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("channel_id", ENUM, nullable=False),
        sa.Column("bot_id", USER_ID, nullable=False),
        sa.Column("bot_name", sa.Text(), nullable=True),
        sa.Column("team_id", USER_ID, nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_references"),
    )
    op.create_index(
        "ix_conversation_references_user_id_conversation_type",
        "conversation_references",
        ["user_id", "conversation_type"],
    )
    op.create_index(
        "uq_conversation_references_conversation_member",
        "conversation_references",
        ["conversation_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("user_id IS NOT NULL"),
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.create_index(
        "uq_conversation_references_conversation_only",
        "conversation_references",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("user_id IS NULL"),
        postgresql_where=sa.text("user_id IS NULL"),
    )

    op.create_table(
        "dialog_state",
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("encoding", ENUM, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_dialog_state"),
    )

    for statement in _append_only_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in _drop_append_only_statements():
        op.execute(statement)
    op.drop_table("dialog_state")
    op.drop_index(
        "uq_conversation_references_conversation_only", table_name="conversation_references"
    )
    op.drop_index(
        "uq_conversation_references_conversation_member", table_name="conversation_references"
    )
    op.drop_index(
        "ix_conversation_references_user_id_conversation_type",
        table_name="conversation_references",
    )
    op.drop_table("conversation_references")
    op.drop_index("ix_reminder_outbox_status_due_at", table_name="reminder_outbox")
    op.drop_index("ix_reminder_outbox_thread_id", table_name="reminder_outbox")
    op.drop_table("reminder_outbox")
    op.drop_table("agreed_actions")
    op.drop_index("ix_audit_events_thread_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("thread_reference_counters")
    op.drop_index("ix_escalation_threads_raised_by_user_id_state", table_name="escalation_threads")
    op.drop_table("escalation_threads")


def _append_only_statements() -> list[str]:
    dialect = op.get_context().dialect.name
    if dialect == "postgresql":
        return _POSTGRES_APPEND_ONLY
    if dialect == "sqlite":
        return _SQLITE_APPEND_ONLY
    return []


def _drop_append_only_statements() -> list[str]:
    dialect = op.get_context().dialect.name
    if dialect == "postgresql":
        return _POSTGRES_DROP_APPEND_ONLY
    if dialect == "sqlite":
        return _SQLITE_DROP_APPEND_ONLY
    return []
