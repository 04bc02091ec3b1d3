"""Checking the Bot Framework token on each request ourselves: strict, bounded, never blocking.

botbuilder 4.17's own check cannot be made safe from outside:
- it fetches Microsoft's OpenID metadata and signing keys with the synchronous `requests`
  library, without a timeout, on the event loop; a token merely *claiming* to come from the Bot
  Framework Emulator makes it fetch another issuer's metadata, so one request with no valid
  signature could freeze the whole bot while Microsoft's sign-in hosts were slow;
- it fetches again for every token naming an unknown key, so junk tokens cost a network call
  each.

So the bot validates channel tokens itself, with PyJWT (already a dependency of the SDK):
1. the header must be `Bearer <three base64url parts>`, at most `MAX_TOKEN_LENGTH` long;
2. the token's header must say RS256 and name a key id; its issuer must be the Bot Framework
   channel service (`https://api.botframework.com`), the only issuer a Teams bot needs. All of
   this is read before any key is looked up, so junk never causes an outbound fetch;
3. the key must be one Microsoft publishes, endorsed for the activity's channel (`msteams`);
4. the signature, expiry (five minutes' leeway, as the SDK allows), audience (our app id) and
   the `serviceurl` claim (the activity's service URL) must all check out.

Signing keys live in `SigningKeyStore`: fetched with aiohttp (connect and total timeouts) by a
background task when the app starts and every hour after (retrying with backoff), and on demand:
at most once every five minutes when a well-formed token names a key the store has not seen,
and, while no usable key is held, at most once every five seconds. Requests waiting for
keys give up after `wait_limit` seconds (the HTTP edge answers 503), and /healthz says "not
ready" while no usable key is held. A slow refresh with usable keys cached is not an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

from bot.urls import is_secure_url

log = logging.getLogger(__name__)

CHANNEL_ISSUER: Final = "https://api.botframework.com"
ALGORITHM: Final = "RS256"
MAX_TOKEN_LENGTH: Final = 6 * 1024
MAX_KEY_ID_LENGTH: Final = 256
CLOCK_LEEWAY_SECONDS: Final = 5 * 60
_MAX_DOCUMENT_BYTES: Final = 512 * 1024
_MAX_KEYS: Final = 100


class NotAuthenticatedError(Exception):
    """The request's token is not a valid Bot Framework channel token. `reason` is ours."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AuthenticationUnavailableError(Exception):
    """No usable signing key could be had in time: the request may be retried later."""


@dataclass(frozen=True)
class ChannelKey:
    """One published signing key and the channels it is endorsed for."""

    key_id: str
    public_key: Any
    endorsements: frozenset[str]


@dataclass(frozen=True)
class KeyStatus:
    """What /healthz reports about the signing keys."""

    ready: bool
    detail: str


