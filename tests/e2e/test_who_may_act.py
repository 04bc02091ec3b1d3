"""Who may act, and where: over HTTP against the running app, with Teams-shaped activities.

Concerns are logged, changed and shown only in a one-to-one chat with the bot, and only to the
person Teams names by their Entra ID object id (`aadObjectId`). In a group chat or a channel
every concern button and command is refused before anything is read or stored; `help` still
answers there. A message or click with no object id is refused: the bot never falls back to the
channel's `from.id`, which another channel could set to anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import ChannelAccount
from sqlalchemy import select

from app import build_bot, create_app
from bot.commands import PERSONAL_ONLY
from bot.handler import ResolveTogetherBot
from bot.teams_data import user_key
from cards.verbs import Verb
from domain.model import Person
from storage.db import Database
from storage.repositories import ThreadRepository
from storage.schema import metadata
from tests.e2e.conftest import MONDAY_MORNING, BotUnderTest, authenticated_settings
from tests.storage.factories import make_thread
from tests.support.bot_framework import OfflineCredentialsFactory, SigningKey
from tests.support.card_schema import card_texts
from tests.support.fake_connector import FakeConnector
from tests.support.teams_activities import (
    ALEX,
    SAM,
    card_action,
    in_channel,
    in_group_chat,
    personal_conversation_id,
    personal_message,
    without_aad_object_id,
)

REFERENCE = "ESC-2026-0001"
ERROR_TYPE = "application/vnd.microsoft.error"
WELCOME_TITLE = "Resolving professional differences together"

# The only buttons and commands that answer outside a one-to-one chat. Widening either is a
# decision to take on purpose: it changes what colleagues in a group chat or channel can see.
ALLOWED_ANYWHERE_VERBS = frozenset({Verb.SHOW_HELP})
ALLOWED_ANYWHERE_COMMANDS = frozenset({"help"})

# What a practitioner would type for each command that is not allowed anywhere.
TYPED = {
    "new concern": "new concern",
    "continue my draft": "continue my draft",
    "cancel": "cancel",
    "my concerns": "my concerns",
    "view": f"view {REFERENCE}",
}

Place = Callable[[dict[str, Any]], dict[str, Any]]
PLACES: dict[str, Place] = {"groupChat": in_group_chat, "channel": in_channel}


@dataclass
class Served:
    """The running app over HTTP and the very bot instance that answers it."""

    http: BotUnderTest
    bot: ResolveTogetherBot


@pytest.fixture
async def served(
    database_url: str, connector: tuple[FakeConnector, str], trusted_key: SigningKey
) -> AsyncIterator[Served]:
    fake, service_url = connector
    built: list[ResolveTogetherBot] = []

    def keep(*args: Any, **kwargs: Any) -> ResolveTogetherBot:
        bot = build_bot(*args, **kwargs)
        built.append(bot)
        return bot

    app = create_app(
        authenticated_settings(database_url),
        credentials_factory=OfflineCredentialsFactory(),
        clock=lambda: MONDAY_MORNING,
        bot_factory=keep,
    )
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        http = BotUnderTest(client=client, connector=fake, service_url=service_url, key=trusted_key)
        yield Served(http=http, bot=built[0])
    finally:
        await client.close()


@pytest.fixture
async def alex_has_a_concern(database: Database) -> None:
    """ESC-2026-0001, raised by Alex (known by their Entra ID object id), at version 1."""
    thread = replace(
        make_thread(REFERENCE), raised_by=Person(name=ALEX.name, user_id=ALEX.aad_object_id)
    )
    async with database.session() as session:
        await ThreadRepository(session).add(thread)


Snapshot = dict[str, list[str]]


# The record of activity ids the bot has seen (bot/deliveries.py) grows with every request,
# refused or not: it holds hashes and times, nothing about anyone.
BOOKKEEPING = frozenset({"inbound_activities"})


async def everything_stored(database: Database) -> Snapshot:
    """Every row of every table but the bookkeeping, to prove a turn stored nothing."""
    async with database.session(read_only=True) as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in await session.execute(select(table)))
            for table in metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


def click_data() -> dict[str, Any]:
    """What a click on a concern's card or form carries: enough for any verb to act on."""
    return {
        "reference": REFERENCE,
        "version": 1,
        "formId": f"{REFERENCE}:1",
        "note": "Spoke to the duty team lead this morning.",
        "immediate_risk": "no",
    }


async def post_json(http: BotUnderTest, activity: dict[str, Any]) -> tuple[int, Any]:
    response = await http.post(activity)
    return response.status, await response.json()


# --- 1. concerns only in a one-to-one chat ---------------------------------------------------


@pytest.mark.usefixtures("alex_has_a_concern")
async def test_every_concern_button_is_refused_in_a_group_chat_and_a_channel(
    served: Served, database: Database
) -> None:
    http = served.http
    concern_verbs = sorted(served.bot.routed_verbs - ALLOWED_ANYWHERE_VERBS)
    assert len(concern_verbs) >= 20  # every button of the welcome card, the intake, the thread
    before = await everything_stored(database)

    refusals: dict[tuple[str, str], Any] = {}
    for place_name, place in PLACES.items():
        for verb in concern_verbs:
            activity = place(card_action(verb.value, ALEX, http.service_url, data=click_data()))
            status, body = await post_json(http, activity)
            assert status == 200, (place_name, verb)
            refusals[place_name, verb.value] = body

    for (place_name, verb_value), body in refusals.items():
        where = f"{verb_value} in a {place_name}"
        assert body["type"] == ERROR_TYPE, where
        assert body["statusCode"] == 403, where
        assert body["value"]["message"] == PERSONAL_ONLY, where
    assert http.connector.sent == []  # nothing was posted into the group chat or channel
    assert await everything_stored(database) == before


