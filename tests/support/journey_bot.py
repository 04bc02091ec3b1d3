"""The bot in local mode for the Agents Playground journey, optionally with a fault injected.

    python -m tests.support.journey_bot --port 3978 --database-url sqlite+aiosqlite:///x.db
        [--fault escalate-500 | escalate-appends]

The faults exist to prove that the journey's own checks fail when the bot misbehaves: one
answers the Escalate click with HTTP 500, the other posts the updated card as a new message
instead of updating the clicked card in place.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Attachment
from microsoft_teams.cards import AdaptiveCard

from app import build_bot, create_app
from bot.handler import ResolveTogetherBot
from cards.render import ADAPTIVE_CARD_CONTENT_TYPE
from cards.verbs import Verb
from dialogs.replies import card_message
from settings import Settings
from teams.clicks import CardAction


class Fault(StrEnum):
    NONE = "none"
    ESCALATE_500 = "escalate-500"
    ESCALATE_APPENDS = "escalate-appends"


@web.middleware
async def escalate_answers_500(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path == "/api/messages" and request.can_read_body:
        body: dict[str, Any] = await request.json()
        action = (body.get("value") or {}).get("action") or {}
        if body.get("type") == "invoke" and action.get("verb") == Verb.ESCALATE.value:
            return web.Response(status=HTTPStatus.INTERNAL_SERVER_ERROR)
    return await handler(request)


def append_instead_of_update(bot: ResolveTogetherBot) -> None:
    """Escalate still happens, but its card arrives as a new message; the clicked one stays."""
    original = bot.invokes.handler(Verb.ESCALATE)

    async def appending(turn_context: TurnContext, action: CardAction) -> InvokeResponse:
        result = await original(turn_context, action)
        if isinstance(result, AdaptiveCard):
            await turn_context.send_activity(card_message(result))
        elif isinstance(result, InvokeResponse) and result.body is not None:
            # A click handler's answer: the updated card travels in the invoke response's body.
            card = Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=result.body.value)
            await turn_context.send_activity(MessageFactory.attachment(card))
        return InvokeResponse(status=HTTPStatus.OK)

    bot.invokes.register(Verb.ESCALATE, appending, replacing=True)


def journey_app(settings: Settings, fault: Fault) -> web.Application:
    if fault is Fault.ESCALATE_APPENDS:

        def faulty_bot(*args: Any, **kwargs: Any) -> ResolveTogetherBot:
            bot = build_bot(*args, **kwargs)
            append_instead_of_update(bot)
            return bot

        app = create_app(settings, bot_factory=faulty_bot)
    else:
        app = create_app(settings)
    if fault is Fault.ESCALATE_500:
        app.middlewares.append(escalate_answers_500)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--fault", type=Fault, choices=list(Fault), default=Fault.NONE)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    values: dict[str, Any] = {"_env_file": None, "local_mode": True, "migrate_on_start": True}
    settings = Settings(**values, database_url=arguments.database_url, port=arguments.port)
    web.run_app(
        journey_app(settings, arguments.fault), host="127.0.0.1", port=arguments.port, print=None
    )


if __name__ == "__main__":
    main()
