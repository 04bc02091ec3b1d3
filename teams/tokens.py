"""Outbound Bot Connector tokens: one per (app id, scope), cached, never fetched on the event loop.

botbuilder's credentials (`AppCredentials.get_access_token()`) fetch from Entra ID with MSAL,
synchronously. The SDK calls them on the event loop, with new credentials each turn. Here the
credentials come from the same `ServiceClientCredentialsFactory` the adapter uses, are kept per
(app id, scope), and are asked for a token in a worker thread, by one caller at a time: callers
that arrive while a fetch is under way wait for that fetch (single flight). A token is reused
until shortly before its `exp` (read from the JWT, unverified: it is our own token, the
connector checks it), or for a fixed time when it is not a JWT. With no app id (local mode) or
credentials that have none (authentication disabled), requests are sent without Authorization.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, Protocol

from botframework.connector.auth import AuthenticationConstants

log = logging.getLogger(__name__)

# What botbuilder's public-cloud connector factory uses (_PublicCloudBotFrameworkAuthentication).
PUBLIC_CLOUD_SCOPE: Final = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
PUBLIC_CLOUD_LOGIN_ENDPOINT: Final = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
_ANONYMOUS_APP_ID: Final = AuthenticationConstants.ANONYMOUS_SKILL_APP_ID

# Refresh this long before the token's expiry; Entra ID issues tokens for 60 to 90 minutes.
REFRESH_MARGIN_SECONDS: Final = 300.0
# How long to keep a token whose expiry cannot be read.
OPAQUE_TOKEN_LIFETIME_SECONDS: Final = 1800.0


class CredentialsFactory(Protocol):
    """The part of botframework's `ServiceClientCredentialsFactory` used here."""

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any: ...


TokenKey = tuple[str, str]


@dataclass(frozen=True)
class _Token:
    value: str | None  # None: these credentials sign nothing (authentication disabled)
    refresh_at: float  # seconds since the epoch


def token_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, unverified, or None when `token` is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        return None
    return float(expiry)


class TokenSource:
    """`authorization(app_id, scope)`: the Authorization header value for an outbound call."""

    def __init__(
        self,
        factory: CredentialsFactory,
        *,
        login_endpoint: str = PUBLIC_CLOUD_LOGIN_ENDPOINT,
        validate_authority: bool = True,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        opaque_lifetime: float = OPAQUE_TOKEN_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._factory = factory
        self._login_endpoint = login_endpoint
        self._validate_authority = validate_authority
        self._refresh_margin = refresh_margin
        self._opaque_lifetime = opaque_lifetime
        self._clock = clock
        self._credentials: dict[TokenKey, Any] = {}
        self._tokens: dict[TokenKey, _Token] = {}
        self._fetches: dict[TokenKey, asyncio.Task[_Token]] = {}

    async def authorization(self, app_id: str | None, scope: str) -> str | None:
        """ "Bearer <token>", or None when requests to the connector go unsigned."""
        if not app_id or app_id == _ANONYMOUS_APP_ID:
            return None
        key = (app_id, scope)
        token = self._tokens.get(key)
        if token is None or self._clock() >= token.refresh_at:
            token = await asyncio.shield(self._fetch_once(key))
        return None if token.value is None else f"Bearer {token.value}"

    def forget(self, app_id: str | None, scope: str) -> None:
        """Drop the token and credentials (after a 401): the next call signs in afresh."""
        if app_id:
            self._tokens.pop((app_id, scope), None)
            self._credentials.pop((app_id, scope), None)

    def _fetch_once(self, key: TokenKey) -> asyncio.Task[_Token]:
        fetch = self._fetches.get(key)
        if fetch is None:
            fetch = asyncio.create_task(self._fetch(key), name=f"token-fetch-{key[1]}")
            self._fetches[key] = fetch
            fetch.add_done_callback(partial(self._fetched, key))
        return fetch

    def _fetched(self, key: TokenKey, fetch: asyncio.Task[_Token]) -> None:
        self._fetches.pop(key, None)
        if fetch.cancelled():
            return
        error = fetch.exception()  # retrieved here too, in case every caller gave up waiting
        if error is None:
            self._tokens[key] = fetch.result()
        else:
            log.warning("could not get a Bot Connector token error=%s", type(error).__name__)

    async def _fetch(self, key: TokenKey) -> _Token:
        app_id, scope = key
        credentials = self._credentials.get(key)
        if credentials is None:
            credentials = await self._factory.create_credentials(
                app_id, scope, self._login_endpoint, self._validate_authority
            )
            self._credentials[key] = credentials
        signing_app_id = getattr(credentials, "microsoft_app_id", app_id)
        if not signing_app_id or signing_app_id == _ANONYMOUS_APP_ID:
            return _Token(value=None, refresh_at=float("inf"))
        # MSAL's network I/O is synchronous: a worker thread, never the event loop.
        value = await asyncio.to_thread(credentials.get_access_token)
        if not isinstance(value, str) or not value:
            raise TypeError("the credentials returned no token")
        return _Token(value=value, refresh_at=self._refresh_at(value))

    def _refresh_at(self, value: str) -> float:
        now = self._clock()
        expiry = token_expiry(value)
        if expiry is None:
            return now + self._opaque_lifetime
        # A token already inside the margin is used for half of what is left of it.
        return max(expiry - self._refresh_margin, now + (expiry - now) / 2)
