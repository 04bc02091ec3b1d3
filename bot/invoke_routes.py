"""Action.Execute routing: one small handler per verb, each answering with the card to show.

Teams sends `value = {"action": {"type": "Action.Execute", "verb": ..., "data": {...}}}`; the
handler returns the card that replaces the clicked one (HTTP 200), so cards update in place.

A verb answers only in a one-to-one chat unless it is registered as allowed `anywhere`: concern
buttons (escalate, resolve, notes, history, the intake's forms...) are refused in group chats
and channels before their handler runs, so nothing is read, shown or stored there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botbuilder.core import InvokeResponse, TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.commands import PERSONAL_ONLY
from bot.teams_data import is_personal_chat
from cards.verbs import Verb
from cards.welcome import WelcomeCard
from dialogs.replies import card_invoke_response, card_message, error_invoke_response
from teams.clicks import CardAction, Click, Refusal, click_of

log = logging.getLogger(__name__)

STALE_BUTTON = (
    "That button belongs to an older version of this bot. Type help to see what you can do now."
)


# A turn handler answers with the card that replaces the clicked one, an InvokeResponse, or None
# when it has already answered the click itself (as the intake's dialog forms do).
VerbHandler = Callable[[TurnContext, CardAction], Awaitable[AdaptiveCard | InvokeResponse | None]]


@dataclass(frozen=True)
class Shown:
    """What a click shows: the card that replaces the clicked one, and cards to post after."""

    card: AdaptiveCard
    messages: tuple[AdaptiveCard, ...] = ()


# A click handler takes our own Click (teams/clicks.py), never the TurnContext, and answers with
# what to show or why not.
ClickHandler = Callable[[Click], Awaitable[AdaptiveCard | Shown | Refusal]]

UNIDENTIFIED_CLICK = "I could not tell who clicked that. Please open the bot from Teams."


def _on_turn(handler: ClickHandler) -> VerbHandler:
    """Run a click handler on a turn: the click read at the seam, the answer turned into Teams'."""

    async def run(turn_context: TurnContext, _action: CardAction) -> InvokeResponse:
        click = click_of(turn_context)
        if click is None:
            return error_invoke_response(UNIDENTIFIED_CLICK, code="Forbidden")
        answer = await handler(click)
        if isinstance(answer, Refusal):
            return error_invoke_response(answer.message, code=answer.code)
        if isinstance(answer, Shown):
            for message in answer.messages:
                await turn_context.send_activity(card_message(message))
            return card_invoke_response(answer.card)
        return card_invoke_response(answer)

    return run


@dataclass(frozen=True)
class _Route:
    handler: VerbHandler
    anywhere: bool


class InvokeRouter:
    """Maps each Verb to its handler; an unknown verb gets a kind message, not an error."""

    def __init__(self) -> None:
        self._routes: dict[Verb, _Route] = {}

    def register(
        self,
        verb: Verb,
        handler: VerbHandler,
        *,
        replacing: bool = False,
        anywhere: bool = False,
    ) -> None:
        """Route `verb` to `handler`; routing a verb twice is a mistake unless `replacing`.

        The handler runs only in a one-to-one chat unless `anywhere`: allow that only for a
        button that shows nothing about any concern (help), or only what a channel may see.
        """
        if (verb in self._routes) != replacing:
            raise ValueError(f"verb {verb.value} is {'not ' if replacing else ''}already routed")
        self._routes[verb] = _Route(handler, anywhere)

    def register_click(self, verb: Verb, handler: ClickHandler, *, anywhere: bool = False) -> None:
        """Route `verb` to a handler of our own `Click` (the way every feature should answer)."""
        self.register(verb, _on_turn(handler), anywhere=anywhere)

    def handler(self, verb: Verb) -> VerbHandler:
        return self._routes[verb].handler

    @property
    def verbs(self) -> frozenset[Verb]:
        return frozenset(self._routes)

    @property
    def allowed_anywhere(self) -> frozenset[Verb]:
        """The verbs that also answer in group chats and channels."""
        return frozenset(verb for verb, route in self._routes.items() if route.anywhere)

    async def handle(self, turn_context: TurnContext, action: CardAction) -> InvokeResponse | None:
        try:
            verb = Verb(action.verb)
            route = self._routes[verb]
        except (ValueError, KeyError):
            log.info("unrouted verb activity_id=%s", turn_context.activity.id)
            return error_invoke_response(STALE_BUTTON, code="BadRequest")
        if not route.anywhere and not is_personal_chat(turn_context.activity):
            log.info(
                "refused verb=%s outside a personal chat activity_id=%s",
                verb.value,
                turn_context.activity.id,
            )
            return error_invoke_response(PERSONAL_ONLY, code="Forbidden")
        log.info("verb=%s activity_id=%s", verb.value, turn_context.activity.id)
        result = await route.handler(turn_context, action)
        if result is None or isinstance(result, InvokeResponse):
            return result
        return card_invoke_response(result)


def foundation_invokes(welcome: WelcomeCard) -> InvokeRouter:
    async def show_help(_click: Click) -> AdaptiveCard:
        return welcome()

    router = InvokeRouter()
    router.register_click(Verb.SHOW_HELP, show_help, anywhere=True)
    return router
