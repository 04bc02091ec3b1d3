"""Concerns are logged and shown only in a one-to-one chat, never in a channel or group chat."""

from __future__ import annotations

import pytest

from bot.commands import PERSONAL_ONLY
from cards.verbs import Verb
from settings import Settings
from storage.db import Database
from tests.support.dialog_driver import BotDriver, FixedClock


@pytest.fixture
def in_channel(settings: Settings, database: Database, clock: FixedClock) -> BotDriver:
    return BotDriver(settings, database, clock, conversation_type="channel")


@pytest.mark.parametrize("text", ["new concern", "my concerns", "view ESC-2026-0001", "cancel"])
async def test_concern_commands_in_a_channel_point_to_a_private_chat(
    in_channel: BotDriver, text: str
) -> None:
    await in_channel.say("help")  # the bot's first contact in the channel: its welcome card

    turn = await in_channel.say(text)

    assert turn.texts == [PERSONAL_ONLY]
    assert turn.cards == []


@pytest.mark.parametrize("verb", [Verb.NEW_CONCERN, Verb.MY_CONCERNS, Verb.CONTINUE_DRAFT])
async def test_welcome_card_buttons_in_a_channel_point_to_a_private_chat(
    in_channel: BotDriver, verb: Verb
) -> None:
    turn = await in_channel.click(verb)

    assert turn.answer_error == PERSONAL_ONLY
    assert turn.messages == []


async def test_help_still_answers_in_a_channel(in_channel: BotDriver) -> None:
    turn = await in_channel.say("help")

    assert turn.said("Resolving professional differences together")
