"""Typed commands ("help", "new concern", ...) and the router that dispatches them.

What people type is never logged: only which command it matched. A command answers only in a
one-to-one chat unless it is registered as allowed `anywhere` (as help is): in a group chat or a
channel everyone would see the case references and the forms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botbuilder.core import TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.teams_data import is_personal_chat
from cards.welcome import WelcomeCard
from dialogs.replies import card_message
from teams.clicks import Said, said_of

log = logging.getLogger(__name__)

CommandHandler = Callable[[TurnContext, "re.Match[str]"], Awaitable[None]]

NOT_UNDERSTOOD = (
    "Sorry, I did not recognise that. Type **help** to see what I can do, or **new concern** "
    "to start."
)


def normalise(text: str | None) -> str:
    """Lower-case, single-spaced text with Teams' @mention markup removed."""
    without_mentions = re.sub(r"<at>.*?</at>", " ", text or "", flags=re.IGNORECASE | re.DOTALL)
    return " ".join(without_mentions.split()).strip().lower()


PERSONAL_ONLY = (
    "Concerns are kept private: message me in a one-to-one chat to log or see them "
    "(find Resolve Together under Apps, or select my name and choose Chat)."
)


@dataclass(frozen=True)
class Command:
    """A command: its name (for logs), the pattern it answers to, and its handler.

    Only a command allowed `anywhere` answers outside a one-to-one chat; it must show nothing
    about any concern.
    """

    name: str
    pattern: re.Pattern[str]
    handler: CommandHandler
    anywhere: bool = False


# A command handler of our own: it takes what was said (teams/clicks.py), never the TurnContext,
# and answers with a card or a line of text to post.
SaidHandler = Callable[[Said, "re.Match[str]"], Awaitable[AdaptiveCard | str]]


def _said_on_turn(handler: SaidHandler) -> CommandHandler:
    async def run(turn_context: TurnContext, match: re.Match[str]) -> None:
        said = said_of(turn_context)
        if said is None:  # the handler refuses a message from nobody before any command runs
            return
        reply = await handler(said, match)
        await turn_context.send_activity(
            card_message(reply) if isinstance(reply, AdaptiveCard) else reply
        )

    return run


class CommandRouter:
    """Matches a message against registered commands, in registration order."""

    def __init__(self) -> None:
        self._commands: list[Command] = []

    def register(
        self, name: str, pattern: str, handler: CommandHandler, *, anywhere: bool = False
    ) -> None:
        """Answer `pattern` with `handler`, in a one-to-one chat only unless `anywhere`."""
        compiled = re.compile(pattern, re.IGNORECASE)
        self._commands.append(Command(name, compiled, handler, anywhere))

    def register_said(
        self, name: str, pattern: str, handler: SaidHandler, *, anywhere: bool = False
    ) -> None:
        """Answer `pattern` with a handler of our own `Said` (the way every feature should)."""
        self.register(name, pattern, _said_on_turn(handler), anywhere=anywhere)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(command.name for command in self._commands)

    @property
    def allowed_anywhere(self) -> frozenset[str]:
        """The names of the commands that also answer in group chats and channels."""
        return frozenset(command.name for command in self._commands if command.anywhere)

    def matches(self, text: str) -> bool:
        normalised = normalise(text)
        return any(command.pattern.fullmatch(normalised) for command in self._commands)

    async def handle(self, turn_context: TurnContext, *, first_contact: bool = False) -> None:
        text = normalise(turn_context.activity.text)
        for command in self._commands:
            match = command.pattern.fullmatch(text)
            if match is None:
                continue
            if first_contact and command.name == "help":
                return  # the welcome card just sent is the help card
            log.info("command=%s activity_id=%s", command.name, turn_context.activity.id)
            if not command.anywhere and not is_personal_chat(turn_context.activity):
                await turn_context.send_activity(PERSONAL_ONLY)
                return
            await command.handler(turn_context, match)
            return
        if not first_contact:
            log.info("command=unrecognised activity_id=%s", turn_context.activity.id)
            await turn_context.send_activity(NOT_UNDERSTOOD)


def foundation_commands(welcome: WelcomeCard) -> CommandRouter:
    """The commands every deployment has."""

    async def show_help(turn_context: TurnContext, _match: re.Match[str]) -> None:
        await turn_context.send_activity(card_message(welcome(), summary="How this bot can help"))

    router = CommandRouter()
    router.register("help", r"help|\?|hi|hello|start", show_help, anywhere=True)
    return router
