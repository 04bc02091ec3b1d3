"""Storage records that are not domain concepts: outbox items and conversation references.

They are Teams and delivery concepts (where to send, whether it was sent), so they live here and
not in `domain.model`; `bot/` turns them into botbuilder objects at its own edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.model import Person, ReminderKind, ThreadState


class OutboxStatus(StrEnum):
    """Where a reminder stands in the outbox."""

    PENDING = "pending"  # waiting for its due time (or for a retry)
    SENDING = "sending"  # claimed by a dispatcher under a lease
    SENT = "sent"
    CANCELLED = "cancelled"  # the thread moved on before it was sent
    FAILED = "failed"  # the dispatcher gave up


class ConversationType(StrEnum):
    """The kind of Teams conversation, spelt as Teams spells `conversation.conversationType`."""

    PERSONAL = "personal"
    GROUP_CHAT = "groupChat"
    CHANNEL = "channel"


@dataclass(frozen=True)
class OutboxItem:
    """One reminder row as a dispatcher sees it after claiming it."""

    id: int
    thread_reference: str
    kind: ReminderKind
    state: ThreadState
    due_at: datetime
    recipient: Person
    status: OutboxStatus
    attempts: int
    lease_owner: str | None
    lease_expires_at: datetime | None


@dataclass(frozen=True)
class StoredConversationReference:
    """What the bot needs to message a conversation proactively, as plain columns.

    Kept as our own fields rather than a pickled SDK object so that a later move away from
    botbuilder does not strand the stored rows. `user_id` is the member's Entra object id
    (None for a channel's own row); `tenant_id` comes from `channelData.tenant.id`.
    """

    conversation_id: str
    conversation_type: ConversationType
    user_id: str | None
    user_name: str | None
    tenant_id: str | None
    service_url: str
    channel_id: str
    bot_id: str
    bot_name: str | None
    team_id: str | None = None
