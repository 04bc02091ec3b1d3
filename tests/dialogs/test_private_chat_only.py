"""Concerns are logged and shown only in a one-to-one chat, never in a channel or group chat.

This is the routers' default: a command or button answers outside a one-to-one chat only if it
is registered as allowed `anywhere` (help is). The HTTP tests in tests/e2e/test_who_may_act.py
try every routed verb and command of the real bot.
"""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import ActivityTypes
from microsoft_teams.cards import AdaptiveCard

from bot.commands import PERSONAL_ONLY, CommandRouter
from bot.invoke_routes import InvokeRouter
from cards.verbs import Verb
from cards.welcome import welcome_card
from settings import Settings
from storage.db import Database
from teams.clicks import CardAction
from tests.support.dialog_driver import BotDriver, FixedClock, teams_template
from tests.support.teams_activities import ALEX

ELSEWHERE = ["groupChat", "channel"]


@pytest.fixture(params=ELSEWHERE)
def elsewhere(
    request: pytest.FixtureRequest, settings: Settings, database: Database, clock: FixedClock
) -> BotDriver:
    """Alex talking to the bot in a group chat, then in a team's channel."""
    return BotDriver(settings, database, clock, conversation_type=request.param)


@pytest.mark.parametrize("text", ["new concern", "my concerns", "view ESC-2026-0001", "cancel"])
async def test_concern_commands_in_a_channel_point_to_a_private_chat(
    elsewhere: BotDriver, text: str
) -> None:
    await elsewhere.say("help")  # the bot's first contact in the channel: its welcome card

    turn = await elsewhere.say(text)

    assert turn.texts == [PERSONAL_ONLY]
    assert turn.cards == []


@pytest.mark.parametrize(
    "verb", [Verb.NEW_CONCERN, Verb.MY_CONCERNS, Verb.CONTINUE_DRAFT, Verb.SUBMIT_FORM]
)
async def test_welcome_card_buttons_in_a_channel_point_to_a_private_chat(
    elsewhere: BotDriver, verb: Verb
) -> None:
    turn = await elsewhere.click(verb)

    assert turn.answer_error == PERSONAL_ONLY
    assert turn.answer is not None
    assert turn.answer.body.status_code == HTTPStatus.FORBIDDEN
    assert turn.messages == []


async def test_help_still_answers_in_a_channel(elsewhere: BotDriver) -> None:
    turn = await elsewhere.say("help")

    assert turn.said("Resolving professional differences together")


# --- the default itself, on a bare router ------------------------------------------------------


def turn_in(conversation_type: str, activity_type: str = ActivityTypes.invoke) -> TurnContext:
    activity = teams_template(ALEX, conversation_type=conversation_type)
    activity.type = activity_type
    activity.text = "escalate now"
    return TurnContext(TestAdapter(), activity)


async def test_a_verb_registered_with_no_flag_answers_only_in_a_one_to_one_chat() -> None:
    ran: list[str] = []

    async def escalate(turn_context: TurnContext, action: CardAction) -> AdaptiveCard:
        ran.append(str(turn_context.activity.conversation.conversation_type))
        return welcome_card()

    router = InvokeRouter()
    router.register(Verb.ESCALATE, escalate)  # what a new feature would write

    for place in ELSEWHERE:
        answer = await router.handle(turn_in(place), CardAction(verb=Verb.ESCALATE.value))
        assert isinstance(answer, InvokeResponse)
        assert answer.body.status_code == HTTPStatus.FORBIDDEN, place
        assert answer.body.value["message"] == PERSONAL_ONLY
    assert ran == []

    answer = await router.handle(turn_in("personal"), CardAction(verb=Verb.ESCALATE.value))
    assert isinstance(answer, InvokeResponse)
    assert answer.body.status_code == HTTPStatus.OK
    assert ran == ["personal"]
    assert router.allowed_anywhere == frozenset()


async def test_a_verb_allowed_anywhere_answers_in_a_channel_too() -> None:
    async def show(_turn_context: TurnContext, _action: CardAction) -> AdaptiveCard:
        return welcome_card()

    router = InvokeRouter()
    router.register(Verb.SHOW_HELP, show, anywhere=True)

    answer = await router.handle(turn_in("channel"), CardAction(verb=Verb.SHOW_HELP.value))

    assert isinstance(answer, InvokeResponse)
    assert answer.body.status_code == HTTPStatus.OK
    assert router.allowed_anywhere == frozenset({Verb.SHOW_HELP})


async def test_replacing_a_verb_keeps_it_to_one_to_one_chats() -> None:
    async def show(_turn_context: TurnContext, _action: CardAction) -> AdaptiveCard:
        return welcome_card()

    router = InvokeRouter()
    router.register(Verb.ESCALATE, show)
    router.register(Verb.ESCALATE, show, replacing=True)

    answer = await router.handle(turn_in("groupChat"), CardAction(verb=Verb.ESCALATE.value))

    assert isinstance(answer, InvokeResponse)
    assert answer.body.status_code == HTTPStatus.FORBIDDEN


async def test_a_command_registered_with_no_flag_answers_only_in_a_one_to_one_chat() -> None:
    ran: list[str] = []

    async def escalate(turn_context: TurnContext, _match: re.Match[str]) -> None:
        ran.append(str(turn_context.activity.conversation.conversation_type))

    router = CommandRouter()
    router.register("escalate", r"escalate now", escalate)  # what a new feature would write

    for place in ELSEWHERE:
        context = turn_in(place, ActivityTypes.message)
        await router.handle(context)
        [reply] = context.adapter.activity_buffer
        assert reply.text == PERSONAL_ONLY, place
    assert ran == []

    await router.handle(turn_in("personal", ActivityTypes.message))
    assert ran == ["personal"]
    assert router.allowed_anywhere == frozenset()
