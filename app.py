"""The composition root: wires settings, storage, the bot and the HTTP routes together.

`create_app(settings)` returns the aiohttp application; `main()` reads the environment and runs it.
Nothing else in the code base constructs these pieces.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus

from aiohttp import web
from pydantic import ValidationError

from bot.adapter import (
    CredentialsFactory,
    build_adapter,
    build_authentication,
    build_credentials_factory,
    build_sender,
)
from bot.commands import foundation_commands
from bot.concern_cards import Contacts, ThreadCards
from bot.concern_feature import ThreadFeature
from bot.conversations import ConversationDirectory
from bot.deliveries import Deliveries
from bot.handler import ResolveTogetherBot
from bot.housekeeping import DraftSweeper
from bot.http import MessagesEndpoint
from bot.inbound_auth import ChannelTokenValidator, SigningKeyStore
from bot.intake_feature import IntakeFeature, ThreadOpener
from bot.intake_runner import IntakeRunner
from bot.invoke_routes import foundation_invokes
from cards.welcome import welcome_card_for
from dialogs.intake import IntakeDialog
from domain.model import LscpArea
from services.concerns import ThreadService
from settings import Settings
from storage.db import Database
from storage.dialog_storage import SqlDialogStorage
from storage.timestamps import utc_now

log = logging.getLogger("app")

DATABASE_KEY = web.AppKey("database", Database)
SETTINGS_KEY = web.AppKey("settings", Settings)
SIGNING_KEYS_KEY = web.AppKey("signing_keys", SigningKeyStore)
# How long a SIGTERM waits for requests in flight: every wait inside a request is shorter.
SHUTDOWN_TIMEOUT_SECONDS = 5.0
# GET /healthz answers within this, whatever the database does (orchestrators time probes out).
HEALTH_DEADLINE_SECONDS = 2.0


async def healthz(request: web.Request) -> web.Response:
    """Readiness: 200 only when the database answers and is at the latest migration and, with
    authentication on, usable Bot Framework signing keys are held (without them every request
    would get 503). Answers within HEALTH_DEADLINE_SECONDS whatever the database does."""
    body: dict[str, str] = {"status": "ok", "database": "ok"}
    ready = True
    try:
        # The check gives up first; the deadline is the backstop for anything else it awaits.
        async with asyncio.timeout(HEALTH_DEADLINE_SECONDS * 0.9):
            current = await request.app[DATABASE_KEY].schema_is_current(
                within=HEALTH_DEADLINE_SECONDS * 0.75
            )
    except Exception as error:
        log.warning("health check: database unavailable error=%s", type(error).__name__)
        body["database"] = "unreachable"
        ready = False
    else:
        if not current:
            log.warning("health check: the database is not at the latest migration")
            body["database"] = "not migrated"
            ready = False
    keys = request.app.get(SIGNING_KEYS_KEY)
    if keys is not None:
        status = keys.status()
        body["signing_keys"] = status.detail
        ready = ready and status.ready
    if not ready:
        body["status"] = "unavailable"
        return web.json_response(body, status=HTTPStatus.SERVICE_UNAVAILABLE)
    return web.json_response(body)


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
        working_days_per_stage=policy.working_days_per_stage,
    )
    welcome = welcome_card_for(policy.working_days_per_stage)
    runner = IntakeRunner(SqlDialogStorage(database), dialog)
    commands = foundation_commands(welcome)
    invokes = foundation_invokes(welcome)
    IntakeFeature(runner, welcome).register(commands, invokes)
    ThreadFeature(threads, thread_cards, welcome).register(commands, invokes)
    return ResolveTogetherBot(
        conversations=ConversationDirectory(database),
        deliveries=Deliveries(database),
        welcome=welcome,
        commands=commands,
        invokes=invokes,
        after_turn=runner.save,
    )


def create_app(
    settings: Settings,
    *,
    credentials_factory: CredentialsFactory | None = None,
    clock: Callable[[], datetime] = utc_now,
    bot_factory: Callable[..., ResolveTogetherBot] = build_bot,
) -> web.Application:
    """The bot's web application. Tests may pass `credentials_factory` (no Entra ID for replies),
    `clock` (a fixed "now") and `bot_factory` (a bot with a fault injected)."""
    database = Database(settings.database_url)
    outbound_credentials = build_credentials_factory(settings, credentials_factory)
    authentication = build_authentication(settings, outbound_credentials)
    sender = build_sender(outbound_credentials)  # one HTTP client for every reply; closed below
    adapter = build_adapter(authentication, sender)
    bot = bot_factory(settings, database, clock=clock)
    signing_keys = (
        SigningKeyStore(settings.openid_metadata_url) if settings.authentication_enabled else None
    )
    endpoint = MessagesEndpoint(
        adapter=adapter,
        authentication=authentication,
        logic=bot.on_turn,
        validator=(
            ChannelTokenValidator(app_id=settings.microsoft_app_id, keys=signing_keys)
            if signing_keys is not None
            else None
        ),
        allowed_channel_ids=settings.allowed_channel_ids,
        allowed_tenant_ids=settings.allowed_tenant_ids,
        store=database,
    )

    app = web.Application(client_max_size=256 * 1024)
    app[DATABASE_KEY] = database
    app[SETTINGS_KEY] = settings
    if signing_keys is not None:
        app[SIGNING_KEYS_KEY] = signing_keys
    app.router.add_post("/api/messages", endpoint.handle)
    app.router.add_get("/healthz", healthz)

    # Retention is measured against the database's own timestamps: the real clock, always.
    drafts = DraftSweeper(
        database, retention=timedelta(days=settings.draft_retention_days), clock=utc_now
    )

    async def start(_app: web.Application) -> None:
        if signing_keys is not None:
            await signing_keys.start()
        if settings.should_migrate_on_start:
            await database.migrate_to_head()
        drafts.start()

    async def close(_app: web.Application) -> None:
        await drafts.stop()
        if signing_keys is not None:
            await signing_keys.close()
        await sender.close()
        await database.dispose()

    app.on_startup.append(start)
    app.on_cleanup.append(close)
    return app


# Database drivers log SQL parameters (everything people typed) at DEBUG and INFO: they stay at
# WARNING whatever LOG_LEVEL says.
QUIET_LOGGERS = ("sqlalchemy", "aiosqlite", "asyncpg", "alembic.runtime.migration")


def configure_logging(level: str) -> None:
    """Log lines with ids, at `level`, never with what people typed (README, "Logs")."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


def main() -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        messages = "; ".join(str(item["msg"]) for item in error.errors())
        sys.stderr.write(f"The bot cannot start: {messages}\n")
        raise SystemExit(2) from None
    configure_logging(settings.log_level)
    if not settings.authentication_enabled:
        log.warning(
            "LOCAL MODE: inbound requests are not authenticated; listening on %s only",
            settings.bind_host,
        )
    web.run_app(
        create_app(settings),
        host=settings.bind_host,
        port=settings.port,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
    )


if __name__ == "__main__":
    main()
