"""Microsoft's echo bot on botbuilder 4.17.1, the baseline the bench measures the bot against.

    .venv/bin/python -m bench.echo_sample [--port 3978]

Written from the pattern the Bot Framework SDK for Python documents for its echo sample (the
"02.echo-bot" sample and the Azure Bot Service quickstart): an `ActivityHandler` whose
`on_message_activity` sends the text back, a `CloudAdapter` built from
`ConfigurationBotFrameworkAuthentication(config)`, an adapter error handler, and an aiohttp
application whose `POST /api/messages` hands the request to `adapter.process(request, bot)`.
The configuration has no app id, which is how the SDK runs anonymously for local use (the
Bot Framework Emulator, or here the bench's fake Bot Connector on loopback): inbound requests are
not authenticated and replies carry no token.

What differs from the sample is only how the process is run: a port of 0 picks a free one, and
the URL is announced on standard output (`bench.serving`), so the bench can start it pinned to
one core. The sample's extra "trace" activity for the Emulator in its error handler is left out:
the channel here is msteams, where the sample skips it as well.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ChannelAccount

from bench.serving import serve

ERROR_REPLY = "The bot encountered an error or bug."


class DefaultConfig:
    """The sample's config.py: its port and an empty app registration (anonymous, local)."""

    PORT = 3978
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):  # type: ignore[misc]  # botbuilder has no type information
    """Greets members who join and echoes every message."""

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        for member in members_added:
            if member.id != turn_context.activity.recipient.id:
                await turn_context.send_activity("Hello and welcome!")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


async def on_error(context: TurnContext, error: Exception) -> None:
    """The sample's adapter error handler: print the error, tell the user something broke."""
    print(f"\n [on_turn_error] unhandled error: {error}", file=sys.stderr)
    traceback.print_exc()
    await context.send_activity(ERROR_REPLY)


def create_echo_app(config: DefaultConfig) -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    adapter.on_turn_error = on_error
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        response: web.Response = await adapter.process(request, bot)
        return response

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=DefaultConfig.PORT, help="0: any free port")
    parser.add_argument("--host", default="127.0.0.1")
    arguments = parser.parse_args()
    asyncio.run(serve(create_echo_app(DefaultConfig()), host=arguments.host, port=arguments.port))


if __name__ == "__main__":
    main()
