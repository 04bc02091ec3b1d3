"""Action.Execute routing: one small handler per verb, each answering with the card to show.

Teams sends `value = {"action": {"type": "Action.Execute", "verb": ..., "data": {...}}}`; the
handler returns the card that replaces the clicked one (HTTP 200), so cards update in place.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import InvokeResponse, TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.commands import PERSONAL_ONLY
from bot.teams_data import is_personal_chat
from cards.verbs import Verb
from cards.welcome import welcome_card
from dialogs.actions import CardAction
from dialogs.replies import card_invoke_response, error_invoke_response

log = logging.getLogger(__name__)

STALE_BUTTON = (
    "That button belongs to an older version of this bot. Type help to see what you can do now."
)


# A handler answers with the card that replaces the clicked one, an InvokeResponse, or None when
# it has already answered the click itself (as the intake's forms do).
VerbHandler = Callable[[TurnContext, CardAction], Awaitable[AdaptiveCard | InvokeResponse | None]]


async def show_help(_turn_context: TurnContext, _action: CardAction) -> AdaptiveCard:
    return welcome_card()


class InvokeRouter:
    """Maps each Verb to its handler; an unknown verb gets a kind message, not an error."""

    def __init__(self) -> None:
        self._handlers: dict[Verb, VerbHandler] = {}

    def register(
        self,
        verb: Verb,
        handler: VerbHandler,
        *,
        replacing: bool = False,
        personal_only: bool = False,
    ) -> None:
        """Route `verb` to `handler`; routing a verb twice is a mistake unless `replacing`.

        `personal_only` buttons start or show concerns, which happens only in a one-to-one chat.
        """
        if (verb in self._handlers) != replacing:
            raise ValueError(f"verb {verb.value} is {'not ' if replacing else ''}already routed")
        self._handlers[verb] = _in_personal_chat_only(handler) if personal_only else handler

    def handler(self, verb: Verb) -> VerbHandler:
        return self._handlers[verb]

    @property
    def verbs(self) -> frozenset[Verb]:
        return frozenset(self._handlers)

    async def handle(self, turn_context: TurnContext, action: CardAction) -> InvokeResponse | None:
        try:
            verb = Verb(action.verb)
            handler = self._handlers[verb]
        except (ValueError, KeyError):
            log.info("unrouted verb activity_id=%s", turn_context.activity.id)
            return error_invoke_response(STALE_BUTTON, code="BadRequest")
        log.info("verb=%s activity_id=%s", verb.value, turn_context.activity.id)
        result = await handler(turn_context, action)
        if result is None or isinstance(result, InvokeResponse):
            return result
        return card_invoke_response(result)


def _in_personal_chat_only(handler: VerbHandler) -> VerbHandler:
    async def guarded(
        turn_context: TurnContext, action: CardAction
    ) -> AdaptiveCard | InvokeResponse | None:
        if not is_personal_chat(turn_context.activity):
            return error_invoke_response(PERSONAL_ONLY, code="BadRequest")
        return await handler(turn_context, action)

    return guarded


def foundation_invokes() -> InvokeRouter:
    router = InvokeRouter()
    router.register(Verb.SHOW_HELP, show_help)
    return router
