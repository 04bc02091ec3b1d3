"""The HTTP edge: POST /api/messages, checked before any bot code runs.

botbuilder's `CloudAdapter.process` turns expired, malformed or unknown-key tokens into 500s,
fetches signing keys on the event loop, and accepts any tenant and any channel. This handler
does the checks itself, in an order that leaks nothing:
  1. the body is a JSON activity of a sane shape (415 / 400 otherwise);
  2. the Bot Framework token is valid (401 otherwise; 503 if Microsoft's signing keys cannot be
     had in time), checked by `bot.inbound_auth`, never by the SDK;
  3. the channel and the tenant are allowed (403 otherwise);
  4. the database can take the turn (503 with `Retry-After` otherwise, before anything is done,
     so that the channel may deliver it again);
and only then hands the authenticated activity to the adapter. Nothing a client sends can make
this handler answer 500. A turn stopped by the database going away before it did anything
(bot/errors.py) also answers 503.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Collection
from http import HTTPStatus
from typing import Any, Final, Protocol

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)

from bot.inbound_auth import (
    AuthenticationUnavailableError,
    ChannelTokenValidator,
    NotAuthenticatedError,
)
from bot.teams_data import tenant_id_of
from bot.urls import is_loopback_url, is_secure_url
from storage.db import StoreUnavailable, recording_writes

log = logging.getLogger(__name__)

TurnLogic = Callable[[TurnContext], Awaitable[None]]

# Teams' activities nest a handful of levels (channelData, card values); anything far deeper is
# not from a client, and deep nesting is how a JSON body is made to exhaust the stack.
MAX_JSON_DEPTH: Final = 32
RETRY_AFTER_SECONDS: Final = "5"


def _problem(
    status: HTTPStatus, detail: str, headers: dict[str, str] | None = None
) -> web.Response:
    """A small JSON error body. `detail` is ours, never text from the request."""
    return web.json_response(
        {"error": status.phrase, "detail": detail}, status=status, headers=headers
    )


def _store_unavailable() -> web.Response:
    return _problem(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The bot's storage is unavailable.",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether any list or object in `document` is nested more than `limit` deep (iterative)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Collection[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


# Ids go into the Bot Connector's URLs and into log lines: Teams' are short printable ASCII
# ("a:1x...", "19:...@thread.tacv2;messageid=...", GUIDs, numbers).
_IDENTIFIER = re.compile(r"[\x20-\x7e]{1,512}")
_ACTIVITY_TYPE = re.compile(r"[A-Za-z]{1,64}")


def _is_identifier(value: object) -> bool:
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def _member(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def _shape_problem(body: dict[str, Any]) -> str | None:
    """What in the raw JSON is not shaped as a channel sends it. Checked before msrest reads it:
    msrest turns a number, list or object where a string belongs into its Python repr."""
    kind = body.get("type")
    if not isinstance(kind, str) or not _ACTIVITY_TYPE.fullmatch(kind):
        return "An activity needs a type."
    if not _is_identifier(_member(body, "conversation").get("id")):
        return "An activity needs a conversation."
    sender = _member(body, "from")
    if not _is_identifier(sender.get("id")):
        return "An activity needs a sender (from)."
    optional_ids = (
        body.get("id"),
        body.get("replyToId"),
        sender.get("aadObjectId"),
        _member(body, "recipient").get("id"),
    )
    if any(value is not None and not _is_identifier(value) for value in optional_ids):
        return "An id in the activity is not one a channel would send."
    if not isinstance(body.get("serviceUrl"), str):
        return "An activity needs an https serviceUrl."
    return None


def _service_url_problem(activity: Activity, *, local_mode: bool) -> str | None:
    service_url = activity.service_url
    if not isinstance(service_url, str) or not is_secure_url(service_url):
        return "An activity needs an https serviceUrl."
    if local_mode and not is_loopback_url(service_url):
        # Unauthenticated local mode replies only to tools on this machine.
        return "In local mode the serviceUrl must be on this machine."
    return None


def _parse_activity(body: dict[str, Any]) -> Activity | None:
    try:
        activity: Activity = Activity().deserialize(body)
    except Exception:  # msrest raises a variety of errors for ill-typed fields
        return None
    return activity


def _invoke_body(response: InvokeResponse) -> Any:
    body = response.body
    if body is None:
        return None
    if hasattr(body, "serialize"):
        return body.serialize()
    return body


class StoreGate(Protocol):
    """Whether the bot's database can take a turn now (`storage.db.Database` is one)."""

    async def is_available(self) -> bool: ...


