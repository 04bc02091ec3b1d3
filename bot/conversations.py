"""Remembering where each user and channel can be reached, for proactive reminder cards.

References are stored as our own columns (not a pickled SDK object) with the tenant read from
channelData, so that a later move off botbuilder does not strand them (DESIGN.md 1, 4.2, 4.8).
"""

from __future__ import annotations

from botbuilder.schema import Activity

from bot.teams_data import conversation_type_of, team_id_of, tenant_id_of, user_key
from storage.db import Database
from storage.records import ConversationType, StoredConversationReference
from storage.repositories import ConversationReferenceRepository


def reference_from_activity(activity: Activity) -> StoredConversationReference:
    """The parts of an incoming activity needed to message the same conversation later."""
    conversation_type = conversation_type_of(activity)
    is_personal = conversation_type is ConversationType.PERSONAL
    sender = activity.from_property
    return StoredConversationReference(
        conversation_id=str(activity.conversation.id),
        conversation_type=conversation_type,
        user_id=user_key(sender) if is_personal else None,
        user_name=(sender.name if sender and is_personal else None),
        tenant_id=tenant_id_of(activity),
        service_url=str(activity.service_url),
        channel_id=str(activity.channel_id),
        bot_id=str(activity.recipient.id) if activity.recipient else "",
        bot_name=activity.recipient.name if activity.recipient else None,
        team_id=team_id_of(activity),
    )


class ConversationDirectory:
    """Stores conversation references on first contact and whenever Teams moves a conversation."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def remember(self, activity: Activity) -> bool:
        """Store this activity's conversation reference; True if the bot had not met it before."""
        if activity.conversation is None or not activity.conversation.id:
            return False
        reference = reference_from_activity(activity)
        # Almost every message comes from a conversation already known and unchanged: read
        # first, without the write lock (on SQLite, one writer at a time), and write only when
        # something changed. The write reads again: another turn may have stored it meanwhile.
        async with self._database.session(read_only=True) as session:
            if await _known_and_unchanged(ConversationReferenceRepository(session), reference):
                return False
        async with self._database.session() as session:
            repository = ConversationReferenceRepository(session)
            known = await repository.for_conversation(reference.conversation_id)
            same = [row for row in known if row.user_id == reference.user_id]
            if same and _unchanged(same[0], reference):
                return False
            await repository.upsert(reference)
            return not same


async def _known_and_unchanged(
    repository: ConversationReferenceRepository, reference: StoredConversationReference
) -> bool:
    known = await repository.for_conversation(reference.conversation_id)
    return any(row.user_id == reference.user_id and _unchanged(row, reference) for row in known)


def _unchanged(stored: StoredConversationReference, fresh: StoredConversationReference) -> bool:
    return (
        stored.service_url == fresh.service_url
        and stored.tenant_id == fresh.tenant_id
        and stored.user_name == fresh.user_name
        and stored.bot_id == fresh.bot_id
    )