async def test_only_help_is_allowed_outside_a_one_to_one_chat(served: Served) -> None:
    assert served.bot.verbs_allowed_anywhere == ALLOWED_ANYWHERE_VERBS
    assert served.bot.commands_allowed_anywhere == ALLOWED_ANYWHERE_COMMANDS
    assert set(TYPED) == set(served.bot.command_names) - ALLOWED_ANYWHERE_COMMANDS


@pytest.mark.usefixtures("alex_has_a_concern")
@pytest.mark.parametrize("place_name", sorted(PLACES))
async def test_every_concern_command_is_refused_in_a_group_chat_and_a_channel(
    served: Served, database: Database, place_name: str
) -> None:
    http, place = served.http, PLACES[place_name]
    await http.post(place(personal_message("help", ALEX, http.service_url)))  # first contact
    first = len(await http.connector.wait_for(1))
    before = await everything_stored(database)

    for text in TYPED.values():
        assert (
            await http.post(place(personal_message(text, ALEX, http.service_url)))
        ).status == 200

    sent = (await http.connector.wait_for(first + len(TYPED)))[first:]
    assert [item.text for item in sent] == [PERSONAL_ONLY] * len(TYPED)
    assert all(item.cards == [] for item in sent)
    assert REFERENCE not in "".join(str(item.body) for item in sent)
    assert await everything_stored(database) == before


@pytest.mark.parametrize("place_name", sorted(PLACES))
async def test_help_still_answers_in_a_group_chat_and_a_channel(
    served: Served, place_name: str
) -> None:
    http, place = served.http, PLACES[place_name]

    status, body = await post_json(http, place(card_action("showHelp", ALEX, http.service_url)))

    assert status == 200
    assert body["statusCode"] == 200
    assert WELCOME_TITLE in card_texts(body["value"])


@pytest.mark.usefixtures("alex_has_a_concern")
async def test_the_same_button_still_works_in_a_one_to_one_chat(served: Served) -> None:
    http = served.http

    status, body = await post_json(
        http, card_action("viewThread", ALEX, http.service_url, data=click_data())
    )

    assert status == 200
    assert body["statusCode"] == 200
    assert REFERENCE in card_texts(body["value"])


@pytest.mark.usefixtures("alex_has_a_concern")
async def test_a_channel_that_does_not_say_its_type_is_still_not_a_private_chat(
    served: Served, database: Database
) -> None:
    http = served.http
    activity = in_channel(card_action("viewThread", ALEX, http.service_url, data=click_data()))
    del activity["conversation"]["conversationType"]  # but isGroup is true
    before = await everything_stored(database)

    status, body = await post_json(http, activity)

    assert status == 200
    assert body["statusCode"] == 403
    assert body["value"]["message"] == PERSONAL_ONLY
    assert await everything_stored(database) == before


# --- 2. the acting user is the Entra ID object id, never from.id ------------------------------


def test_user_key_is_the_entra_id_object_id_and_never_the_channel_id() -> None:
    assert user_key(ChannelAccount(id="29:x", aad_object_id=ALEX.aad_object_id)) == (
        ALEX.aad_object_id
    )
    assert user_key(ChannelAccount(id=ALEX.aad_object_id)) is None
    assert user_key(ChannelAccount(id="29:x", aad_object_id="")) is None
    assert user_key(None) is None


def forged(activity: dict[str, Any]) -> dict[str, Any]:
    """No object id, and `from.id` set to Alex's object id: what the old fallback trusted."""
    return without_aad_object_id(activity, from_id=ALEX.aad_object_id)


@pytest.mark.usefixtures("alex_has_a_concern")
@pytest.mark.parametrize("text", ["my concerns", f"view {REFERENCE}", "new concern", "help"])
async def test_a_message_without_an_entra_id_is_refused_kindly_and_nothing_is_stored(
    served: Served, database: Database, text: str
) -> None:
    http = served.http
    before = await everything_stored(database)

    response = await http.post(forged(personal_message(text, SAM, http.service_url)))

    assert response.status == 200
    [reply] = await http.connector.wait_for(1)
    assert reply.conversation_id == personal_conversation_id(SAM)
    assert reply.cards == []
    assert "could not tell who you are" in reply.text
    assert REFERENCE not in reply.text
    assert await everything_stored(database) == before  # not even the conversation


@pytest.mark.usefixtures("alex_has_a_concern")
@pytest.mark.parametrize(
    "verb",
    [Verb.VIEW_THREAD, Verb.SHOW_THREAD_CARD, Verb.ESCALATE, Verb.MY_CONCERNS, Verb.SUBMIT_FORM],
)
async def test_a_click_without_an_entra_id_is_refused_with_403_and_nothing_is_read(
    served: Served, database: Database, verb: Verb
) -> None:
    http = served.http
    before = await everything_stored(database)

    status, body = await post_json(
        http, forged(card_action(verb.value, SAM, http.service_url, data=click_data()))
    )

    assert status == 200
    assert body["type"] == ERROR_TYPE
    assert body["statusCode"] == 403
    assert body["value"]["code"] == "Forbidden"
    assert "could not tell who you are" in body["value"]["message"]
    assert http.connector.sent == []
    assert await everything_stored(database) == before


@pytest.mark.usefixtures("alex_has_a_concern")
async def test_alex_with_an_entra_id_still_sees_their_concern(served: Served) -> None:
    http = served.http

    await http.post(personal_message("my concerns", ALEX, http.service_url))

    sent = await http.connector.wait_for(2)  # the welcome (first contact), then the list
    assert REFERENCE in card_texts(sent[-1].cards[0])
