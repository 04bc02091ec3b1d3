"""Idempotency keys: the intake that opened a thread, the click behind an audit event, and the
inbound activities already handled.

Columns are added with plain ALTER TABLE (no batch rebuild), so the append-only triggers on
`audit_events` stay in place on SQLite.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_KEY = sa.String(64)


def upgrade() -> None:
    op.add_column("escalation_threads", sa.Column("intake_key", REQUEST_KEY, nullable=True))
    op.create_index(
        "uq_escalation_threads_intake_key", "escalation_threads", ["intake_key"], unique=True
    )
    op.add_column("audit_events", sa.Column("request_key", REQUEST_KEY, nullable=True))
    op.create_index(
        "ix_audit_events_thread_id_request_key", "audit_events", ["thread_id", "request_key"]
    )
    op.create_table(
        "inbound_activities",
        sa.Column("delivery_key", REQUEST_KEY, primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbound_activities_received_at", "inbound_activities", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_activities_received_at", table_name="inbound_activities")
    op.drop_table("inbound_activities")
    op.drop_index("ix_audit_events_thread_id_request_key", table_name="audit_events")
    op.drop_column("audit_events", "request_key")
    op.drop_index("uq_escalation_threads_intake_key", table_name="escalation_threads")
    op.drop_column("escalation_threads", "intake_key")
