"""ConversationReferenceRepository on SQLite and PostgreSQL: upsert, lookups, one row per member."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.records import ConversationType, StoredConversationReference
from storage.repositories import ConversationReferenceRepository
from storage.schema import conversation_references

PERSONAL_CHAT = StoredConversationReference(
    conversation_id="a:1personal-chat-with-sam",
    conversation_type=ConversationType.PERSONAL,
    user_id="aad-sam",
    user_name="Sam Patel",
    tenant_id="tenant-hips",
    service_url="https://smba.trafficmanager.net/uk/",
    channel_id="msteams",
    bot_id="28:bot-app-id",
    bot_name="Resolve Together",
)
CHANNEL = StoredConversationReference(
    conversation_id="19:safeguarding-leads@thread.tacv2",
    conversation_type=ConversationType.CHANNEL,
    user_id=None,
    user_name=None,
    tenant_id="tenant-hips",
    service_url="https://smba.trafficmanager.net/uk/",
    channel_id="msteams",
    bot_id="28:bot-app-id",
    bot_name="Resolve Together",
    team_id="19:team-general@thread.tacv2",
)


class SteppingClock:
    """A clock that moves on a minute each time it is read."""

    def __init__(self) -> None:
        self._now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self._now += timedelta(minutes=1)
        return self._now


async def _upsert(
    database: Database, *references: StoredConversationReference, clock: SteppingClock | None = None
) -> None:
    async with database.session() as session:
        repository = (
            ConversationReferenceRepository(session, clock=clock)
            if clock
            else ConversationReferenceRepository(session)
        )
        for reference in references:
            await repository.upsert(reference)


async def _row_count(database: Database) -> int:
    async with database.session(read_only=True) as session:
        return len((await session.execute(select(conversation_references.c.id))).all())


async def test_personal_chat_is_found_by_user(database: Database) -> None:
    await _upsert(database, PERSONAL_CHAT, CHANNEL)

    async with database.session(read_only=True) as session:
        repository = ConversationReferenceRepository(session)
        found = await repository.for_user("aad-sam")
        missing = await repository.for_user("aad-nobody")

    assert found == PERSONAL_CHAT
    assert missing is None


async def test_upsert_updates_the_existing_row_when_the_service_url_moves(
    database: Database,
) -> None:
    clock = SteppingClock()
    await _upsert(database, PERSONAL_CHAT, clock=clock)
    moved = replace(
        PERSONAL_CHAT, service_url="https://smba.trafficmanager.net/emea/", user_name="Sam P."
    )

    await _upsert(database, moved, clock=clock)

    async with database.session(read_only=True) as session:
        assert await ConversationReferenceRepository(session).for_user("aad-sam") == moved
        row = (await session.execute(select(conversation_references))).one()
    assert row.created_at == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    assert row.updated_at == datetime(2026, 3, 2, 9, 2, tzinfo=UTC)


async def test_a_channel_keeps_one_row_without_a_user_however_often_it_is_upserted(
    database: Database,
) -> None:
    await _upsert(database, CHANNEL)
    await _upsert(database, replace(CHANNEL, service_url="https://smba.trafficmanager.net/emea/"))
    await _upsert(database, CHANNEL)

    assert await _row_count(database) == 1
    async with database.session(read_only=True) as session:
        assert await ConversationReferenceRepository(session).for_conversation(
            CHANNEL.conversation_id
        ) == [CHANNEL]


async def test_a_group_chat_keeps_one_row_per_member(database: Database) -> None:
    group = replace(
        PERSONAL_CHAT,
        conversation_id="19:group-chat@thread.v2",
        conversation_type=ConversationType.GROUP_CHAT,
    )
    alex = replace(group, user_id="aad-alex", user_name="Alex Morgan")
    conversation_row = replace(group, user_id=None, user_name=None)

    await _upsert(database, group, alex, conversation_row, group, alex)

    async with database.session(read_only=True) as session:
        rows = await ConversationReferenceRepository(session).for_conversation(
            group.conversation_id
        )
    assert rows == [group, alex, conversation_row]


async def test_a_group_chat_is_not_mistaken_for_the_users_personal_chat(
    database: Database,
) -> None:
    group = replace(
        PERSONAL_CHAT,
        conversation_id="19:group-chat@thread.v2",
        conversation_type=ConversationType.GROUP_CHAT,
    )
    await _upsert(database, group)

    async with database.session(read_only=True) as session:
        assert await ConversationReferenceRepository(session).for_user("aad-sam") is None


async def test_a_reference_without_user_or_bot_names_round_trips(database: Database) -> None:
    nameless = replace(PERSONAL_CHAT, user_name=None, bot_name=None)
    await _upsert(database, nameless)

    async with database.session(read_only=True) as session:
        assert await ConversationReferenceRepository(session).for_user("aad-sam") == nameless
