"""The Teams activity handler: it only dispatches. Each feature lives in its own module.

Before dispatching it checks who is acting: a message or card click must name its sender by
their Entra ID object id (`from.aadObjectId`), which Teams always sends; one without is refused
before anything is read or stored. Where concerns may be shown is the routers' rule (a one-to-one
chat unless a command or verb is allowed anywhere). Invokes other than Action.Execute are not
for this bot and get a 4xx, never botbuilder's 501.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ActivityTypes, ChannelAccount
from botbuilder.schema.teams import TeamInfo

from bot.commands import CommandRouter
from bot.conversations import ConversationDirectory
from bot.deliveries import Deliveries
from bot.invoke_routes import InvokeRouter
from bot.teams_data import conversation_type_of, user_key
from cards.verbs import Verb
from cards.welcome import WelcomeCard
from dialogs.replies import (
    card_message,
    dialog_message_response,
    error_invoke_response,
    unhandled_invoke_response,
)
from storage.records import ConversationType
from teams.clicks import CARD_ACTION, parse_card_action

log = logging.getLogger(__name__)

UNIDENTIFIED = (
    "Sorry, I could not tell who you are, so I cannot help with that here. Please message me "
    "from Microsoft Teams, signed in with your work account."
)
NO_DIALOGS = (
    "There is nothing to set up here. To log or see a concern, message Resolve Together in a "
    "one-to-one chat."
)
# Invokes Teams answers by opening a dialog: a plain message is shown instead of an error.
_DIALOG_INVOKES = frozenset({"task/fetch", "task/submit"})
_CONFIGURATION_INVOKES = frozenset({"config/fetch", "config/submit"})


def _first_name(account: ChannelAccount | None) -> str | None:
    name = (account.name or "").strip() if account else ""
    return name.split()[0] if name else None


class ResolveTogetherBot(TeamsActivityHandler):
    """Routes messages to commands, card clicks to verbs, and installs to the welcome card."""

    def __init__(
        self,
        *,
        conversations: ConversationDirectory,
        deliveries: Deliveries,
        welcome: WelcomeCard,
        commands: CommandRouter,
        invokes: InvokeRouter,
        after_turn: Callable[[TurnContext], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self._conversations = conversations
        self._deliveries = deliveries
        self._welcome = welcome
        self._commands = commands
        self._invokes = invokes
        self._after_turn = after_turn

    @property
    def invokes(self) -> InvokeRouter:
        return self._invokes

    @property
    def routed_verbs(self) -> frozenset[Verb]:
        """Every Action.Execute verb this bot answers."""
        return self._invokes.verbs

    @property
    def verbs_allowed_anywhere(self) -> frozenset[Verb]:
        """The verbs that also answer in group chats and channels (the rest: one-to-one only)."""
        return self._invokes.allowed_anywhere

    @property
    def command_names(self) -> tuple[str, ...]:
        return self._commands.names

    @property
    def commands_allowed_anywhere(self) -> frozenset[str]:
        """The commands that also answer in group chats and channels."""
        return self._commands.allowed_anywhere

    def understands(self, text: str) -> bool:
        """Whether typed `text` matches a command (used to check the Teams command menu)."""
        return self._commands.matches(text)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        async with self._deliveries.turn(activity) as first_delivery:
            if not first_delivery and activity.type != ActivityTypes.invoke:
                return  # handled already; a click is answered again (bot/deliveries.py)
            await super().on_turn(turn_context)
            if self._after_turn is not None:
                await self._after_turn(turn_context)  # e.g. save dialog state, once per turn

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ) -> None:
        # The base class looks every member up through the Bot Connector's members API; the
        # activity already says who was added, and the welcome needs nothing more.
        recipient_id = (
            turn_context.activity.recipient.id if turn_context.activity.recipient else None
        )
        someone_arrived = any(member.id for member in members_added)
        if not someone_arrived:
            return
        bot_was_added = any(member.id == recipient_id for member in members_added)
        await self._conversations.remember(turn_context.activity)
        is_personal = conversation_type_of(turn_context.activity) is ConversationType.PERSONAL
        if bot_was_added or is_personal:
            await turn_context.send_activity(
                card_message(self._welcome(), summary="Welcome: how this bot can help")
            )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if user_key(turn_context.activity.from_property) is None:
            log.warning(
                "refused a message with no Entra ID object id activity_id=%s",
                turn_context.activity.id,
            )
            await turn_context.send_activity(UNIDENTIFIED)
            return
        first_contact = await self._conversations.remember(turn_context.activity)
        if first_contact:
            await turn_context.send_activity(
                card_message(
                    self._welcome(user_first_name=_first_name(turn_context.activity.from_property)),
                    summary="Welcome: how this bot can help",
                )
            )
        await self._commands.handle(turn_context, first_contact=first_contact)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        name = turn_context.activity.name
        if name != CARD_ACTION:
            # Not botbuilder's dispatch: it answers 501, or 500 for a value it cannot read.
            return _answer_other_invoke(name, turn_context.activity.id)
        if user_key(turn_context.activity.from_property) is None:
            log.warning(
                "refused a click with no Entra ID object id activity_id=%s",
                turn_context.activity.id,
            )
            return error_invoke_response(UNIDENTIFIED, code="Forbidden")
        # Answered here, not through on_adaptive_card_invoke: that path makes botbuilder
        # serialise the body twice and fail with HTTP 500 (DESIGN.md 4.1).
        action = parse_card_action(turn_context.activity.value)
        if action is None:
            return error_invoke_response(
                "That button sent something I could not read. Type help to start again.",
                code="BadRequest",
            )
        return await self._invokes.handle(turn_context, action)

    async def on_unrecognized_activity_type(self, turn_context: TurnContext) -> Any:
        log.info(
            "ignored activity type=%s id=%s", turn_context.activity.type, turn_context.activity.id
        )


def _answer_other_invoke(name: str | None, activity_id: str | None) -> InvokeResponse:
    """The answer to an invoke other than Action.Execute. The name is logged only if it is one
    Teams defines, since the rest of the activity may quote what someone typed."""
    if name in _DIALOG_INVOKES:
        log.info("answered a dialog invoke name=%s activity_id=%s", name, activity_id)
        return dialog_message_response(NO_DIALOGS)
    if name in _CONFIGURATION_INVOKES:
        log.info("answered a configuration invoke name=%s activity_id=%s", name, activity_id)
        return dialog_message_response(NO_DIALOGS, for_configuration=True)
    log.info("refused an invoke this bot does not handle activity_id=%s", activity_id)
    return unhandled_invoke_response()
