"""The composition root: wires settings, storage, the bot and the HTTP routes together.

`create_app(settings)` returns the aiohttp application; `main()` reads the environment and runs it.
Nothing else in the code base constructs these pieces.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus

from aiohttp import web
from botframework.connector.auth import ServiceClientCredentialsFactory
from pydantic import ValidationError

from bot.adapter import build_adapter, build_authentication
from bot.commands import foundation_commands
from bot.conversations import ConversationDirectory
from bot.handler import ResolveTogetherBot
from bot.http import MessagesEndpoint
from bot.intake_feature import IntakeFeature, ThreadOpener
from bot.intake_runner import IntakeRunner
from bot.invoke_routes import foundation_invokes
from bot.signing_keys import SigningKeys
from bot.thread_cards import Contacts, ThreadCards
from bot.thread_feature import ThreadFeature
from bot.threads import ThreadService
from dialogs.intake import IntakeDialog
from domain.model import LscpArea
from settings import Settings
from storage.db import Database
from storage.dialog_storage import SqlDialogStorage
from storage.timestamps import utc_now

log = logging.getLogger("app")

DATABASE_KEY = web.AppKey("database", Database)
SETTINGS_KEY = web.AppKey("settings", Settings)


async def healthz(request: web.Request) -> web.Response:
    """Liveness and readiness: answers 200 only when the database answers."""
    database = request.app[DATABASE_KEY]
    try:
        await database.ping()
    except Exception as error:
        log.warning("health check: database unavailable error=%s", type(error).__name__)
        return web.json_response(
            {"status": "unavailable", "database": "unreachable"},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    return web.json_response({"status": "ok", "database": "ok"})


def contacts_from(settings: Settings) -> Contacts:
    return Contacts(
        lscp_emails={area: contact.email for area, contact in settings.lscp_contacts.items()},
        rethink_name=settings.rethink_contact.name,
        rethink_email=settings.rethink_contact.email,
        child_protection=tuple(
            (area.label, settings.child_protection_contacts.get(area, ""))
            for area in LscpArea
            if settings.child_protection_contacts.get(area)
        ),
    )


def build_bot(
    settings: Settings, database: Database, *, clock: Callable[[], datetime] = utc_now
) -> ResolveTogetherBot:
    """The activity handler with every feature registered: usable with any adapter."""
    policy = settings.procedure_policy()
    threads = ThreadService(database, policy, clock)
    contacts = contacts_from(settings)
    thread_cards = ThreadCards(contacts, policy, clock)
    dialog = IntakeDialog(
        local_now=lambda: clock().astimezone(policy.timezone),
        child_protection_contacts=contacts.child_protection,
        open_thread=ThreadOpener(threads, thread_cards),
    )
    runner = IntakeRunner(SqlDialogStorage(database), dialog)
    commands = foundation_commands()
    invokes = foundation_invokes()
    IntakeFeature(runner).register(commands, invokes)
    ThreadFeature(threads, thread_cards).register(commands, invokes)
    return ResolveTogetherBot(
        conversations=ConversationDirectory(database),
        commands=commands,
        invokes=invokes,
        after_turn=runner.save,
    )


def create_app(
    settings: Settings,
    *,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
    clock: Callable[[], datetime] = utc_now,
    bot_factory: Callable[..., ResolveTogetherBot] = build_bot,
) -> web.Application:
    """The bot's web application. Tests may pass `credentials_factory` (no Entra ID for replies),
    `clock` (a fixed "now") and `bot_factory` (a bot with a fault injected)."""
    database = Database(settings.database_url)
    authentication = build_authentication(settings, credentials_factory)
    adapter = build_adapter(authentication)
    bot = bot_factory(settings, database, clock=clock)
    endpoint = MessagesEndpoint(
        adapter=adapter,
        authentication=authentication,
        logic=bot.on_turn,
        allowed_tenant_ids=settings.allowed_tenant_ids,
        signing_keys=SigningKeys() if settings.authentication_enabled else None,
    )

    app = web.Application(client_max_size=256 * 1024)
    app[DATABASE_KEY] = database
    app[SETTINGS_KEY] = settings
    app.router.add_post("/api/messages", endpoint.handle)
    app.router.add_get("/healthz", healthz)

    async def migrate(_app: web.Application) -> None:
        if settings.should_migrate_on_start:
            await database.migrate_to_head()

    async def close(_app: web.Application) -> None:
        await database.dispose()

    app.on_startup.append(migrate)
    app.on_cleanup.append(close)
    return app


def main() -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        messages = "; ".join(str(item["msg"]) for item in error.errors())
        sys.stderr.write(f"The bot cannot start: {messages}\n")
        raise SystemExit(2) from None
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if not settings.authentication_enabled:
        log.warning(
            "LOCAL MODE: inbound requests are not authenticated; listening on %s only",
            settings.bind_host,
        )
    web.run_app(create_app(settings), host=settings.bind_host, port=settings.port)


if __name__ == "__main__":
    main()