class MessagesEndpoint:
    """Handles POST /api/messages for one adapter, authentication and bot.

    `validator` is None only in local mode, where requests are not authenticated.
    """

    def __init__(
        self,
        *,
        adapter: CloudAdapter,
        authentication: BotFrameworkAuthentication,
        logic: TurnLogic,
        validator: ChannelTokenValidator | None,
        allowed_channel_ids: Collection[str],
        allowed_tenant_ids: Collection[str],
        store: StoreGate | None = None,
    ) -> None:
        self._adapter = adapter
        self._authentication = authentication
        self._logic = logic
        self._validator = validator
        self._allowed_channel_ids = frozenset(allowed_channel_ids)
        self._allowed_tenant_ids = frozenset(allowed_tenant_ids)
        self._store = store

    async def handle(self, request: web.Request) -> web.Response:
        activity = await self._read_activity(request)
        if isinstance(activity, web.Response):
            return activity
        authenticated = await self._authenticate(activity, request.headers.get("Authorization"))
        if isinstance(authenticated, web.Response):
            return authenticated

        if activity.channel_id not in self._allowed_channel_ids:
            log.warning("refused activity from another channel activity_id=%s", activity.id)
            return _problem(HTTPStatus.FORBIDDEN, "This bot works in Microsoft Teams only.")
        if self._allowed_tenant_ids and tenant_id_of(activity) not in self._allowed_tenant_ids:
            log.warning(
                "refused activity from a tenant that is not allowed activity_id=%s", activity.id
            )
            return _problem(HTTPStatus.FORBIDDEN, "This organisation may not use this bot.")
        return await self._run_turn(authenticated, activity)

    async def _run_turn(
        self, authenticated: AuthenticateRequestResult, activity: Activity
    ) -> web.Response:
        """The turn, unless the database is known to be down; 503 also when the database went
        away before the turn did anything (bot/errors.py raises it again only then)."""
        if self._store is not None and not await self._store.is_available():
            log.warning("refused a turn: the database is unavailable activity_id=%s", activity.id)
            return _store_unavailable()
        try:
            with recording_writes():
                invoke_response = await self._adapter.process_activity(
                    authenticated, activity, self._logic
                )
        except StoreUnavailable:
            log.warning("stopped a turn: the database is unavailable activity_id=%s", activity.id)
            return _store_unavailable()
        if invoke_response is None:
            return web.Response(status=HTTPStatus.OK)
        return web.json_response(_invoke_body(invoke_response), status=invoke_response.status)

    async def _read_activity(self, request: web.Request) -> Activity | web.Response:
        if request.content_type != "application/json":
            return _problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send an activity as JSON.")
        raw = await request.read()  # bounded by the application's client_max_size (413)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return _problem(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.")
        activity = self._activity_from(body)
        if isinstance(activity, str):
            return _problem(HTTPStatus.BAD_REQUEST, activity)
        return activity

    def _activity_from(self, body: Any) -> Activity | str:
        """The activity in a JSON body, or what is wrong with it."""
        if _depth_exceeds(body, MAX_JSON_DEPTH):
            return "The body is nested too deeply."
        if not isinstance(body, dict):
            return "The body is not a Bot Framework activity."
        problem = _shape_problem(body)
        if problem is not None:
            return problem
        activity = _parse_activity(body)
        if activity is None:
            return "The body is not a Bot Framework activity."
        return _service_url_problem(activity, local_mode=self._validator is None) or activity

    async def _authenticate(
        self, activity: Activity, authorization: str | None
    ) -> AuthenticateRequestResult | web.Response:
        if self._validator is None:
            # Local mode: the SDK's anonymous identity. Whatever header came is ignored, so the
            # SDK's own (blocking) token check never runs.
            result: AuthenticateRequestResult = await self._authentication.authenticate_request(
                activity, ""
            )
            return result
        try:
            claims = await self._validator.validate(
                authorization or "",
                channel_id=str(activity.channel_id or ""),
                service_url=str(activity.service_url),
            )
        except NotAuthenticatedError as error:
            log.warning(
                "refused an unauthenticated request activity_id=%s reason=%s",
                activity.id,
                error.reason,
            )
            return _problem(
                HTTPStatus.UNAUTHORIZED,
                "The request is not authenticated.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        except AuthenticationUnavailableError:
            log.error("refused a request: Bot Framework signing keys unavailable")
            return _problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "Authentication is unavailable.",
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        identity = ClaimsIdentity(dict(claims), True)
        authenticated = AuthenticateRequestResult()
        authenticated.claims_identity = identity
        authenticated.audience = self._authentication.get_originating_audience()
        authenticated.caller_id = CallerIdConstants.public_azure_channel
        authenticated.connector_factory = self._authentication.create_connector_factory(identity)
        return authenticated
