"""The HTTP edge: POST /api/messages, checked before any bot code runs.

botbuilder's `CloudAdapter.process` turns expired, malformed or unknown-key tokens into 500s and
accepts any tenant. This handler does the checks itself, in an order that leaks nothing:
  1. the body is a JSON activity (415 / 400 otherwise);
  2. the Bot Framework token is valid (401 otherwise; 503 if Microsoft's signing keys cannot be
     fetched);
  3. the tenant is allowed (403 otherwise);
and only then hands the already-authenticated activity to the adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from http import HTTPStatus
from typing import Any

import requests
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

from bot.signing_keys import SigningKeys
from bot.teams_data import tenant_id_of

log = logging.getLogger(__name__)

TurnLogic = Callable[[TurnContext], Awaitable[None]]


def _problem(status: HTTPStatus, detail: str) -> web.Response:
    """A small JSON error body. `detail` is ours, never text from the request."""
    return web.json_response({"error": status.phrase, "detail": detail}, status=status)


def _parse_activity(body: Any) -> Activity | None:
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises a variety of errors for ill-typed fields
        return None
    if not activity.type or not activity.service_url or activity.conversation is None:
        return None
    return activity


async def _read_activity(request: web.Request) -> Activity | web.Response:
    if request.content_type != "application/json":
        return _problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send an activity as JSON.")
    try:
        body = await request.json()
    except ValueError:
        return _problem(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.")
    activity = _parse_activity(body)
    if activity is None:
        return _problem(
            HTTPStatus.BAD_REQUEST,
            "The body is not a Bot Framework activity (type, serviceUrl and conversation are "
            "required).",
        )
    return activity


def _invoke_body(response: InvokeResponse) -> Any:
    body = response.body
    if body is None:
        return None
    if hasattr(body, "serialize"):
        return body.serialize()
    return body


class MessagesEndpoint:
    """Handles POST /api/messages for one adapter, authentication and bot."""

    def __init__(
        self,
        *,
        adapter: CloudAdapter,
        authentication: BotFrameworkAuthentication,
        logic: TurnLogic,
        allowed_tenant_ids: Collection[str],
        signing_keys: SigningKeys | None = None,
    ) -> None:
        self._adapter = adapter
        self._authentication = authentication
        self._logic = logic
        self._allowed_tenant_ids = frozenset(allowed_tenant_ids)
        self._signing_keys = signing_keys

    async def handle(self, request: web.Request) -> web.Response:
        activity = await _read_activity(request)
        if isinstance(activity, web.Response):
            return activity
        authenticated = await self._authenticate(activity, request.headers.get("Authorization", ""))
        if isinstance(authenticated, web.Response):
            return authenticated

        if self._allowed_tenant_ids and tenant_id_of(activity) not in self._allowed_tenant_ids:
            log.warning(
                "refused activity from a tenant that is not allowed activity_id=%s", activity.id
            )
            return _problem(HTTPStatus.FORBIDDEN, "This organisation may not use this bot.")

        invoke_response = await self._adapter.process_activity(authenticated, activity, self._logic)
        if invoke_response is None:
            return web.Response(status=HTTPStatus.OK)
        return web.json_response(_invoke_body(invoke_response), status=invoke_response.status)

    async def _authenticate(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult | web.Response:
        try:
            if auth_header and self._signing_keys is not None:
                await self._signing_keys.refresh_if_stale()
            result: AuthenticateRequestResult = await self._authentication.authenticate_request(
                activity, auth_header
            )
        except requests.RequestException as error:
            # Microsoft's signing keys could not be fetched: our problem, and worth a retry.
            log.error("could not fetch Bot Framework signing keys: %s", type(error).__name__)
            return _problem(HTTPStatus.SERVICE_UNAVAILABLE, "Authentication is unavailable.")
        except Exception as error:
            # The SDK signals bad tokens with PermissionError, PyJWT errors, IndexError (unknown
            # key id), KeyError and bare Exception: every one of them means "not authenticated".
            log.warning(
                "refused an unauthenticated request activity_id=%s reason=%s",
                activity.id,
                type(error).__name__,
            )
            return _problem(HTTPStatus.UNAUTHORIZED, "The request is not authenticated.")
        return result