class _FetchError(Exception):
    """A refresh failed; `reason` names why without quoting anything the server sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _jwks_uri_of(metadata: Any) -> str:
    jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
    if not isinstance(jwks_uri, str) or not is_secure_url(jwks_uri):
        raise _FetchError("the metadata names no usable jwks_uri")
    return jwks_uri


def _parse_keys(document: Any) -> dict[str, ChannelKey]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise _FetchError("the key set is not a JSON Web Key Set")
    keys: dict[str, ChannelKey] = {}
    for entry in document["keys"][:_MAX_KEYS]:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        key_id = entry.get("kid")
        endorsements = entry.get("endorsements")
        if not isinstance(key_id, str) or not 0 < len(key_id) <= MAX_KEY_ID_LENGTH:
            continue
        if not isinstance(endorsements, list):
            endorsements = []
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
        keys[key_id] = ChannelKey(
            key_id=key_id,
            public_key=public_key,
            endorsements=frozenset(item for item in endorsements if isinstance(item, str)),
        )
    if not keys:
        raise _FetchError("the key set holds no usable RSA key")
    return keys


class SigningKeyStore:
    """Microsoft's channel signing keys, fetched without ever blocking the event loop."""

    def __init__(
        self,
        metadata_url: str,
        *,
        connect_timeout: float = 3.0,
        fetch_timeout: float = 5.0,
        wait_limit: float = 4.5,
        refresh_every: float = 60 * 60,
        retry_after_failure: tuple[float, float] = (5.0, 300.0),
        unknown_key_refresh_after: float = 5 * 60,
        on_demand_retry_after: float = 5.0,
        max_age: float = 24 * 60 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not is_secure_url(metadata_url):
            raise ValueError("the OpenID metadata URL must be https (http only on loopback)")
        self._metadata_url = metadata_url
        self._timeout = aiohttp.ClientTimeout(
            total=fetch_timeout, connect=connect_timeout, sock_connect=connect_timeout
        )
        self._fetch_timeout = fetch_timeout
        self._wait_limit = wait_limit
        self._refresh_every = refresh_every
        self._retry_first, self._retry_most = retry_after_failure
        self._unknown_key_refresh_after = unknown_key_refresh_after
        self._on_demand_retry_after = on_demand_retry_after
        self._max_age = max_age
        self._clock = clock
        self._keys: dict[str, ChannelKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_failure: str | None = None
        self._inflight: asyncio.Task[None] | None = None
        self._background: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0  # completed or failed refresh attempts, for tests and figures

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin fetching in the background; start-up never waits for Microsoft."""
        if self._background is None:
            self._background = asyncio.create_task(self._keep_fresh(), name="signing-keys")

    async def close(self) -> None:
        for task in (self._background, self._inflight):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._background = self._inflight = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- what the HTTP edge and /healthz ask ------------------------------------------------

    def status(self) -> KeyStatus:
        if self._usable():
            return KeyStatus(True, "ok")
        if self._keys:
            return KeyStatus(False, "the signing keys are out of date and could not be refreshed")
        if self._last_failure is not None:
            return KeyStatus(False, f"the signing keys could not be fetched: {self._last_failure}")
        return KeyStatus(False, "the signing keys have not been fetched yet")

    async def key_for(self, key_id: str) -> ChannelKey | None:
        """The published key with this id; None if Microsoft does not publish it.

        Raises AuthenticationUnavailableError when no usable keys could be had in time.
        """
        in_flight = self._inflight is not None and not self._inflight.done()
        if self._usable():
            found = self._keys.get(key_id)
            if found is not None:
                return found
            if not in_flight and self._attempted_within(self._unknown_key_refresh_after):
                return None  # the keys were fetched moments ago: the id is not Microsoft's
        elif not in_flight and self._attempted_within(self._on_demand_retry_after):
            # A fetch has just failed: asking again at once would only add load to a host that
            # is down (the background task keeps retrying with backoff).
            raise AuthenticationUnavailableError
        refresh = self._refresh()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(refresh), timeout=self._wait_limit)
        if not self._usable():
            raise AuthenticationUnavailableError
        return self._keys.get(key_id)

    # --- internals --------------------------------------------------------------------------

    def _age(self) -> float | None:
        return None if self._fetched_at is None else self._clock() - self._fetched_at

    def _usable(self) -> bool:
        age = self._age()
        return bool(self._keys) and age is not None and age < self._max_age

    def _attempted_within(self, seconds: float) -> bool:
        return self._attempted_at is not None and self._clock() - self._attempted_at < seconds

    def _refresh(self) -> asyncio.Task[None]:
        """The one refresh in flight, started if none is."""
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.create_task(self._fetch_once(), name="signing-keys-fetch")
        return self._inflight

    async def _keep_fresh(self) -> None:
        delay = self._retry_first
        while True:
            await asyncio.shield(self._refresh())
            if self._last_failure is None:
                delay = self._retry_first
                await asyncio.sleep(self._refresh_every)
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_most)

    async def _fetch_once(self) -> None:
        """One refresh; never raises, records the outcome."""
        self._attempted_at = self._clock()
        try:
            async with asyncio.timeout(self._fetch_timeout):
                metadata = await self._get_json(self._metadata_url)
                keys = _parse_keys(await self._get_json(_jwks_uri_of(metadata)))
        except TimeoutError:
            self._failed("Microsoft's sign-in service did not answer in time")
        except _FetchError as error:
            self._failed(error.reason)
        except (aiohttp.ClientError, OSError) as error:
            self._failed(f"connection failed ({type(error).__name__})")
        else:
            self._keys = keys
            self._fetched_at = self._clock()
            self._last_failure = None
            log.info("signing keys refreshed count=%d", len(keys))
        finally:
            self.fetches += 1

    def _failed(self, reason: str) -> None:
        self._last_failure = reason
        log.warning("signing keys not refreshed reason=%s", reason)

    async def _get_json(self, url: str) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise _FetchError(f"HTTP {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > _MAX_DOCUMENT_BYTES:
                    raise _FetchError("the document is too large")
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise _FetchError("the document is not JSON") from error


def bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticatedError("no bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise NotAuthenticatedError("token too long")
    return token


class ChannelTokenValidator:
    """Validates `Authorization` headers of activities sent by the Bot Framework channel."""

    def __init__(self, *, app_id: str, keys: SigningKeyStore) -> None:
        if not app_id:
            raise ValueError("an app id is needed to validate tokens")
        self._app_id = app_id
        self._keys = keys

    async def validate(
        self, authorization: str, *, channel_id: str, service_url: str
    ) -> Mapping[str, Any]:
        """The token's verified claims. Raises NotAuthenticatedError or
        AuthenticationUnavailableError."""
        token = bearer_token(authorization)
        key_id = _key_id_of(token)
        if _unverified_issuer(token) != CHANNEL_ISSUER:
            raise NotAuthenticatedError("issuer is not the Bot Framework channel service")
        key = await self._keys.key_for(key_id)
        if key is None:
            raise NotAuthenticatedError("unknown signing key")
        if channel_id not in key.endorsements:
            raise NotAuthenticatedError("signing key not endorsed for this channel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[ALGORITHM],
                audience=self._app_id,
                issuer=CHANNEL_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise NotAuthenticatedError(type(error).__name__) from None
        if claims.get("serviceurl") != service_url:
            raise NotAuthenticatedError("service URL does not match the token")
        return claims


def _key_id_of(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise NotAuthenticatedError("malformed token") from None
    if header.get("alg") != ALGORITHM:
        raise NotAuthenticatedError("token not signed with RS256")
    key_id = header.get("kid")
    if not isinstance(key_id, str) or not 0 < len(key_id) <= MAX_KEY_ID_LENGTH:
        raise NotAuthenticatedError("token names no key")
    return key_id


def _unverified_issuer(token: str) -> object:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAuthenticatedError("malformed token") from None
    return claims.get("iss") if isinstance(claims, dict) else None
